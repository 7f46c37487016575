"""The end of a location's day: tickets still in line when it closed are closed too, an hour later.

Staff go home; a ticket left waiting would otherwise stay at the head of tomorrow's line (the oldest first),
be called by the first counter to open and show beside a new ticket of the same number. Once a location has
been closed for `end_of_day_grace_s` (its settings; an hour by default, so staff can still serve whoever is
left), every ticket that joined before it closed and is still waiting, called or on hold is cancelled by
the system with the reason `closed_for_the_day`; its customer is told (qserve.notify) and its page says so.
Tickets taken after closing stay (staff letting someone in for the next morning, early joiners: they belong
to the day of the next opening and carry its numbers, see qserve.services.opening), and one being served is
left to its staff.
A closure shorter than three hours is a break (lunch), not the end of the day.

A location without opening hours has no closing time: there, a ticket still open a day after it joined is
closed the same way.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import select

from qserve.db import read_session, transaction
from qserve.domain.actors import Actor
from qserve.domain.hours import closure_around, has_hours
from qserve.domain.lifecycle import Action, Status
from qserve.models import Location, Ticket
from qserve.services.transitions import apply_transition

log = logging.getLogger(__name__)
DAY_CLOSED = "closed_for_the_day"  # the cancel reason, a code the pages and messages know
DEFAULT_GRACE = timedelta(hours=1)
WITHOUT_HOURS = timedelta(days=1)
BREAK = timedelta(hours=3)  # closed for less than this (lunch), the day goes on; longer, it has ended
IN_LINE = (Status.WAITING.value, Status.CALLED.value, Status.PARKED.value)


def close_ended_days(now: datetime) -> int:
    """Cancel the tickets left in line at every location whose day has ended; return how many. Only a
    location with such tickets opens a write transaction (on SQLite every one takes the writer's lock)."""
    with read_session() as session:
        location_ids = session.scalars(
            select(Ticket.location_id).where(Ticket.status.in_(IN_LINE)).distinct()
        ).all()
        cutoffs = {
            location.id: cutoff
            for location in session.scalars(select(Location).where(Location.id.in_(location_ids)))
            if (cutoff := day_closed_before(location, now)) is not None
        }
    return sum(_close_location_day(location_id, cutoff, now) for location_id, cutoff in cutoffs.items())


def _close_location_day(location_id: int, cutoff: datetime, now: datetime) -> int:
    with transaction() as tx:
        left = tx.session.scalars(
            select(Ticket)
            .where(Ticket.location_id == location_id, Ticket.status.in_(IN_LINE), Ticket.joined_at < cutoff)
            .order_by(Ticket.id)
        ).all()
        for ticket in left:
            ticket.cancelled_by = Actor.system().label
            ticket.cancel_reason = DAY_CLOSED
            apply_transition(
                tx, ticket, Action.CANCEL, actor=Actor.system(), now=now, details={"reason": DAY_CLOSED}
            )
    if left:
        log.info(
            "closed the day at location %s: %d tickets left in line were cancelled", location_id, len(left)
        )
    return len(left)


def day_closed_before(location: Location, now: datetime) -> datetime | None:
    """Return the moment before which a ticket still in line belongs to a day that has ended (it joined
    before the location last closed for the night, and the grace after closing has run), or None while the
    location is open, closed only for a break, or within that grace."""
    hours = location.opening_hours or {}
    if not has_hours(hours):
        return now - WITHOUT_HOURS
    settings = location.settings or {}
    grace = timedelta(seconds=int(settings.get("end_of_day_grace_s", DEFAULT_GRACE.total_seconds())))
    closed_at, opens_at = closure_around(hours, location.time_zone, now)
    if closed_at is None or now < closed_at + grace:
        return None
    if opens_at is not None and opens_at - closed_at < BREAK:
        return None  # a break (lunch): the day goes on after it
    return closed_at
