"""The kiosk's endpoints while the location is closed: the services say when it opens, a tap is 409
location_closed, and a booking still checks in. The clock is fixed (Helsinki, the week of Monday 23 November
2026), whatever the hour the suite runs at."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from qserve.db import read_session, transaction
from qserve.models import Location, Ticket
from tests.integration.appointments.helpers import booked, make_bookable, slot_times
from tests.integration.kiosk.kiosk_helpers import make_kiosk
from tests.web.conftest import own_database

HELSINKI = ZoneInfo("Europe/Helsinki")
WEEKDAYS = {day: [["08:00", "18:00"]] for day in ("mon", "tue", "wed", "thu", "fri")}


def helsinki(day: int, hour: int, minute: int = 0) -> datetime:
    """Return a moment of the week of Monday 23 November 2026 in Helsinki (day 0 = Monday), as UTC."""
    return datetime(2026, 11, 23 + day, hour, minute, tzinfo=HELSINKI).astimezone(UTC)


database_url = own_database()


@pytest.fixture
def at(monkeypatch):
    """Return a function that sets the moment the kiosk's endpoints read as now."""

    def set_now(moment: datetime) -> None:
        monkeypatch.setattr("qserve.kiosk.api.utcnow", lambda: moment)

    return set_now


def kiosk_of(location: dict) -> str:
    make_kiosk(location, languages=["fi", "sv", "en", "pl"])
    return f"/kiosk/api/{location['slug']}/entrance"


def tap(client, api: str, location: dict, key: str = "tap-1"):
    body = {"service_id": location["service_ids"][0], "idempotency_key": key, "language": "fi"}
    return client.post(api + "/tickets", json=body)


def test_while_closed_the_services_say_when_it_opens_and_a_tap_is_refused(client, make, at):
    location = make.location(opening_hours=WEEKDAYS)
    api = kiosk_of(location)
    at(helsinki(0, 3))
    closed = client.get(api + "/services").get_json()["closed"]
    assert closed == {
        "opens_at": "2026-11-23T08:00:00+02:00",
        "last_call": False,
        "texts": {
            "fi": "Nyt suljettu. Avataan tänään klo 8.00.",
            "sv": "Stängt nu. Öppnar i dag kl. 08:00.",
            "en": "Closed now. Opens today at 08:00.",
            "pl": "Teraz zamknięte. Otwarcie dziś o godz. 08:00.",
        },
    }
    refused = tap(client, api, location)
    assert refused.status_code == 409
    assert refused.get_json()["error"] | {"message": ""} == {
        "code": "location_closed",
        "message": "",
        "opens_at": "2026-11-23T08:00:00+02:00",
    }
    with read_session() as session:
        assert session.query(Ticket).count() == 0
    at(helsinki(0, 10))
    assert client.get(api + "/services").get_json()["closed"] is None
    assert tap(client, api, location, key="tap-2").status_code == 201


def test_on_friday_evening_the_kiosk_says_monday_in_each_language(client, make, at):
    location = make.location(opening_hours=WEEKDAYS)
    api = kiosk_of(location)
    at(helsinki(4, 19))
    texts = client.get(api + "/services").get_json()["closed"]["texts"]
    assert texts["en"] == "Closed now. Opens Monday at 08:00."
    assert texts["fi"] == "Nyt suljettu. Avataan maanantaina klo 8.00."
    assert texts["sv"] == "Stängt nu. Öppnar måndag kl. 08:00."


def test_the_early_window_opens_the_kiosk_before_opening(client, make, at):
    location = make.location(opening_hours=WEEKDAYS)
    with transaction() as tx:
        tx.session.get(Location, location["id"]).settings = {"join_before_opening_s": 1800}
    api = kiosk_of(location)
    at(helsinki(0, 7, 29))
    assert client.get(api + "/services").get_json()["closed"] is not None
    at(helsinki(0, 7, 30))
    assert client.get(api + "/services").get_json()["closed"] is None
    assert tap(client, api, location).get_json()["number"] == "A001"


def test_a_booking_checks_in_at_the_kiosk_before_opening(client, make, at):
    location = make_bookable(make, mode="hybrid")
    api = kiosk_of(location)
    tuesday = date(2026, 11, 24)
    slot = slot_times(location, day=tuesday)[0]
    code = booked(location, slot, name="Aino")
    at(slot - timedelta(minutes=35))  # before the 08:00 opening
    assert tap(client, api, location).status_code == 409
    checked_in = client.post(api + "/check-in", json={"code": code, "language": "fi"})
    assert checked_in.status_code == 201
    with read_session() as session:
        ticket = session.query(Ticket).one()
        assert (ticket.channel, ticket.service_day) == ("appointment", tuesday)


def test_past_the_last_call_the_kiosk_gives_no_new_tickets_and_says_when_it_does_again(client, make, at):
    location = make.location(opening_hours=WEEKDAYS)
    with transaction() as tx:
        tx.session.get(Location, location["id"]).settings = {"stop_joining_before_closing_s": 1800}
    api = kiosk_of(location)
    at(helsinki(0, 17, 29))
    assert client.get(api + "/services").get_json()["closed"] is None
    at(helsinki(0, 17, 30))
    closed = client.get(api + "/services").get_json()["closed"]
    assert closed == {
        "opens_at": "2026-11-24T08:00:00+02:00",
        "last_call": True,
        "texts": {
            "fi": "Tänään ei enää anneta vuoronumeroita. Seuraavat huomenna klo 8.00.",
            "sv": "Inga fler nummer i dag. Nya nummer i morgon kl. 08:00.",
            "en": "No new tickets today. Tickets again tomorrow at 08:00.",
            "pl": "Dziś nie wydajemy już nowych numerów. Kolejne jutro o godz. 08:00.",
        },
    }
    assert tap(client, api, location).status_code == 409
