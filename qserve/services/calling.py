"""Staff use cases on tickets: call next, call one, recall, start, finish, no-show, park, transfer, cancel."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from qserve.db import UnitOfWork, is_transient, transaction
from qserve.domain.actors import Actor
from qserve.domain.errors import Conflict, NotFound, ValidationFailed
from qserve.domain.events import CounterChanged
from qserve.domain.lifecycle import Action, Status
from qserve.domain.ordering import FairnessRule, queue_order
from qserve.models import Counter, Service, Ticket
from qserve.services.queue import HEAD_SIZE, head_candidates, location_streak, waiting_candidates
from qserve.services.transitions import apply_transition

CALL_ATTEMPTS = 8


def _counter(session: Session, counter_id: int, actor: Actor) -> Counter:
    counter = session.get(Counter, counter_id)
    if counter is None:
        raise NotFound("no such counter")
    actor.require_location(counter.location_id, counter.location.organization_id)
    return counter


def _ticket(session: Session, ticket_id: int, actor: Actor) -> Ticket:
    ticket = session.get(Ticket, ticket_id)
    if ticket is None:
        raise NotFound("no such ticket")
    actor.require_location(ticket.location_id, ticket.location.organization_id)
    return ticket


def _close_current(tx: UnitOfWork, counter: Counter, *, actor: Actor, now: datetime) -> None:
    """Finish whatever the counter is still on, so that calling next moves the line on."""
    query = select(Ticket).where(
        Ticket.location_id == counter.location_id,  # the (location, status) index: not the whole history
        Ticket.counter_id == counter.id,
        Ticket.status.in_([Status.CALLED.value, Status.SERVING.value]),
    )
    for current in tx.session.scalars(query):
        current.finished_at = now
        apply_transition(tx, current, Action.FINISH, actor=actor, now=now, details={"auto": True})


def _staff_counter(tx: UnitOfWork, counter: Counter, *, actor: Actor, now: datetime) -> None:
    """Calling from a closed counter opens it for the caller."""
    if counter.is_open and counter.staff_id == actor.user_id:
        return
    counter.is_open = True
    counter.staff_id = actor.user_id
    counter.opened_at = now
    tx.record(CounterChanged(counter_id=counter.id, location_id=counter.location_id, is_open=True))


def _mark_called(
    tx: UnitOfWork, ticket: Ticket, counter: Counter, *, actor: Actor, now: datetime, details=None
):
    ticket.counter_id = counter.id
    ticket.counter = counter
    ticket.served_by_id = actor.user_id
    ticket.called_at = now
    apply_transition(tx, ticket, Action.CALL, actor=actor, now=now, details=details)


def call_next(*, counter_id: int, actor: Actor, now: datetime) -> int | None:
    """Call the next customer to a counter and return the ticket id, or None when nobody waits."""
    for _attempt in range(CALL_ATTEMPTS):
        try:
            with transaction() as tx:
                counter = _counter(tx.session, counter_id, actor)
                _staff_counter(tx, counter, actor=actor, now=now)
                _close_current(tx, counter, actor=actor, now=now)
                ticket = _claim_next(tx.session, counter, now=now)
                if ticket is None:
                    return None
                _mark_called(tx, ticket, counter, actor=actor, now=now)
                return ticket.id
        except StaleDataError:
            continue  # another counter won that ticket: choose again
        except OperationalError as error:
            if not is_transient(error):
                raise
            continue
    raise Conflict("the queue is very busy; please call again")


def _claim_next(session: Session, counter: Counter, *, now: datetime) -> Ticket | None:
    """Walk the call order and lock the first ticket that is still waiting once its row lock is ours.

    Only the head of a long line is read; should every ticket there be gone (counters racing), the whole
    line is read and walked."""
    rule = FairnessRule.from_settings(counter.location.fairness)
    streak = location_streak(session, location_id=counter.location_id)
    service_ids = counter.serving_service_ids()
    candidates, whole = head_candidates(session, service_ids=service_ids, now=now, limit=HEAD_SIZE)
    tried: set[int] = set()
    while True:
        order = queue_order(candidates, rule=rule, now=now, priority_streak=streak)
        if not whole:
            order = order[:HEAD_SIZE]  # beyond it, a ticket not read could come first
        for candidate in order:
            if candidate.ticket_id in tried:
                continue
            tried.add(candidate.ticket_id)
            # FOR UPDATE waits for a competing counter (PostgreSQL); SQLite's BEGIN IMMEDIATE serialises.
            locked = session.scalars(
                select(Ticket)
                .where(Ticket.id == candidate.ticket_id)
                .with_for_update(of=Ticket.__table__, key_share=True)
                .execution_options(populate_existing=True)
            ).one()
            if locked.status == Status.WAITING:
                return locked
        if whole:
            return None
        candidates, whole = waiting_candidates(session, service_ids=service_ids), True


def call_ticket(*, ticket_id: int, counter_id: int, actor: Actor, now: datetime, reason: str) -> int:
    """Call one waiting ticket out of order, recording why."""
    if not reason or not reason.strip():
        raise ValidationFailed("say why this ticket is called out of order", field="reason")
    try:
        with transaction() as tx:
            counter = _counter(tx.session, counter_id, actor)
            ticket = _ticket(tx.session, ticket_id, actor)
            if ticket.location_id != counter.location_id:
                raise Conflict("that ticket waits at another location")
            _staff_counter(tx, counter, actor=actor, now=now)
            _close_current(tx, counter, actor=actor, now=now)
            _mark_called(
                tx, ticket, counter, actor=actor, now=now, details={"out_of_order": reason.strip()[:500]}
            )
            return ticket.id
    except StaleDataError as error:
        raise Conflict("another counter has just called this ticket") from error


def act_on_ticket(
    *,
    ticket_id: int,
    action: str,
    actor: Actor,
    now: datetime,
    service_id: int | None = None,
    keep_place: bool = True,
    reason: str | None = None,
) -> int:
    """Apply a staff action (recall, start, finish, no-show, park, resume, transfer, cancel ...)."""
    try:
        operation = OPERATIONS[Action(action)]
    except (ValueError, KeyError) as error:
        raise NotFound(f"there is no action {action!r} for tickets") from error
    try:
        with transaction() as tx:
            ticket = _ticket(tx.session, ticket_id, actor)
            operation(
                tx, ticket, actor=actor, now=now, service_id=service_id, keep_place=keep_place, reason=reason
            )
            return ticket.id
    except StaleDataError as error:
        raise Conflict("someone else has just changed this ticket; the list is refreshed") from error


def _recall(tx, ticket, *, actor, now, **_):
    ticket.recall_count += 1
    apply_transition(tx, ticket, Action.RECALL, actor=actor, now=now, details={"recall": ticket.recall_count})


def _start(tx, ticket, *, actor, now, **_):
    ticket.serving_started_at = now
    ticket.served_by_id = actor.user_id or ticket.served_by_id
    apply_transition(tx, ticket, Action.START, actor=actor, now=now)


def _finish(tx, ticket, *, actor, now, **_):
    ticket.finished_at = now
    apply_transition(tx, ticket, Action.FINISH, actor=actor, now=now)


def _no_show(tx, ticket, *, actor, now, **_):
    grace_s = int(ticket.location.settings.get("no_show_grace_s", 0))
    if (
        ticket.status == Status.CALLED
        and ticket.called_at
        and (now - ticket.called_at).total_seconds() < grace_s
    ):
        left = grace_s - int((now - ticket.called_at).total_seconds())
        raise Conflict(f"give the customer {left} more seconds before marking a no-show")
    apply_transition(tx, ticket, Action.NO_SHOW, actor=actor, now=now)


def _park(tx, ticket, *, actor, now, reason=None, **_):
    apply_transition(
        tx, ticket, Action.PARK, actor=actor, now=now, details={"reason": reason} if reason else None
    )


def _resume(tx, ticket, *, actor, now, **_):
    ticket.counter_id = None
    ticket.counter = None
    apply_transition(tx, ticket, Action.RESUME, actor=actor, now=now)


def _reactivate(tx, ticket, *, actor, now, **_):
    ticket.closed_at = None
    ticket.counter_id = None
    ticket.counter = None
    apply_transition(tx, ticket, Action.REACTIVATE, actor=actor, now=now)


def _requeue(tx, ticket, *, actor, now, **_):
    ticket.counter_id = None
    ticket.counter = None
    ticket.called_at = None
    apply_transition(tx, ticket, Action.REQUEUE, actor=actor, now=now, details={"undo": "call"})


def _transfer(tx, ticket, *, actor, now, service_id=None, keep_place=True, **_):
    target = tx.session.get(Service, service_id) if service_id is not None else None
    if target is None or target.location_id != ticket.location_id:
        raise ValidationFailed("choose a service of this location to transfer to", field="service_id")
    if target.id == ticket.service_id:
        raise ValidationFailed("the ticket is already in that service", field="service_id")
    previous = ticket.service_id
    ticket.service_id = target.id
    ticket.service = target
    ticket.counter_id = None
    ticket.counter = None
    ticket.called_at = None
    ticket.serving_started_at = None
    if not keep_place:
        ticket.queued_at = now
    apply_transition(
        tx,
        ticket,
        Action.TRANSFER,
        actor=actor,
        now=now,
        previous_service_id=previous,
        details={"from_service_id": previous, "to_service_id": target.id, "keep_place": keep_place},
    )


def _cancel(tx, ticket, *, actor, now, reason=None, **_):
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed("say why the ticket is cancelled", field="reason")
    ticket.cancelled_by = actor.label
    ticket.cancel_reason = reason[:500]
    apply_transition(tx, ticket, Action.CANCEL, actor=actor, now=now, details={"reason": reason[:500]})


OPERATIONS = {
    Action.RECALL: _recall,
    Action.START: _start,
    Action.FINISH: _finish,
    Action.NO_SHOW: _no_show,
    Action.PARK: _park,
    Action.RESUME: _resume,
    Action.REACTIVATE: _reactivate,
    Action.REQUEUE: _requeue,
    Action.TRANSFER: _transfer,
    Action.CANCEL: _cancel,
}
