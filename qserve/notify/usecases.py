"""Notification use cases: inbound SMS keywords, provider status, push subscriptions, timed messages."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from importlib import import_module

from sqlalchemy import delete, distinct, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from qserve.db import read_session, transaction
from qserve.domain.errors import Conflict, QServeError
from qserve.domain.lifecycle import CLOSED_STATUSES, OPEN_STATUSES, Status
from qserve.models import Location, OutboxMessage, Ticket
from qserve.models.notify import InboundSms, PushSubscription
from qserve.notify.keywords import parse_command, reply_text
from qserve.notify.optouts import forget_opt_out, remember_opt_out
from qserve.notify.outbox import NOTIFICATION
from qserve.notify.policy import public_url
from qserve.notify.subscriptions import check_subscription
from qserve.notify.thresholds import enqueue_appointment_reminders, enqueue_threshold_messages

log = logging.getLogger(__name__)

MAX_SUBSCRIPTIONS_PER_TICKET = 5
# Twilio's message statuses in the order they happen; a late callback never moves a row backwards.
STATUS_RANK = {
    "accepted": 0, "scheduled": 0, "queued": 1, "sending": 2, "sent": 3,
    "delivered": 4, "undelivered": 4, "failed": 4, "canceled": 4, "read": 5,
}  # fmt: skip


@dataclass(frozen=True)
class OpenTicket:
    """The ticket an inbound SMS is about."""

    id: int
    token: str
    number: str
    language: str
    has_appointment: bool


def open_ticket_for_phone(session: Session, phone: str) -> OpenTicket | None:
    """Return the newest open ticket of a phone number."""
    ticket = session.scalars(
        select(Ticket)
        .where(Ticket.phone == phone, Ticket.status.in_([s.value for s in OPEN_STATUSES]))
        .order_by(Ticket.joined_at.desc(), Ticket.id.desc())
        .limit(1)
    ).first()
    if ticket is None:
        return None
    return OpenTicket(
        ticket.id, ticket.public_token, ticket.number, ticket.language, ticket.appointment_at is not None
    )


def handle_inbound_sms(*, message_sid: str, phone: str, body: str, now: datetime) -> str:
    """Act once on an inbound SMS keyword (CANCEL, LATE, HERE, STOP, START) and return the reply text."""
    command, keyword_language = parse_command(body)
    with read_session() as session:
        earlier = session.scalar(select(InboundSms.reply).where(InboundSms.message_sid == message_sid))
        if earlier is not None:
            return earlier  # the provider retried the webhook: answer the same, act no more
        ticket = open_ticket_for_phone(session, phone)
    language = ticket.language if ticket else (keyword_language or "en")
    reply = ACTIONS[command](ticket=ticket, phone=phone, now=now, language=language)
    with transaction() as tx:
        dialect = tx.session.get_bind().dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        values = {"message_sid": message_sid, "phone": phone, "command": command, "reply": reply[:500]}
        values |= {"ticket_id": ticket.id if ticket else None, "received_at": now}
        tx.session.execute(
            insert(InboundSms.__table__)
            .values(**values)
            .on_conflict_do_nothing(index_elements=["message_sid"])
        )
    return reply


def _cancel(*, ticket: OpenTicket | None, phone: str, now: datetime, language: str) -> str:
    from qserve.services.tickets import cancel_ticket_by_customer

    if ticket is None:
        return reply_text("no_ticket", language)
    try:
        cancel_ticket_by_customer(token=ticket.token, now=now, reason="sms")
    except QServeError:
        return reply_text("refused", language, number=ticket.number)
    return reply_text("cancelled", language, number=ticket.number)


def _late(*, ticket: OpenTicket | None, phone: str, now: datetime, language: str) -> str:
    from qserve.services.tickets import postpone_ticket

    if ticket is None:
        return reply_text("no_ticket", language)
    try:
        postpone_ticket(token=ticket.token, now=now)
    except QServeError:
        return reply_text("refused", language, number=ticket.number)
    return reply_text("postponed", language, number=ticket.number)


def check_in_service():
    """Return the appointment check-in use case when the appointments package provides it."""
    for module_name in (
        "qserve.services.appointments",
        "qserve.appointments.services",
        "qserve.services.tickets",
    ):
        try:
            return import_module(module_name).check_in_appointment
        except (ModuleNotFoundError, AttributeError):
            continue
    return None


def _here(*, ticket: OpenTicket | None, phone: str, now: datetime, language: str) -> str:
    if ticket is None:
        return reply_text("no_ticket", language)
    check_in = check_in_service()
    if not ticket.has_appointment or check_in is None:
        return reply_text("here_desk", language, number=ticket.number)
    try:
        check_in(token=ticket.token, now=now)
    except QServeError:
        return reply_text("here_desk", language, number=ticket.number)
    return reply_text("here", language, number=ticket.number)


def _stop(*, ticket: OpenTicket | None, phone: str, now: datetime, language: str) -> str:
    with transaction() as tx:
        remember_opt_out(tx.session, phone=phone, now=now)
    return reply_text("stopped", language)


def _start(*, ticket: OpenTicket | None, phone: str, now: datetime, language: str) -> str:
    with transaction() as tx:
        forget_opt_out(tx.session, phone=phone)
    return reply_text("started", language)


def _help(*, ticket: OpenTicket | None, phone: str, now: datetime, language: str) -> str:
    return reply_text("help", language)


ACTIONS = {"cancel": _cancel, "late": _late, "here": _here, "stop": _stop, "start": _start, "help": _help}


def record_sms_status(*, message_sid: str, status: str, error_code: str | None = None) -> bool:
    """Store a provider's delivery status on the message it sent; tell whether the message is known."""
    status = (status or "").lower()[:32]
    with transaction() as tx:
        row = tx.session.scalars(
            select(OutboxMessage).where(
                OutboxMessage.provider_message_id == message_sid, OutboxMessage.kind == NOTIFICATION
            )
        ).first()
        if row is None:
            return False
        if STATUS_RANK.get(status, 0) >= STATUS_RANK.get(row.provider_status or "", -1):
            row.provider_status = status
            if error_code:
                row.last_error = f"provider: {status} (error {error_code})"[:500]
        return True


def add_push_subscription(
    *, token: str, subscription: dict, now: datetime, allow_insecure: bool = False
) -> tuple[int, bool]:
    """Store a browser's push subscription for a ticket; return its id and whether it is new."""
    from qserve.services.tickets import ticket_by_token

    endpoint, p256dh, auth = check_subscription(subscription, allow_insecure=allow_insecure)
    with transaction() as tx:
        ticket = ticket_by_token(tx.session, token)
        if ticket.status in CLOSED_STATUSES:
            raise Conflict("this ticket is closed; it gets no more notifications")
        existing = tx.session.scalar(select(PushSubscription).where(PushSubscription.endpoint == endpoint))
        if existing is not None:  # the same browser, maybe for a new ticket: move it
            existing.ticket_id, existing.p256dh, existing.auth = ticket.id, p256dh, auth
            return existing.id, False
        _drop_oldest(tx.session, ticket.id)
        subscription_row = PushSubscription(
            ticket_id=ticket.id, endpoint=endpoint, p256dh=p256dh, auth=auth, created_at=now
        )
        tx.session.add(subscription_row)
        tx.session.flush()
        return subscription_row.id, True


def _drop_oldest(session: Session, ticket_id: int) -> None:
    ids = list(
        session.scalars(
            select(PushSubscription.id)
            .where(PushSubscription.ticket_id == ticket_id)
            .order_by(PushSubscription.id)
        )
    )
    if len(ids) >= MAX_SUBSCRIPTIONS_PER_TICKET:
        stale = ids[: len(ids) - MAX_SUBSCRIPTIONS_PER_TICKET + 1]
        session.execute(delete(PushSubscription).where(PushSubscription.id.in_(stale)))


def enqueue_timed_messages(*, now: datetime) -> int:
    """Write the messages that time alone makes due: time left as estimates run down, reminders."""
    with read_session() as session:
        location_ids = list(
            session.scalars(select(distinct(Ticket.location_id)).where(Ticket.status == Status.WAITING))
        )
    base_url = public_url()
    written = 0
    for location_id in location_ids:
        with transaction() as tx:
            location = tx.session.get(Location, location_id)
            written += enqueue_threshold_messages(tx.session, location=location, now=now, public_url=base_url)
    with transaction() as tx:
        written += enqueue_appointment_reminders(tx.session, now=now, public_url=base_url)
    return written


def pending_count() -> int:
    """Return how many notifications wait to be delivered (for health checks)."""
    with read_session() as session:
        return session.scalar(
            select(func.count(OutboxMessage.id)).where(
                OutboxMessage.kind == NOTIFICATION, OutboxMessage.status == "pending"
            )
        )
