"""Print jobs in the outbox: written with the ticket, reprinted on staff request, followed by the kiosk."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from qserve.db import UnitOfWork, transaction
from qserve.domain.actors import Actor
from qserve.domain.errors import Conflict, NotFound
from qserve.domain.events import DomainEvent, TicketIssued
from qserve.domain.lifecycle import CLOSED_STATUSES
from qserve.models import OutboxMessage, Ticket
from qserve.models.kiosk import Kiosk

PRINT_KIND = "print"
PRINT_TOPIC = "ticket"


def print_jobs_query(ticket_id: int):
    """Return the query of a ticket's print jobs, newest first."""
    return (
        select(OutboxMessage)
        .where(OutboxMessage.kind == PRINT_KIND, OutboxMessage.ticket_id == ticket_id)
        .order_by(OutboxMessage.id.desc())
    )


def add_print_job(
    session: Session, *, ticket_id: int, kiosk_id: int, now: datetime, requested_by: str | None = None
) -> OutboxMessage:
    """Write one print job (the next copy of a ticket) into the outbox of the current transaction."""
    copies = session.scalar(
        select(func.count(OutboxMessage.id)).where(
            OutboxMessage.kind == PRINT_KIND, OutboxMessage.ticket_id == ticket_id
        )
    )
    copy = (copies or 0) + 1
    job = OutboxMessage(
        kind=PRINT_KIND,
        topic=PRINT_TOPIC,
        dedupe_key=f"print:ticket:{ticket_id}:{copy}",
        ticket_id=ticket_id,
        payload={"kiosk_id": kiosk_id, "copy": copy, "requested_by": requested_by},
        status="pending",
        attempts=0,
        created_at=now,
        next_attempt_at=now,
    )
    session.add(job)
    return job


def on_ticket_issued(event: DomainEvent, uow: UnitOfWork) -> None:
    """Queue the print job of a ticket issued at a kiosk that has a printer (in the issuing transaction)."""
    if not isinstance(event, TicketIssued):
        return
    kiosk_id = (event.details or {}).get("kiosk_id")
    if not isinstance(kiosk_id, int):
        return
    kiosk = uow.session.get(Kiosk, kiosk_id)
    if kiosk is None or not kiosk.printer:
        return
    ticket = uow.session.get(Ticket, event.ticket_id)
    add_print_job(uow.session, ticket_id=event.ticket_id, kiosk_id=kiosk_id, now=ticket.joined_at)


def kiosk_ticket_ids(events: list[DomainEvent]) -> list[int]:
    """Return the ids of tickets issued at a kiosk among committed events."""
    return [
        event.ticket_id
        for event in events
        if isinstance(event, TicketIssued) and isinstance((event.details or {}).get("kiosk_id"), int)
    ]


def ensure_print_job(*, ticket_id: int, kiosk_id: int, now: datetime) -> bool:
    """Queue a ticket's first print job at a kiosk unless it has one; tell whether one was added."""
    with transaction() as tx:
        kiosk = tx.session.get(Kiosk, kiosk_id)
        if kiosk is None or not kiosk.printer:
            return False
        if tx.session.scalar(print_jobs_query(ticket_id).limit(1)) is not None:
            return False
        add_print_job(tx.session, ticket_id=ticket_id, kiosk_id=kiosk_id, now=now)
        return True


def reprint_ticket(*, ticket_id: int, actor: Actor, now: datetime, kiosk_id: int | None = None) -> dict:
    """Queue another copy of a ticket on a kiosk printer of its location, on a staff member's request."""
    with transaction() as tx:
        ticket = tx.session.get(Ticket, ticket_id)
        if ticket is None:
            raise NotFound("no such ticket")
        actor.require_location(ticket.location_id, ticket.location.organization_id)
        if ticket.status in CLOSED_STATUSES:
            raise Conflict(f"ticket {ticket.number} is {ticket.status}; there is nothing to reprint")
        kiosk = _reprint_kiosk(tx.session, ticket, kiosk_id)
        job = add_print_job(
            tx.session, ticket_id=ticket.id, kiosk_id=kiosk.id, now=now, requested_by=actor.label
        )
        tx.session.flush()
        return {"job_id": job.id, "ticket_id": ticket.id, "kiosk": kiosk.slug, "copy": job.payload["copy"]}


def _reprint_kiosk(session: Session, ticket: Ticket, kiosk_id: int | None) -> Kiosk:
    """Choose the printer: the one asked for, else the one that printed the ticket, else the location's."""
    if kiosk_id is not None:
        kiosk = session.get(Kiosk, kiosk_id)
        if kiosk is None or kiosk.location_id != ticket.location_id or not kiosk.printer:
            raise NotFound("no kiosk printer with this id at the ticket's location", field="kiosk_id")
        return kiosk
    last = session.scalar(print_jobs_query(ticket.id).limit(1))
    if last is not None:
        kiosk = session.get(Kiosk, last.payload.get("kiosk_id"))
        if kiosk is not None and kiosk.printer and kiosk.is_active:
            return kiosk
    candidates = session.scalars(
        select(Kiosk)
        .where(Kiosk.location_id == ticket.location_id, Kiosk.is_active.is_(True))
        .order_by(Kiosk.id)
    )
    with_printer = [kiosk for kiosk in candidates if kiosk.printer]
    if not with_printer:
        raise NotFound("this location has no kiosk printer")
    working = [kiosk for kiosk in with_printer if kiosk.printer_status in ("online", "paper_near_end")]
    return (working or with_printer)[0]


def print_state(session: Session, ticket_id: int) -> dict:
    """Say how printing a ticket goes: none, printing, printed or failed (and whether it is retried)."""
    job = session.scalar(print_jobs_query(ticket_id).limit(1))
    if job is None:
        return {"state": "none", "retrying": False}
    if job.status == "sent":
        return {"state": "printed", "retrying": False}
    if job.status == "pending":
        failed = bool(job.last_error)
        return {"state": "failed" if failed else "printing", "retrying": failed}
    return {"state": "failed", "retrying": False}
