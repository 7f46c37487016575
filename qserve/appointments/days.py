"""The booking page's days: which of them a customer can book, is closed, or has every time taken."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import select

from qserve.appointments import capacity as cap
from qserve.appointments.slots import bookable, generate_slots
from qserve.db import read_session
from qserve.domain.errors import NotFound
from qserve.models import Location, Service

OPEN, FULL, CLOSED = "open", "full", "closed"
DAYS_SHOWN = 14  # the day picker shows two weeks at a time, a week a row


def day_states(*, location_slug: str, service_id: int, days: list[date], now: datetime) -> dict[date, str]:
    """Tell for each day (in order) whether it has a free time ("open"), times that are all taken ("full"),
    or no time left to book at all ("closed": the location is closed, today's last time has passed, or the
    day is past the location's booking horizon)."""
    with read_session() as session:
        location = session.scalar(select(Location).where(Location.slug == location_slug))
        service = session.get(Service, service_id)
        if location is None or service is None or service.location_id != location.id:
            raise NotFound("no such service at this location", field="service_id")
        rules, horizon = cap.rules_for(session, service), cap.horizon_of(location, now)
        upcoming = {day: _bookable(generate_slots(rules, day), now, horizon) for day in days}
        free = iter(cap.free_places(session, service, [slot for day in days for slot in upcoming[day]]))
    states = {}
    for day in days:
        places = [next(free) for _slot in upcoming[day]]
        states[day] = OPEN if any(places) else FULL if places else CLOSED
    return states


def first_open(states: dict[date, str], *, preferred: date | None = None) -> date | None:
    """Return the day to show first: the preferred one if it can be booked, else the earliest that can."""
    if preferred is not None and states.get(preferred) == OPEN:
        return preferred
    return next((day for day, state in sorted(states.items()) if state == OPEN), None)


def fortnight(*, today: date, last: date, around: date) -> list[date]:
    """Return the two weeks of the day picker that hold a day: fortnights are counted from today, and none
    of their days is past the last day that takes bookings (a day before today, or past the last, is taken
    for the nearer of the two)."""
    around = min(max(around, today), last)
    first = today + timedelta(days=(around - today).days // DAYS_SHOWN * DAYS_SHOWN)
    days = (first + timedelta(days=offset) for offset in range(DAYS_SHOWN))
    return [day for day in days if day <= last]


def _bookable(slots: list, now: datetime, horizon: datetime) -> list:
    return [slot for slot in slots if bookable(slot.starts_at, now, horizon)]
