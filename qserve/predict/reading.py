"""Read what the estimator needs of a location from the database: its counters and whom they serve, its
waiting line and its fairness state, as a QueueSnapshot; and what a newcomer's estimate depends on."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, cast, literal, null, select, union_all
from sqlalchemy.orm import Session

from qserve.domain.lifecycle import Status
from qserve.domain.ordering import Candidate, FairnessKind, FairnessRule
from qserve.models import Counter, Location, Ticket
from qserve.models.organization import counter_services, serving_ids
from qserve.predict.bookings import expected_bookings
from qserve.predict.localtime import local, zone
from qserve.predict.snapshot import CounterState, QueueSnapshot, WaitingTicket
from qserve.services.queue import location_streak

BUSY = (Status.CALLED.value, Status.SERVING.value)


def location_snapshot(
    session: Session, location: Location, waiting: list[Candidate] | list[Ticket], now: datetime
) -> QueueSnapshot:
    """Describe a location now: its counters (open, staff, services, whom they serve), its waiting line and
    the booked customers due soon."""
    tickets = tuple(waiting_ticket(item) for item in waiting)
    rule = FairnessRule.from_settings(location.fairness)
    local_now = local(now, zone(location.time_zone))  # the estimator's hours are the location's
    states = counter_states(session, location.id)
    streak = priority_streak(session, location.id, rule)
    return QueueSnapshot(local_now, states, tickets, rule, streak, expected_bookings(session, location, now))


_TICKETS = Ticket.__table__
_COUNTERS = Counter.__table__


def _busy_with(status: str):
    """The rows of COUNTER_STATES for the tickets of one busy status."""
    return select(
        literal(True),
        _TICKETS.c.counter_id,
        null(),
        null(),
        null(),
        _TICKETS.c.service_id,
        _TICKETS.c.serving_started_at,
    ).where(_TICKETS.c.location_id == bindparam("location_id"), _TICKETS.c.status == status)


# Built once: every join at a location whose line was refreshed a moment ago runs this.
# A location's counters and the tickets they are busy with, in one statement: a row per service each
# counter may serve (one with no service when it serves none), then a row per ticket called to or served
# at one of them (`busy` tells them apart). Each busy status is a lookup of its own: as `status IN (...)`,
# PostgreSQL without statistics yet (a new database) filtered every ticket the location ever had.
COUNTER_STATES = union_all(
    select(
        literal(False).label("busy"),
        _COUNTERS.c.id.label("counter_id"),
        _COUNTERS.c.is_open,
        _COUNTERS.c.staff_id,
        _COUNTERS.c.active_service_ids,
        counter_services.c.service_id,
        cast(null(), _TICKETS.c.serving_started_at.type).label("serving_started_at"),
    )
    .outerjoin(counter_services, counter_services.c.counter_id == _COUNTERS.c.id)
    .where(_COUNTERS.c.location_id == bindparam("location_id")),
    *(_busy_with(status) for status in BUSY),
)


def counter_states(session: Session, location_id: int) -> tuple[CounterState, ...]:
    """Return the state of a location's counters, in id order: open, staff, the services they call from
    and the ticket each is busy with (one small query, no ORM objects)."""
    counters, possible, busy = {}, {}, {}
    for row in session.connection().execute(COUNTER_STATES, {"location_id": location_id}):
        if row.busy:
            busy[row.counter_id] = row
            continue
        counters.setdefault(row.counter_id, row)
        if row.service_id is not None:
            possible.setdefault(row.counter_id, set()).add(row.service_id)
    states = []
    for counter_id in sorted(counters):
        counter, current = counters[counter_id], busy.get(counter_id)
        services = serving_ids(possible.get(counter_id, set()), counter.active_service_ids)
        states.append(
            CounterState(
                counter_id=counter_id,
                service_ids=frozenset(services),
                open=bool(counter.is_open),
                staff_id=counter.staff_id,
                serving_service_id=current.service_id if current is not None else None,
                serving_started_at=current.serving_started_at if current is not None else None,
            )
        )
    return tuple(states)


def waiting_candidates(session: Session, location_id: int) -> list[Candidate]:
    """Return a location's waiting tickets as the call-next rules see them."""
    query = select(
        Ticket.id, Ticket.service_id, Ticket.priority, Ticket.queued_at, Ticket.appointment_at
    ).where(Ticket.location_id == location_id, Ticket.status == Status.WAITING.value)
    return [Candidate(*row) for row in session.execute(query)]


def state_key(snapshot: QueueSnapshot) -> tuple:
    """Return what a newcomer's estimate depends on in a snapshot, apart from the time."""
    waiting = sorted(
        (t.ticket_id, t.service_id, t.priority, t.queued_at, t.appointment_at) for t in snapshot.waiting
    )
    return (tuple(waiting), snapshot.counters, snapshot.rule, snapshot.priority_streak, snapshot.booked)


def waiting_ticket(item: Candidate | Ticket) -> WaitingTicket:
    """Describe a waiting ticket given as the call-next rules' Candidate or as the Ticket row."""
    if isinstance(item, Candidate):
        return WaitingTicket(
            item.ticket_id, item.service_id, item.priority, item.queued_at, item.appointment_at
        )
    return WaitingTicket(
        item.id, item.service_id, item.priority, item.queued_at, item.appointment_at, joined_at=item.joined_at
    )


def priority_streak(session: Session, location_id: int, rule: FairnessRule) -> int:
    """Return how many priority tickets were called in a row, when the location's rule counts them."""
    return location_streak(session, location_id=location_id) if rule.kind == FairnessKind.MAX_IN_ROW else 0
