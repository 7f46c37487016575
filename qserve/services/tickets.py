"""Customer-side use cases: join a queue (its rules are in qserve.services.admission, its writes in
qserve.services.joining), cancel, ask for more time."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from qserve.db import UnitOfWork, transaction
from qserve.domain.actors import Actor
from qserve.domain.contact import normalize_language
from qserve.domain.errors import Conflict, NotFound
from qserve.domain.lifecycle import Action, Status
from qserve.models import Ticket
from qserve.services.joining import AppointmentsOnly, JoinRequest, SiteFull, join_queue_together, join_queues
from qserve.services.transitions import apply_transition

POSTPONE_PLACES = 3


class NobodyBehind(Conflict):
    """More time is asked by the last in line: nobody could go ahead, so nothing would change (409)."""

    code = "nobody_behind"


def issue_ticket(**arguments) -> int:
    """Join a customer to a service's queue and return the new ticket's id (see join_queue)."""
    return join_queue(**arguments)["id"]


def join_queue(*, now: datetime, together: bool = False, **arguments) -> dict:
    """Join a customer to a service's queue and return the new ticket's public view (the fields are those
    of JoinRequest); raise the error that refused it. `together` commits it with the joins arriving at the
    same moment (what a busy endpoint wants); otherwise it has a transaction of its own."""
    request = JoinRequest(now=now, **arguments)
    if together:
        return join_queue_together(request)
    outcome = join_queues([request])[0]
    if isinstance(outcome, Exception):
        raise outcome
    return outcome


def ticket_by_token(session: Session, token: str) -> Ticket:
    """Return the ticket with a public token or raise NotFound."""
    ticket = session.scalar(select(Ticket).where(Ticket.public_token == token))
    if ticket is None:
        raise NotFound("no such ticket")
    return ticket


def cancel_ticket_by_customer(*, token: str, now: datetime, reason: str | None = None) -> int:
    """Cancel a ticket on its holder's request and return its id."""
    with transaction() as tx:
        ticket = ticket_by_token(tx.session, token)
        _cancel(tx, ticket, actor=Actor.customer(), now=now, reason=reason or "customer")
        return ticket.id


def _cancel(tx: UnitOfWork, ticket: Ticket, *, actor: Actor, now: datetime, reason: str) -> None:
    ticket.cancelled_by = actor.label
    ticket.cancel_reason = reason[:500]
    apply_transition(tx, ticket, Action.CANCEL, actor=actor, now=now, details={"reason": reason[:500]})


def postpone_ticket(*, token: str, now: datetime, places: int = POSTPONE_PLACES) -> int:
    """Move a waiting ticket back a few places ("I need more time"), a bounded number of times."""
    try:
        return _postpone(token=token, now=now, places=places)
    except StaleDataError as error:
        raise Conflict("the ticket changed at the same moment; please try again") from error


def _postpone(*, token: str, now: datetime, places: int) -> int:
    from qserve.services.queue import waiting_tickets

    with transaction() as tx:
        ticket = ticket_by_token(tx.session, token)
        limit = ticket.location.settings.get("max_postpones", 2)
        if ticket.status != Status.WAITING:
            raise Conflict("only a waiting ticket can ask for more time")
        if ticket.appointment_at is not None:  # called at its slot, ahead of the walk-ins it would go behind
            raise Conflict("a booked visit is called at its booked time; ask at the desk to change it")
        if ticket.postpone_count >= limit:
            raise Conflict(f"more time can be asked at most {limit} times")
        line = waiting_tickets(tx.session, service_ids=[ticket.service_id])
        # In line order, ties of the clock broken by id as everywhere: one who joined in the same instant
        # but later stands behind.
        behind = sorted(
            (t for t in line if (t.queued_at, t.id) > (ticket.queued_at, ticket.id)),
            key=lambda t: (t.queued_at, t.id),
        )
        if not behind:  # refused, not counted: it must not use up one of the customer's few requests
            raise NobodyBehind(
                "nobody waits behind you yet, so you already have the most time; ask again once others join"
            )
        target = behind[min(places, len(behind)) - 1]
        ticket.queued_at = target.queued_at + timedelta(microseconds=1)
        ticket.postpone_count += 1
        apply_transition(
            tx,
            ticket,
            Action.POSTPONE,
            actor=Actor.customer(),
            now=now,
            details={"moved_behind": len(behind[:places])},
        )
        return ticket.id


def set_ticket_language(*, token: str, language: str, now: datetime) -> int:
    """Remember the language a customer chose on their ticket page, so that notifications use it too."""
    language = normalize_language(language)
    with transaction() as tx:
        ticket = ticket_by_token(tx.session, token)
        if ticket.language != language:
            # A preference, not a step of the visit: a plain UPDATE leaves the optimistic version alone.
            table = Ticket.__table__
            tx.session.execute(table.update().where(table.c.id == ticket.id).values(language=language))
        return ticket.id


__all__ = ["AppointmentsOnly", "NobodyBehind", "SiteFull", "issue_ticket", "join_queue", "ticket_by_token"]
