"""Deliver print jobs from the outbox: claim, render, send, then settle with a retry and backoff."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import Flask
from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from qserve.db import read_session, transaction, utcnow
from qserve.domain.lifecycle import CLOSED_STATUSES
from qserve.kiosk.kiosks import settings_of
from qserve.kiosk.printers import TROUBLE_STATUSES, PrinterAlert, apply_printer_status, send_alerts
from qserve.kiosk.printjobs import PRINT_KIND
from qserve.kiosk.tickets import printable_ticket
from qserve.models import OutboxMessage, Ticket
from qserve.models.kiosk import Kiosk
from qserve.printing.devices import (
    PrinterConfigError,
    PrinterError,
    PrinterJobFailed,
    PrinterPaperOut,
    send_job,
)
from qserve.printing.layout import PrintableTicket, render_escpos
from qserve.printing.status import PrinterStatus

log = logging.getLogger(__name__)

CLAIM = timedelta(seconds=60)  # longer than any send: a claim that runs out means its process died
BACKOFF_S = (2, 5, 10, 20, 30)
MAX_ATTEMPTS = 100  # a safety net; a job normally ends by printing or by expiring (print_expiry_s)
SEND_TIMEOUT_S = 5.0
STATUS_TIMEOUT_S = 1.0


@dataclass(frozen=True)
class Outcome:
    """How one attempt went: printed or not, what the printer said, and whether the job ends here."""

    printed: bool
    printer_status: str | None
    detail: str | None = None
    final: str | None = None  # "failed" or "skipped" ends the job without printing


def deliver_print_jobs(*, now: datetime, limit: int = 20, ticket_ids: list[int] | None = None) -> int:
    """Print the due print jobs, each claimed first so no two processes print it; return how many printed."""
    printed = 0
    troubled: set[int] = set()  # printers that failed in this run wait for their next turn
    for job_id, kiosk_id in _due_jobs(now=now, limit=limit, ticket_ids=ticket_ids):
        if kiosk_id in troubled or not _claim(job_id, now=now):
            continue
        outcome = attempt_print(job_id, now=now)
        send_alerts([_settle(job_id, kiosk_id, outcome, now=now)])
        printed += outcome.printed
        if not outcome.printed and outcome.final != "skipped":
            troubled.add(kiosk_id)
    return printed


def _due_jobs(*, now: datetime, limit: int, ticket_ids: list[int] | None) -> list[tuple[int, int | None]]:
    query = (
        select(OutboxMessage.id, OutboxMessage.payload)
        .where(
            OutboxMessage.kind == PRINT_KIND,
            OutboxMessage.status == "pending",
            OutboxMessage.next_attempt_at <= now,
            or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < now),
        )
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(limit)
    )
    if ticket_ids is not None:
        query = query.where(OutboxMessage.ticket_id.in_(ticket_ids))
    with read_session() as session:
        return [(job_id, payload.get("kiosk_id")) for job_id, payload in session.execute(query)]


def _claim(job_id: int, *, now: datetime) -> bool:
    """Take a job for one attempt with a single conditional UPDATE; False when someone else has it."""
    statement = (
        update(OutboxMessage)
        .where(
            OutboxMessage.id == job_id,
            OutboxMessage.status == "pending",
            OutboxMessage.next_attempt_at <= now,
            or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < now),
        )
        .values(claimed_until=now + CLAIM, attempts=OutboxMessage.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    with transaction() as tx:
        return tx.session.execute(statement).rowcount == 1


def attempt_print(job_id: int, *, now: datetime) -> Outcome:
    """Render a claimed job's ticket as it stands now and send it to its kiosk's printer."""
    with read_session() as session:
        prepared = _prepare(session, session.get(OutboxMessage, job_id), now=now)
    if isinstance(prepared, Outcome):
        return prepared
    config, ticket = prepared
    try:
        data = render_escpos(ticket, profile=config.get("profile"))
        status = send_job(config, data, timeout_s=SEND_TIMEOUT_S, status_timeout_s=STATUS_TIMEOUT_S)
    except PrinterConfigError as error:
        return Outcome(False, "misconfigured", str(error), final="failed")
    except PrinterError as error:
        return Outcome(False, printer_status_of(error), str(error))
    except Exception as error:  # a bug must not keep the job claimed; the outbox retries it
        log.exception("print job %s failed unexpectedly", job_id)
        return Outcome(False, "job_failed", f"{type(error).__name__}: {error}")
    # A printer that cannot report its status still took the whole job: it works.
    return Outcome(True, "online" if status is PrinterStatus.UNKNOWN else status.value)


def _prepare(
    session: Session, job: OutboxMessage, *, now: datetime
) -> Outcome | tuple[dict, PrintableTicket]:
    kiosk = session.get(Kiosk, job.payload.get("kiosk_id"))
    ticket = session.get(Ticket, job.ticket_id) if job.ticket_id else None
    if kiosk is None or not kiosk.printer:
        return Outcome(False, None, "the kiosk has no printer now", final="skipped")
    if ticket is None:
        return Outcome(False, None, "the ticket no longer exists", final="skipped")
    if ticket.status in CLOSED_STATUSES:
        return Outcome(False, None, f"the ticket is {ticket.status}", final="skipped")
    expiry_s = settings_of(kiosk).print_expiry_s
    if now - job.created_at > timedelta(seconds=expiry_s):
        return Outcome(False, None, f"not printed within {expiry_s // 60} min; given up", final="failed")
    return dict(kiosk.printer), printable_ticket(session, ticket, now=now)


def printer_status_of(error: PrinterError) -> str:
    """Name the printer status a failed job reveals."""
    if error.status is not None and error.status.value in TROUBLE_STATUSES:
        return error.status.value
    if isinstance(error, PrinterPaperOut):
        return "paper_out"
    if isinstance(error, PrinterJobFailed):
        return "job_failed"
    return "offline"


def _settle(job_id: int, kiosk_id: int | None, outcome: Outcome, *, now: datetime) -> PrinterAlert | None:
    """Record an attempt on its job and its printer in one transaction; return an alert for staff."""
    with transaction() as tx:
        job = tx.session.get(OutboxMessage, job_id)
        job.claimed_until = None
        if outcome.printed:
            job.status, job.sent_at, job.channel, job.last_error = "sent", now, "printer", None
            job.provider_status = outcome.printer_status
        elif outcome.final:
            job.status, job.last_error = outcome.final, (outcome.detail or "")[:500]
        else:
            job.last_error = (outcome.detail or "print failed")[:500]
            if job.attempts >= MAX_ATTEMPTS:
                job.status = "failed"
            else:
                job.next_attempt_at = now + timedelta(seconds=backoff_s(job.attempts))
        kiosk = tx.session.get(Kiosk, kiosk_id) if isinstance(kiosk_id, int) else None
        if kiosk is None or outcome.printer_status is None:
            return None
        return apply_printer_status(tx.session, kiosk, outcome.printer_status, now=now, detail=outcome.detail)


def backoff_s(attempts: int) -> int:
    """Return the wait before the next attempt after a number of failed ones."""
    return BACKOFF_S[min(max(attempts, 1), len(BACKOFF_S)) - 1]


def kick_delivery(app: Flask, ticket_ids: list[int]) -> None:
    """Try these tickets' print jobs at once in a background task; the outbox retries what fails."""
    if not ticket_ids or not app.config.get("KIOSK_PRINT_ON_COMMIT", True):
        return
    from qserve.extensions import socketio

    socketio.start_background_task(_deliver_in_background, app, list(ticket_ids))


def _deliver_in_background(app: Flask, ticket_ids: list[int]) -> None:
    with app.app_context():
        try:
            deliver_print_jobs(now=utcnow(), ticket_ids=ticket_ids)
        except Exception:
            log.exception("printing tickets %s at once failed; the outbox will retry", ticket_ids)
