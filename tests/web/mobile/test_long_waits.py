"""Long waits on the phone's ticket page. A ticket whose call is expected on a later day (taken while the
location is closed: staff may issue at any hour) names that day, in the server's page and after the page
script's live updates, instead of a clock time that reads as today and a wait of hundreds of minutes; a wait
of an hour or more today is given in hours and minutes."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import requests
from playwright.sync_api import expect

from qserve.db import read_session
from qserve.domain.actors import Actor
from qserve.models import Ticket
from tests.web.mobile.helpers import LOAN_ANSWERS, bank_branch, change_location, change_service

ZONE = ZoneInfo("Europe/Helsinki")
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
SAY = {
    "en": (
        "Probably on {day} around 10:",
        ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"],
    ),
    "fi": (
        "Todennäköisesti {day} noin klo 10.",
        [
            "maanantaina",
            "tiistaina",
            "keskiviikkona",
            "torstaina",
            "perjantaina",
            "lauantaina",
            "sunnuntaina",
        ],
    ),
}


@pytest.mark.parametrize("lang", sorted(SAY))
def test_a_call_two_days_ahead_names_the_weekday_and_gives_no_minutes(live_server, phone, make, shots, lang):
    opening_day = datetime.now(ZONE).date() + timedelta(days=2)
    hours = {DAYS[opening_day.weekday()]: [["10:00", "12:00"]]}  # closed until the day after tomorrow
    branch = bank_branch(make, services=1, time_zone="Europe/Helsinki")
    change_location(branch["id"], opening_hours=hours)
    staff = Actor(
        kind="staff", organization_id=branch["organization_id"], location_ids=frozenset({branch["id"]})
    )
    ticket_id = make.ticket(
        location=branch, channel="staff", actor=staff, language=lang, answers=LOAN_ANSWERS
    )
    with read_session() as session:
        token = session.get(Ticket, ticket_id).public_token

    page = phone(lang)
    page.goto(f"{live_server.url}/t/{token}")
    sentence, weekdays = SAY[lang]
    expect(page.locator("#eta")).to_contain_text(sentence.format(day=weekdays[opening_day.weekday()]))
    expect(page.locator("#wait-line")).to_be_hidden()
    page.evaluate("() => window.dispatchEvent(new Event('online'))")  # a resync re-renders from the API
    expect(page.locator("#eta")).to_contain_text(sentence.format(day=weekdays[opening_day.weekday()]))
    expect(page.locator("#wait-line")).to_be_hidden()
    shots(page, f"{lang}-ticket-on-a-later-day")


# Zones far enough apart that one of them is always between 8 and 16 o'clock: a long wait ends the same day.
ZONES = ["Pacific/Kiritimati", "Asia/Tokyo", "Asia/Kolkata", "Europe/Helsinki", "UTC", "America/New_York"]
ZONES += ["America/Los_Angeles", "Pacific/Honolulu"]


def zone_at_midday() -> str:
    return next(zone for zone in ZONES if 8 <= datetime.now(ZoneInfo(zone)).hour < 16)


def test_a_long_wait_today_is_given_in_hours_and_minutes_by_the_page_and_its_script(
    live_server, phone, make, shots
):
    """The server writes the page and its script rewrites it on every update: both say '1 h 30 min'."""
    branch = bank_branch(make, services=1, counters=1, time_zone=zone_at_midday())
    change_service(branch["service_ids"][0], default_duration_s=1800)
    for _ in range(4):
        make.ticket(location=branch, answers=LOAN_ANSWERS)
    ticket_id = make.ticket(location=branch, answers=LOAN_ANSWERS)
    with read_session() as session:
        token = session.get(Ticket, ticket_id).public_token
    served = requests.get(f"{live_server.url}/t/{token}?lang=en", timeout=10).text
    from_server = re.search(r'<strong id="wait">([^<]+)</strong>', served)[1]
    assert re.fullmatch(r"(\d+ min|\d+ h( \d+ min)?) – \d+ h( \d+ min)?|up to \d+ h( \d+ min)?", from_server)

    page = phone("en")
    page.goto(f"{live_server.url}/t/{token}?lang=en")
    expect(page.locator("#wait-line")).to_be_visible()
    expect(page.locator("#wait")).to_have_text(from_server)  # the script, run at load, writes the same
    shots(page, "en-long-wait-today")
