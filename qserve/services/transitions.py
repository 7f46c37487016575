"""Apply one lifecycle transition to a ticket: check it, log it, record its event."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert

from qserve.db import UnitOfWork
from qserve.domain import events as ev
from qserve.domain.actors import Actor
from qserve.domain.lifecycle import CLOSED_STATUSES, Action, check_transition
from qserve.models import Ticket, TicketEvent

INSERT_EVENTS = insert(TicketEvent.__table__)  # built once: a join pays only for running it

EVENT_OF_ACTION: dict[Action, type[ev.TicketChanged]] = {
    Action.CALL: ev.TicketCalled,
    Action.RECALL: ev.TicketCalled,
    Action.START: ev.TicketServingStarted,
    Action.FINISH: ev.TicketFinished,
    Action.NO_SHOW: ev.TicketMarkedNoShow,
    Action.PARK: ev.TicketParked,
    Action.RESUME: ev.TicketResumed,
    Action.REACTIVATE: ev.TicketResumed,
    Action.TRANSFER: ev.TicketTransferred,
    Action.CANCEL: ev.TicketCancelled,
    Action.POSTPONE: ev.TicketPostponed,
    Action.REQUEUE: ev.TicketResumed,
}


def apply_transition(
    uow: UnitOfWork,
    ticket: Ticket,
    action: Action,
    *,
    actor: Actor,
    now: datetime,
    details: dict | None = None,
    previous_service_id: int | None = None,
) -> ev.TicketChanged:
    """Move a ticket by an action, append it to the event log and record the domain event."""
    from_status = ticket.status
    to_status = check_transition(action, from_status)
    uow.keep(ticket)
    ticket.status = to_status.value
    if to_status in CLOSED_STATUSES:
        ticket.closed_at = now
    moved = {"action": action.value, "from_status": from_status, "to_status": to_status.value}
    uow.session.add(TicketEvent(**_log_entry(ticket, **moved, actor=actor, now=now, details=details or {})))
    event = EVENT_OF_ACTION[action](
        **_event_fields(ticket, **moved, details=details or {}),
        counter_id=ticket.counter_id,
        counter_name=ticket.counter.name if ticket.counter else None,
        previous_service_id=previous_service_id,
    )
    uow.record(event)
    return event


@dataclass(frozen=True)
class IssueEntry:
    """A ticket just inserted, who issued it, when, and what its first event-log entry adds."""

    ticket: Ticket
    actor: Actor
    now: datetime
    details: dict | None = None
    position: int | None = None  # the place its join gave it (None when it is not in line)
    people_ahead: int | None = None


def log_issues(uow: UnitOfWork, entries: list[IssueEntry]) -> None:
    """Write the first event-log entries of new tickets with one executemany INSERT and record their
    TicketIssued events, in order."""
    rows = []
    for entry in entries:
        ticket = entry.ticket
        issued = {"action": "issue", "from_status": None, "to_status": ticket.status}
        details = {"channel": ticket.channel} | (entry.details or {})
        rows.append(_log_entry(ticket, **issued, actor=entry.actor, now=entry.now, details=details))
        uow.record(
            ev.TicketIssued(
                **_event_fields(ticket, **issued, details=details),
                at_back=ticket.stands_at_back,
                position=entry.position,
                people_ahead=entry.people_ahead,
                contact=ticket.has_contact,
            )
        )
    if rows:
        uow.session.connection().execute(INSERT_EVENTS, rows)


def _log_entry(
    ticket: Ticket, *, action: str, from_status, to_status: str, actor: Actor, now: datetime, details: dict
) -> dict:
    """Return the columns of a ticket's event-log entry for one step."""
    return {
        "ticket_id": ticket.id,
        "location_id": ticket.location_id,
        "at": now,
        "action": action,
        "from_status": from_status,
        "to_status": to_status,
        "actor_kind": actor.kind,
        "actor_user_id": actor.user_id,
        "counter_id": ticket.counter_id,
        "service_id": ticket.service_id,
        "details": details,
    }


def _event_fields(ticket: Ticket, *, action: str, from_status, to_status: str, details: dict) -> dict:
    """Return what every TicketChanged event of a step says about its ticket."""
    return {
        "ticket_id": ticket.id,
        "token": ticket.public_token,
        "location_id": ticket.location_id,
        "service_id": ticket.service_id,
        "number": ticket.number,
        "action": action,
        "from_status": from_status,
        "to_status": to_status,
        "details": details,
    }
