"""How far ahead a location takes bookings is its own setting (booking_horizon_days, 60 days unless set), in
whole days of its time zone: the day picker pages up to its last day, which offers every one of its times
whatever the hour a customer looks; the booking API and the phone's form refuse a time past it."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from qserve.appointments.services import book_appointment
from tests.integration.appointments.helpers import make_bookable
from tests.web.appointments.test_booking_pages import ALL_DAY, EARLY
from tests.web.appointments.test_booking_weeks import link, page, shown_days

HELSINKI = ZoneInfo("Europe/Helsinki")
EARLY_MORNING = datetime(2026, 11, 23, 3, 10, tzinfo=UTC)  # Monday 05:10 in Helsinki
TODAY = date(2026, 11, 23)
LAST_DAY = TODAY + timedelta(days=14)  # Monday 7 December
FIRST_TIME = datetime(2026, 12, 7, 0, 0, tzinfo=HELSINKI)
LAST_TIME = datetime(2026, 12, 7, 23, 50, tzinfo=HELSINKI)
PAST_THE_LAST_DAY = datetime(2026, 12, 8, 0, 0, tzinfo=HELSINKI)
FORM_SAYS = {
    "en": "Times can be booked up to Monday 7.12.2026. Please choose an earlier time.",
    "fi": "Viimeinen päivä, jolle voi varata ajan, on maanantai 7.12.2026. Valitse aiempi aika.",
    "sv": "Tider kan bokas till och med måndag 7.12.2026. Välj en tidigare tid.",
    "pl": "Ostatni dzień rezerwacji to poniedziałek 7.12.2026. Wybierz wcześniejszy termin.",
}


@pytest.fixture
def clinic(make, monkeypatch):
    """A clinic open all day that books two weeks ahead, seen early on a Monday morning."""
    from qserve.db import transaction
    from qserve.models import Location

    monkeypatch.setattr("qserve.appointments.pages.utcnow", lambda: EARLY_MORNING)
    monkeypatch.setattr("qserve.appointments.api.utcnow", lambda: EARLY_MORNING)
    location = make_bookable(make, settings=EARLY | {"booking_horizon_days": 14})
    with transaction() as tx:
        tx.session.get(Location, location["id"]).opening_hours = ALL_DAY
    return location


def offered_times(html: str) -> list[datetime]:
    return [datetime.fromisoformat(value) for value in re.findall(r'name="starts_at" value="([^"]+)"', html)]


def book(client, place, starts_at: datetime):
    return client.post(
        f"/api/v1/locations/{place['slug']}/appointments",
        json={"service_id": place["service_ids"][0], "starts_at": starts_at.isoformat()},
    )


def test_a_clinic_that_books_two_weeks_ahead_shows_today_and_the_fourteen_days_after_it(app, clinic):
    client = app.test_client()
    first = page(client, clinic)
    assert shown_days(first) == [TODAY + timedelta(days=offset) for offset in range(14)]
    last = page(client, clinic, f"?{link(first, 'later')}")
    assert shown_days(last) == [LAST_DAY] and link(last, "later") is None
    stale = page(client, clinic, f"?date={LAST_DAY + timedelta(days=1)}")  # a day past it is not offered
    assert LAST_DAY + timedelta(days=1) not in shown_days(stale) and not re.search(r"2026-12-08T", stale)


def test_early_in_the_morning_the_last_day_offers_all_its_times(app, clinic):
    """The bug: the horizon was now + 14 days, so at 05:10 the last day offered its times up to 05:10."""
    client = app.test_client()
    times = offered_times(page(client, clinic, f"?date={LAST_DAY}"))
    assert (min(times), max(times), len(times)) == (FIRST_TIME, LAST_TIME, 24 * 12 - 1)
    url = f"/api/v1/locations/{clinic['slug']}/slots?service_id={clinic['service_ids'][0]}&date={LAST_DAY}"
    offered = [datetime.fromisoformat(slot["starts_at"]) for slot in client.get(url).get_json()["slots"]]
    assert offered == times
    assert book(client, clinic, LAST_TIME).status_code == 201


def test_a_time_past_the_last_day_is_refused_with_the_day_bookings_are_taken_up_to(app, clinic):
    client = app.test_client()
    refused = book(client, clinic, PAST_THE_LAST_DAY)
    assert refused.status_code == 422
    assert refused.get_json()["error"] | {"message": None} == {
        "code": "beyond_booking_horizon",
        "message": None,
        "field": "starts_at",
        "last_day": "2026-12-07",
        "horizon_days": 14,
    }
    assert "2026-12-07" in refused.get_json()["error"]["message"]
    url = f"/api/v1/locations/{clinic['slug']}/slots?service_id={clinic['service_ids'][0]}"
    assert client.get(f"{url}&date={PAST_THE_LAST_DAY.date()}").get_json()["slots"] == []
    code = book_appointment(
        location_slug=clinic["slug"],
        service_id=clinic["service_ids"][0],
        starts_at=LAST_TIME,
        now=EARLY_MORNING,
    )["code"]
    moved = client.post(
        f"/api/v1/appointments/{code}/reschedule", json={"starts_at": PAST_THE_LAST_DAY.isoformat()}
    )
    assert (moved.status_code, moved.get_json()["error"]["code"]) == (422, "beyond_booking_horizon")


@pytest.mark.parametrize("language", ["en", "fi", "sv", "pl"])
def test_the_phone_form_says_in_its_language_up_to_which_day_times_can_be_booked(app, clinic, language):
    """A page left open while the manager shortened the horizon sends a time past it."""
    client = app.test_client()
    client.set_cookie("lang", language)
    refused = client.post(
        f"/book/{clinic['slug']}/{clinic['service_ids'][0]}",
        data={"starts_at": PAST_THE_LAST_DAY.isoformat(), "name": "Aino", "date": LAST_DAY.isoformat()},
    )
    assert refused.status_code == 422
    alert = re.search(r'<p class="error" role="alert" id="error">([^<]+)</p>', refused.get_data(as_text=True))
    assert alert and alert.group(1) == FORM_SAYS[language]
    assert 'value="Aino"' in refused.get_data(as_text=True)  # what was typed is kept


def test_a_location_that_never_set_its_horizon_takes_bookings_sixty_days_ahead(app, clinic):
    from qserve.db import transaction
    from qserve.models import Location

    with transaction() as tx:
        tx.session.get(Location, clinic["id"]).settings = EARLY
    client = app.test_client()
    last = datetime(2027, 1, 22, 23, 50, tzinfo=HELSINKI)  # 23 November + 60 days, its last time
    assert book(client, clinic, last).status_code == 201
    assert book(client, clinic, last + timedelta(minutes=10)).status_code == 422
