"""Helpers shared by the appointment tests: tables not migrated yet, a bookable location, a booking."""

from __future__ import annotations

from datetime import UTC, date, datetime

from qserve.db import transaction
from qserve.models import Location

OPEN_EVERY_DAY = {day: [["08:00", "18:00"]] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
# Monday 23 November 2026, 07:00 UTC = 09:00 in Helsinki; slots of the factory's 300 s services.
MONDAY_MORNING = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)


def make_bookable(
    make, *, mode: str = "appointments", counters: int = 1, settings: dict | None = None, **extra
):
    """Create a location that takes bookings from 08:00 to 18:00 every day; return the factory's dict."""
    location = make.location(counters=counters, opening_hours=OPEN_EVERY_DAY, mode=mode, **extra)
    if settings:
        with transaction() as tx:
            tx.session.get(Location, location["id"]).settings = settings
    return location


def booked(location, starts_at, **contact) -> str:
    """Book a slot of the location's first service on Monday morning; return the booking code."""
    from qserve.appointments.services import book_appointment

    return book_appointment(
        location_slug=location["slug"],
        service_id=location["service_ids"][0],
        starts_at=starts_at,
        now=MONDAY_MORNING,
        **contact,
    )["code"]


def slot_times(location, service_index: int = 0, day: date | None = None) -> list[datetime]:
    """Return the start times of a service's free slots on Monday (or another day), seen on Monday morning."""
    from qserve.appointments.services import list_slots

    slots = list_slots(
        location_slug=location["slug"],
        service_id=location["service_ids"][service_index],
        day=day or MONDAY_MORNING.date(),
        now=MONDAY_MORNING,
    )
    return [datetime.fromisoformat(slot["starts_at"]) for slot in slots]
