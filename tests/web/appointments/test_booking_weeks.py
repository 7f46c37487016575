"""The booking pages showed two weeks of days while bookings are taken 60 days ahead: the day picker now
pages through the whole horizon two weeks at a time, with plain Earlier and Later links (no script), never
before today nor past the horizon; the page that moves a booking does the same and opens on its weeks."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from qserve.appointments.services import book_appointment
from tests.integration.appointments.helpers import make_bookable
from tests.web.appointments.test_booking_pages import ALL_DAY, EARLY

NOW = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)  # Monday, 09:00 in Helsinki
TODAY = date(2026, 11, 23)
LAST_DAY = date(2027, 1, 22)  # bookings are taken 60 days past today unless the location says otherwise
LAST_TIME = datetime(2027, 1, 22, 23, 50, tzinfo=ZoneInfo("Europe/Helsinki"))  # its last time, after 09:00


@pytest.fixture
def place(make, monkeypatch):
    """A location open all day, seen at a fixed moment (the pages read the clock once per request)."""
    from qserve.db import transaction
    from qserve.models import Location

    monkeypatch.setattr("qserve.appointments.pages.utcnow", lambda: NOW)
    monkeypatch.setattr("qserve.appointments.api.utcnow", lambda: NOW)
    location = make_bookable(make, settings=EARLY)
    with transaction() as tx:
        tx.session.get(Location, location["id"]).opening_hours = ALL_DAY
    return location


def page(client, place, query: str = "") -> str:
    response = client.get(f"/book/{place['slug']}/{place['service_ids'][0]}{query}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def shown_days(html: str) -> list[date]:
    """Return the days of the picker (every day is open at this location, so each is a link)."""
    picker = html.split('id="days">', 1)[1].split("</ul>", 1)[0]
    assert picker.count("<li>") == len(re.findall(r'<a href="\?date=', picker))
    return [date.fromisoformat(day) for day in re.findall(r'<a href="\?date=([\d-]+)', picker)]


def link(html: str, name: str) -> str | None:
    """Return the query of the Earlier or Later link, or None when there is none."""
    found = re.search(rf'<a id="{name}" rel="\w+" href="\?([^"]+)"', html)
    return found.group(1).replace("&amp;", "&") if found else None


def test_later_and_earlier_page_through_every_day_bookings_are_taken_for(app, place):
    client = app.test_client()
    pages, query = [], None
    while True:
        html = page(client, place, f"?{query}" if query else "")
        pages.append(shown_days(html))
        query = link(html, "later")
        if query is None:
            break
    assert [days[0] for days in pages] == [TODAY + timedelta(days=14 * index) for index in range(5)]
    assert [len(days) for days in pages] == [14, 14, 14, 14, 5]  # the last ends on the horizon's day
    assert pages[-1][-1] == LAST_DAY and pages[0][0] == TODAY
    assert link(page(client, place), "earlier") is None
    assert link(page(client, place, f"?from={pages[2][0]}"), "earlier") == f"from={pages[1][0]}"
    assert "4.1.–17.1." in page(client, place, f"?from={pages[3][0]}")  # the weeks shown, in words


@pytest.mark.parametrize(
    "query", ["?from=2026-11-01", "?from=2030-01-01", "?date=2027-01-23", "?date=2026-11-22"]
)
def test_no_link_shows_a_day_before_today_or_past_the_horizon(app, place, query):
    days = shown_days(page(app.test_client(), place, query))
    assert TODAY <= days[0] and days[-1] <= LAST_DAY and len(days) in (5, 14)


def test_the_last_day_offers_all_its_times_not_only_those_before_the_hour_it_is_now(app, place):
    """The horizon is whole days of the location's zone: at 09:00 the last day's evening is bookable too."""
    client = app.test_client()
    html = page(client, place, f"?date={LAST_DAY}")
    times = [datetime.fromisoformat(value) for value in re.findall(r'name="starts_at" value="([^"]+)"', html)]
    assert times and max(times) == LAST_TIME
    url = f"/api/v1/locations/{place['slug']}/slots?service_id={place['service_ids'][0]}&date={LAST_DAY}"
    offered = [datetime.fromisoformat(slot["starts_at"]) for slot in client.get(url).get_json()["slots"]]
    assert max(offered) == LAST_TIME
    booked = client.post(
        f"/api/v1/locations/{place['slug']}/appointments",
        json={"service_id": place["service_ids"][0], "starts_at": LAST_TIME.isoformat()},
    )
    assert booked.status_code == 201


def test_moving_a_booking_opens_on_its_weeks_and_keeps_moving_it_on_earlier_and_later(app, place):
    starts = datetime(2027, 1, 2, 10, 0, tzinfo=ZoneInfo("Europe/Helsinki"))  # 40 days ahead
    code = book_appointment(
        location_slug=place["slug"], service_id=place["service_ids"][0], starts_at=starts, now=NOW
    )["code"]
    client = app.test_client()
    html = page(client, place, f"?reschedule={code}")
    assert shown_days(html)[0] == date(2026, 12, 21)  # the third fortnight, which holds 2 January
    assert f'<a href="?date=2027-01-02&amp;reschedule={code}" aria-current="date">' in html
    assert link(html, "earlier") == f"from=2026-12-07&reschedule={code}"
    assert link(html, "later") == f"from=2027-01-04&reschedule={code}"
    later = page(client, place, f"?{link(html, 'later')}")
    assert shown_days(later)[0] == date(2027, 1, 4) and f'name="reschedule" value="{code}"' in later
