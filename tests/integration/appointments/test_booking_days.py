"""The booking page's days: open, fully booked or closed, read in one go and in step with the day's slots."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from qserve.appointments.days import CLOSED, FULL, OPEN, day_states
from qserve.appointments.services import book_appointment, list_slots
from qserve.db import transaction
from qserve.models import Location
from tests.integration.appointments.helpers import MONDAY_MORNING, OPEN_EVERY_DAY, make_bookable

MONDAY = date(2026, 11, 23)
WEEK = [MONDAY + timedelta(days=offset) for offset in range(7)]


def states(location, now=MONDAY_MORNING) -> dict[date, str]:
    return day_states(
        location_slug=location["slug"], service_id=location["service_ids"][0], days=WEEK, now=now
    )


def test_closed_days_full_days_and_a_day_past_its_last_time_are_told_apart(make):
    hours = OPEN_EVERY_DAY | {"sun": [], "exceptions": {"2026-11-25": [], "2026-11-26": [["10:00", "10:10"]]}}
    location = make_bookable(make, settings={"appointments": {"on_site_cap": 5}})
    with transaction() as tx:
        tx.session.get(Location, location["id"]).opening_hours = hours
    for starts_at in ("2026-11-26T08:00:00+00:00", "2026-11-26T08:05:00+00:00"):  # 10:00 and 10:05 local
        book_appointment(
            location_slug=location["slug"],
            service_id=location["service_ids"][0],
            starts_at=datetime.fromisoformat(starts_at),
            now=MONDAY_MORNING,
        )
    found = states(location)
    assert [found[day] for day in WEEK] == [OPEN, OPEN, CLOSED, FULL, OPEN, OPEN, CLOSED]
    evening = MONDAY_MORNING + timedelta(hours=9)  # 18:00 in Helsinki: Monday's last time has passed
    assert states(location, now=evening)[MONDAY] == CLOSED
    for day in WEEK:  # the picker agrees with the times the page lists for the day
        slots = list_slots(
            location_slug=location["slug"], service_id=location["service_ids"][0], day=day, now=MONDAY_MORNING
        )
        listed = OPEN if any(slot["available"] for slot in slots) else FULL if slots else CLOSED
        assert found[day] == listed, day
