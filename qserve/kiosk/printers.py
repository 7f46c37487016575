"""Kiosk printer status: recorded from jobs and polls, alerts to staff, the staff overview."""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from qserve.db import transaction
from qserve.models import OutboxMessage
from qserve.models.kiosk import Kiosk

log = logging.getLogger(__name__)

OK_STATUSES = frozenset({"online", "paper_near_end"})
TROUBLE_STATUSES = frozenset({"paper_out", "cover_open", "offline", "job_failed", "misconfigured"})
ALERT_STATUSES = TROUBLE_STATUSES | {"paper_near_end"}
PROBLEMS = {
    "paper_near_end": "the printer's paper is running low",
    "paper_out": "the printer is out of paper",
    "cover_open": "the printer's cover is open",
    "offline": "the printer is offline or cannot be reached",
    "job_failed": "a print job was cut off",
    "misconfigured": "the printer settings are wrong",
    "online": "the printer works again",
    "unknown": "the printer does not report its status",
}
FRESH = timedelta(seconds=10)  # a printer that just printed needs no status poll


@dataclass(frozen=True)
class PrinterAlert:
    """A change of a kiosk printer's health that staff should see."""

    kiosk: str
    kiosk_id: int
    kiosk_slug: str
    location_id: int
    status: str
    message: str
    ok: bool
    at: str

    def as_dict(self) -> dict:
        """Return the body of the 'printer_alert' Socket.IO event."""
        return asdict(self)


def describe(kiosk_name: str, status: str, detail: str | None = None) -> str:
    """Say in one sentence what is wrong with a kiosk's printer."""
    problem = PROBLEMS.get(status, status.replace("_", " "))
    text = f"{kiosk_name}: {problem}"
    return f"{text} ({detail})" if detail and status in TROUBLE_STATUSES else text


def apply_printer_status(
    session: Session, kiosk: Kiosk, status: str, *, now: datetime, detail: str | None = None
) -> PrinterAlert | None:
    """Record a printer's status on its kiosk; return an alert when it got into or out of trouble."""
    previous = kiosk.printer_status
    kiosk.printer_status_at = now
    if status == "unknown" and previous in TROUBLE_STATUSES:
        return None  # no answer proves no repair: keep the trouble until the printer says otherwise
    kiosk.printer_status = status
    kiosk.printer_message = describe(kiosk.name, status, detail)[:500] if status != "online" else None
    if status == previous or status == "unknown":
        return None
    if status not in ALERT_STATUSES and previous not in ALERT_STATUSES:
        return None
    if status in OK_STATUSES | {"online"}:
        reschedule_pending_jobs(session, kiosk.id, now=now)
    return PrinterAlert(
        kiosk=kiosk.name,
        kiosk_id=kiosk.id,
        kiosk_slug=kiosk.slug,
        location_id=kiosk.location_id,
        status=status,
        message=describe(kiosk.name, status, detail),
        ok=status not in TROUBLE_STATUSES,
        at=now.isoformat(),
    )


def pending_jobs(session: Session, kiosk_id: int) -> list[OutboxMessage]:
    """Return a kiosk's print jobs that still wait to be printed."""
    query = select(OutboxMessage).where(OutboxMessage.kind == "print", OutboxMessage.status == "pending")
    return [job for job in session.scalars(query) if job.payload.get("kiosk_id") == kiosk_id]


def reschedule_pending_jobs(session: Session, kiosk_id: int, *, now: datetime) -> int:
    """Make a recovered printer's waiting jobs due now instead of after their backoff."""
    jobs = pending_jobs(session, kiosk_id)
    for job in jobs:
        job.next_attempt_at = min(job.next_attempt_at, now)
    return len(jobs)


class SocketAlerts:
    """Send printer alerts to the staff tablets of the printer's location."""

    def send(self, alert: PrinterAlert) -> None:
        """Emit 'printer_alert' to the location's staff room."""
        from qserve.extensions import socketio
        from qserve.realtime.rooms import staff_room

        socketio.emit("printer_alert", alert.as_dict(), to=staff_room(alert.location_id), namespace="/staff")


def send_alerts(alerts: list[PrinterAlert | None]) -> None:
    """Hand committed alerts to the app's alert sink; a failed emit is logged, never raised."""
    sink = current_app.extensions.get("qserve.kiosk.alerts")
    for alert in alerts:
        if alert is None or sink is None:
            continue
        try:
            sink.send(alert)
        except Exception:
            log.exception("sending printer alert for kiosk %s failed", alert.kiosk_id)


def poll_printers(*, now: datetime, timeout_s: float = 2.0) -> int:
    """Ask each kiosk printer not heard from lately for its status; return how many were asked."""
    from qserve.printing.devices import PrinterConfigError, query_status

    asked = 0
    for kiosk_id, config in _printers_to_poll(now=now):
        try:
            status = query_status(config, timeout_s=timeout_s).value
        except PrinterConfigError as error:
            status, detail = "misconfigured", str(error)
        else:
            detail = None
        asked += 1
        with transaction() as tx:
            kiosk = tx.session.get(Kiosk, kiosk_id)
            alert = apply_printer_status(tx.session, kiosk, status, now=now, detail=detail)
        send_alerts([alert])
    return asked


def _printers_to_poll(*, now: datetime) -> list[tuple[int, dict]]:
    from qserve.db import read_session

    with read_session() as session:
        kiosks = session.scalars(select(Kiosk).where(Kiosk.is_active.is_(True)).order_by(Kiosk.id))
        due = []
        for kiosk in kiosks:
            if not kiosk.printer or kiosk.printer.get("kind") == "file":  # a file cannot answer
                continue
            heard = kiosk.printer_status_at
            if kiosk.printer_status in OK_STATUSES and heard is not None and now - heard < FRESH:
                continue
            due.append((kiosk.id, dict(kiosk.printer)))
        return due


def printer_overview(session: Session, location_id: int, *, now: datetime) -> list[dict]:
    """Return every kiosk printer of a location with its status, its waiting jobs and today's failures."""
    from qserve.kiosk.kiosks import kiosks_of, public_printer_config

    counts: dict[tuple[int, str], int] = {}
    rows = session.execute(
        select(OutboxMessage.payload, OutboxMessage.status).where(
            OutboxMessage.kind == "print",
            OutboxMessage.status.in_(["pending", "failed"]),
            OutboxMessage.created_at >= now - timedelta(days=1),
        )
    )
    for payload, status in rows:  # JSON cannot be grouped on PostgreSQL; there are few such rows
        key = (payload.get("kiosk_id"), status)
        counts[key] = counts.get(key, 0) + 1
    return [
        {
            "kiosk_id": kiosk.id,
            "kiosk": kiosk.name,
            "slug": kiosk.slug,
            "is_active": kiosk.is_active,
            "printer": public_printer_config(kiosk.printer or {}),
            "status": kiosk.printer_status if kiosk.printer else "none",
            "status_at": kiosk.printer_status_at.isoformat() if kiosk.printer_status_at else None,
            "message": kiosk.printer_message,
            "ok": kiosk.printer_status not in TROUBLE_STATUSES,
            "pending_jobs": counts.get((kiosk.id, "pending"), 0),
            "failed_jobs_24h": counts.get((kiosk.id, "failed"), 0),
        }
        for kiosk in kiosks_of(session, location_id)
    ]
