"""A claimed notification with everything needed to send it, read while the claim's transaction is open."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from qserve.domain.lifecycle import CLOSED_STATUSES, Status
from qserve.models import OutboxMessage, Ticket
from qserve.models.appointment import Appointment
from qserve.models.notify import PushSubscription
from qserve.notify.channels import Outgoing, PushTarget, Recipient
from qserve.notify.messages import render
from qserve.notify.optouts import is_opted_out

CALL_KINDS = frozenset({"called", "recalled", "no_show_warning"})
WAITING_KINDS = frozenset({"position_reached", "time_left", "moved_by_staff"})
AFTER_CLOSE_KINDS = frozenset({"feedback", "cancelled_by_staff", "closed_for_the_day"})


@dataclass(frozen=True)
class Job:
    """A claimed outbox row, detached from the database."""

    message_id: int
    lease_until: datetime
    attempts: int
    payload: dict
    channels: tuple[str, ...]
    recipient: Recipient
    message: Outgoing | None
    skip_reason: str | None = None


def skip_reason(kind: str, ticket: Ticket | None) -> str | None:
    """Say why a message is no longer worth sending (the ticket moved on), or None to send it."""
    if ticket is None:
        return "the ticket no longer exists"
    if ticket.personal_data_erased_at is not None:
        return "the customer's data was erased"
    if kind in AFTER_CLOSE_KINDS:
        return None
    if ticket.status in CLOSED_STATUSES:
        return f"the ticket is closed ({ticket.status})"
    if kind in CALL_KINDS and ticket.status != Status.CALLED:
        return f"the ticket is no longer called ({ticket.status})"
    if kind in WAITING_KINDS and ticket.status != Status.WAITING:
        return f"the ticket is no longer waiting ({ticket.status})"
    return None


def booking_skip_reason(kind: str, appointment: Appointment | None, now: datetime) -> str | None:
    """Say why a booking message is no longer worth sending, or None to send it."""
    if appointment is None:
        return "the booking no longer exists"
    if appointment.status != "booked":
        return f"the booking is {appointment.status.replace('_', '-')}"
    if kind == "appointment_reminder" and appointment.starts_at <= now:
        return "the booked time has passed"
    return None


def load_job(session: Session, message_id: int, *, lease_until: datetime, now: datetime) -> Job:
    """Read a claimed row, its ticket (or booking) and the customer's addresses, and render the message."""
    row = session.get(OutboxMessage, message_id, populate_existing=True)
    payload = dict(row.payload or {})
    channels = tuple(payload.get("channels", ()))
    if row.ticket_id is None and payload.get("appointment_id"):
        subject = session.get(Appointment, payload["appointment_id"])
        reason = booking_skip_reason(row.topic, subject, now)
    else:
        subject = session.get(Ticket, row.ticket_id) if row.ticket_id else None
        reason = skip_reason(row.topic, subject)
    if reason is not None:
        return Job(message_id, lease_until, row.attempts, payload, channels, Recipient(None), None, reason)
    recipient = _recipient(session, subject, channels)
    try:
        message = _outgoing(row, payload)
    except (KeyError, ValueError, IndexError) as error:  # a payload the texts cannot fill: never sendable
        reason = f"cannot render {row.topic}: {error!r}"
        return Job(message_id, lease_until, row.attempts, payload, channels, recipient, None, reason)
    return Job(message_id, lease_until, row.attempts, payload, channels, recipient, message)


def _recipient(session: Session, subject: Ticket | Appointment, channels: tuple[str, ...]) -> Recipient:
    """Return the addresses of a ticket's or a booking's customer (a booking has no push subscription)."""
    phone = subject.phone if "sms" in channels else None
    if phone and is_opted_out(session, phone):
        phone = None  # STOP is kept for the number
    email = subject.email if "email" in channels else None
    if not isinstance(subject, Ticket):
        return Recipient(None, phone=phone, email=email)
    ticket = subject
    subscriptions: tuple[PushTarget, ...] = ()
    if "push" in channels:
        rows = session.scalars(
            select(PushSubscription)
            .where(PushSubscription.ticket_id == ticket.id)
            .order_by(PushSubscription.id)
        )
        subscriptions = tuple(PushTarget(s.id, s.endpoint, s.p256dh, s.auth) for s in rows)
    return Recipient(ticket.id, phone=phone, email=email, subscriptions=subscriptions)


def _outgoing(row: OutboxMessage, payload: dict) -> Outgoing:
    language = payload.get("language", "en")
    rendered = render(row.topic, language, payload.get("fields", {}), payload.get("url"))
    return Outgoing(
        dedupe_key=row.dedupe_key,
        kind=row.topic,
        language=language,
        title=rendered.title,
        text=rendered.text,
        sms_text=rendered.sms_text,
        html=rendered.html,
        url=payload.get("url"),
        page_url=payload.get("page_url"),
        urgent=bool(payload.get("urgent")),
        ttl_s=int(payload.get("ttl_s", 900)),
        unclear_channels=tuple(payload.get("unclear_channels", ())),
        tag=payload.get("tag"),
        created_at=row.created_at,
    )
