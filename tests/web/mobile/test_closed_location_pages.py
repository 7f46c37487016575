"""The phone's join pages while the location is closed: the notice says when it opens and nothing offers
joining (outside the early window before opening); a join sent anyway gets the friendly page. Through the
test client with the clock fixed on a Monday in Helsinki, whatever the hour the suite runs at."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from qserve.db import read_session
from qserve.models import Ticket
from tests.web.conftest import own_database
from tests.web.mobile.helpers import bank_branch, change_location

WEEKDAYS = {day: [["08:00", "18:00"]] for day in ("mon", "tue", "wed", "thu", "fri")}
MONDAY_3_AM = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)  # 03:00 in Helsinki
MONDAY_7_15_AM = datetime(2026, 11, 23, 5, 15, tzinfo=UTC)


database_url = own_database()


@pytest.fixture
def at(monkeypatch):
    """Return a function that sets the moment the join pages read as now."""

    def set_now(moment: datetime) -> None:
        monkeypatch.setattr("qserve.mobile.join.utcnow", lambda: moment)

    return set_now


def text_of(response) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", response.get_data(as_text=True), flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def tickets() -> int:
    with read_session() as session:
        return session.query(Ticket).count()


def services_offering_no_join(client, branch: dict, lang: str) -> str:
    """Read the branch's services page in a language, check it links to no join form, and return its text."""
    response = client.get(f"/join/{branch['slug']}?lang={lang}")
    for service_id in branch["service_ids"]:
        assert f"/join/{branch['slug']}/{service_id}" not in response.get_data(as_text=True)
    return text_of(response)


@pytest.mark.parametrize(
    ("lang", "notice", "closed"),
    [
        ("en", "Closed now. Opens today at 08:00.", "Closed now"),
        ("fi", "Nyt suljettu. Avataan tänään klo 8.00.", "Suljettu nyt"),
    ],
)
def test_at_three_in_the_morning_the_services_say_when_the_location_opens_and_offer_no_join(
    client, make, at, lang, notice, closed
):
    branch = bank_branch(make)
    change_location(branch["id"], opening_hours=WEEKDAYS)
    at(MONDAY_3_AM)
    page = services_offering_no_join(client, branch, lang)
    assert notice in page
    assert page.count(closed) >= len(branch["service_ids"])
    form = client.get(f"/join/{branch['slug']}/{branch['service_ids'][1]}?lang={lang}")
    assert form.status_code == 200 and notice in text_of(form)
    assert "join-form" not in form.get_data(as_text=True)


def test_a_join_sent_while_closed_gets_the_friendly_page_and_no_ticket(client, make, at):
    branch = bank_branch(make)
    other = make.location(organization_id=branch["organization_id"], name="Espoo Mall")
    change_location(branch["id"], opening_hours=WEEKDAYS)
    at(MONDAY_3_AM)
    response = client.post(
        f"/join/{branch['slug']}/{branch['service_ids'][1]}?lang=en", data={"name": "Maija", "language": "en"}
    )
    assert response.status_code == 409
    assert response.mimetype == "text/html"
    page = text_of(response)
    assert "Closed now. Opens today at 08:00." in page
    assert "Join the queue at Espoo Mall" in page and f'href="/join/{other["slug"]}"' in response.text
    assert tickets() == 0


def test_within_the_early_window_the_pages_offer_joining_before_opening(client, make, at):
    branch = bank_branch(make)
    change_location(
        branch["id"], opening_hours=WEEKDAYS, settings={"phone_region": "FI", "join_before_opening_s": 3600}
    )
    at(MONDAY_7_15_AM)
    response = client.get(f"/join/{branch['slug']}?lang=fi")
    page = text_of(response)
    assert "Nyt suljettu. Avataan tänään klo 8.00." in page and "Jonoon voi jo liittyä." in page
    cash = branch["service_ids"][1]
    assert f"/join/{branch['slug']}/{cash}" in response.get_data(as_text=True)
    form = client.get(f"/join/{branch['slug']}/{cash}?lang=en")
    assert "You can already join the queue." in text_of(form) and "join-form" in form.get_data(as_text=True)
    joined = client.post(f"/join/{branch['slug']}/{cash}?lang=en", data={"language": "en"})
    assert joined.status_code == 303
    with read_session() as session:
        ticket = session.query(Ticket).one()
        assert (ticket.number, str(ticket.service_day)) == ("B001", "2026-11-23")


def test_the_early_notice_is_not_shown_while_open(client, make, at):
    branch = bank_branch(make)
    change_location(
        branch["id"], opening_hours=WEEKDAYS, settings={"phone_region": "FI", "join_before_opening_s": 3600}
    )
    at(datetime(2026, 11, 23, 8, 0, tzinfo=UTC))  # 10:00 in Helsinki
    page = text_of(client.get(f"/join/{branch['slug']}?lang=en"))
    assert "Open today until 18:00" in page and "You can already join" not in page


def test_the_other_locations_offered_say_which_are_closed_now(client, make, at):
    branch = bank_branch(make)
    night_owl = make.location(organization_id=branch["organization_id"], name="Airport")  # no hours: open
    office = make.location(
        organization_id=branch["organization_id"], name="Espoo Mall", opening_hours=WEEKDAYS
    )
    at(MONDAY_3_AM)
    page = text_of(client.get(f"/join/{branch['slug']}?lang=fi"))
    assert "Jonota toimipisteessä Airport" in page  # open round the clock
    assert "Espoo Mall: suljettu nyt" in page and "Jonota toimipisteessä Espoo Mall" not in page
    english = text_of(client.get(f"/join/{night_owl['slug']}?lang=en"))
    assert "Espoo Mall: closed now" in english and "Join the queue at Espoo Mall" not in english
    assert f"/join/{office['slug']}" in client.get(f"/join/{night_owl['slug']}?lang=en").text  # still a link


@pytest.mark.parametrize(
    ("lang", "notice", "facts"),
    [
        ("en", "No new tickets today. Tickets again tomorrow at 08:00.", "No new tickets"),
        ("pl", "Dziś nie wydajemy już numerków. Kolejne jutro o godz. 08:00.", "Brak nowych numerków"),
    ],
)
def test_past_the_last_call_the_pages_offer_no_join_and_say_when_tickets_come_again(
    client, make, at, lang, notice, facts
):
    branch = bank_branch(make)
    change_location(
        branch["id"],
        opening_hours=WEEKDAYS,
        settings={"phone_region": "FI", "stop_joining_before_closing_s": 1800},
    )
    at(datetime(2026, 11, 23, 15, 40, tzinfo=UTC))  # 17:40 in Helsinki, closing at 18:00
    page = services_offering_no_join(client, branch, lang)
    assert notice in page and page.count(facts) >= len(branch["service_ids"])
    refused = client.post(
        f"/join/{branch['slug']}/{branch['service_ids'][1]}?lang={lang}", data={"language": lang}
    )
    assert refused.status_code == 409 and notice in text_of(refused) and tickets() == 0


@pytest.mark.parametrize(
    ("lang", "morning", "afternoon"),
    [
        ("en", "Open now until 12:00, then again 13:00–18:00", "Open today until 18:00"),
        ("fi", "Avoinna nyt klo 12.00 asti, sitten taas klo 13.00–18.00", "Avoinna tänään klo 18.00 asti"),
    ],
)
def test_before_a_lunch_break_the_hours_say_when_it_begins_and_when_the_doors_open_again(
    client, make, at, lang, morning, afternoon
):
    branch = bank_branch(make)
    lunch = {day: [["08:00", "12:00"], ["13:00", "18:00"]] for day in ("mon", "tue", "wed", "thu", "fri")}
    change_location(branch["id"], opening_hours=lunch)
    at(datetime(2026, 11, 23, 8, 0, tzinfo=UTC))  # 10:00 in Helsinki
    assert morning in text_of(client.get(f"/join/{branch['slug']}?lang={lang}"))
    at(datetime(2026, 11, 23, 12, 0, tzinfo=UTC))  # 14:00: no break ahead today
    page = text_of(client.get(f"/join/{branch['slug']}?lang={lang}"))
    assert afternoon in page and morning not in page
