"""Staff-tablet use cases the core does not have: notes, calling a parked ticket back, recent calls."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from qserve.db import transaction
from qserve.domain.actors import Actor
from qserve.domain.errors import Conflict, NotFound, ValidationFailed
from qserve.domain.lifecycle import Action, Status
from qserve.domain.numbering import day_bounds, service_day, spoken_number
from qserve.models import Counter, Location, Ticket, TicketEvent
from qserve.services.transitions import apply_transition

MAX_NOTES = 2000
CALL_ACTIONS = (Action.CALL.value, Action.RECALL.value)
# Look back over this many call events to find the latest calls of distinct tickets.
CALL_SCAN = 60


def _ticket(session: Session, ticket_id: int, actor: Actor) -> Ticket:
    ticket = session.get(Ticket, ticket_id)
    if ticket is None:
        raise NotFound("no such ticket")
    actor.require_location(ticket.location_id, ticket.location.organization_id)
    return ticket


def update_notes(*, ticket_id: int, notes: str, actor: Actor) -> int:
    """Replace the staff notes of a ticket and return its id."""
    if not isinstance(notes, str) or len(notes) > MAX_NOTES:
        raise ValidationFailed(f"notes are text of at most {MAX_NOTES} characters", field="notes")
    try:
        with transaction() as tx:
            ticket = _ticket(tx.session, ticket_id, actor)
            if ticket.personal_data_erased_at is not None:
                raise Conflict("this visit's personal data has been erased")
            ticket.notes = notes.strip()
            return ticket.id
    except StaleDataError as error:
        raise Conflict("someone else has just changed this ticket; try again") from error


def call_back_parked(*, ticket_id: int, counter_id: int, actor: Actor, now: datetime) -> int:
    """Return a parked ticket from hold straight to a counter (resume and call in one transaction)."""
    try:
        with transaction() as tx:
            ticket = _ticket(tx.session, ticket_id, actor)
            counter = tx.session.get(Counter, counter_id)
            if counter is None or counter.location_id != ticket.location_id:
                raise NotFound("no such counter at this ticket's location")
            if ticket.status != Status.PARKED:
                raise Conflict(f"ticket {ticket.number} is no longer on hold")
            busy = tx.session.scalar(
                select(Ticket.number).where(
                    Ticket.location_id == counter.location_id,  # the (location, status) index
                    Ticket.counter_id == counter.id,
                    Ticket.status.in_([Status.CALLED.value, Status.SERVING.value]),
                    Ticket.id != ticket.id,
                )
            )
            if busy:
                raise Conflict(f"finish or park {busy} first")
            ticket.counter_id = None
            ticket.counter = None
            apply_transition(tx, ticket, Action.RESUME, actor=actor, now=now, details={"call_back": True})
            ticket.counter_id = counter.id
            ticket.counter = counter
            ticket.served_by_id = actor.user_id
            ticket.called_at = now
            apply_transition(tx, ticket, Action.CALL, actor=actor, now=now, details={"from_parked": True})
            return ticket.id
    except StaleDataError as error:
        raise Conflict("someone else has just changed this ticket; the list is refreshed") from error


def recent_calls(session: Session, *, location: Location, now: datetime, limit: int = 7) -> list[dict]:
    """Return today's latest calls of distinct tickets at a location, newest first (undone calls left out)."""
    start, _end = day_bounds(service_day(now, location.time_zone), location.time_zone)
    rows = session.execute(
        select(
            TicketEvent.ticket_id,
            TicketEvent.at,
            TicketEvent.action,
            Ticket.number,
            Ticket.service_id,
            Ticket.status,
            Counter.name,
        )
        .join(Ticket, Ticket.id == TicketEvent.ticket_id)
        .outerjoin(Counter, Counter.id == TicketEvent.counter_id)
        .where(
            TicketEvent.location_id == location.id,
            TicketEvent.action.in_(CALL_ACTIONS),
            TicketEvent.at >= start,
        )
        .order_by(TicketEvent.id.desc())
        .limit(CALL_SCAN)
    ).all()
    calls: list[dict] = []
    seen: set[int] = set()
    for row in rows:
        if row.ticket_id in seen:
            continue
        seen.add(row.ticket_id)
        if row.status == Status.WAITING:
            continue  # the call was undone, or the visit went back in line
        calls.append(
            {
                "ticket_id": row.ticket_id,
                "number": row.number,
                "spoken": spoken_number(row.number),
                "counter": row.name,
                "service_id": row.service_id,
                "at": row.at.isoformat(),
                "recall": row.action == Action.RECALL.value,
            }
        )
        if len(calls) >= limit:
            break
    return calls
