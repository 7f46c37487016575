"""Notification use cases: provider status, push subscriptions, timed messages (inbound SMS: inbound.py)."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import delete, distinct, func, select
from sqlalchemy.orm import Session

from qserve.db import read_session, transaction, utcnow
from qserve.domain.errors import Conflict
from qserve.domain.lifecycle import CLOSED_STATUSES, Status
from qserve.models import Location, OutboxMessage, Ticket
from qserve.models.notify import PushSubscription
from qserve.notify.bookings import enqueue_booking_reminders
from qserve.notify.channels import CHANNEL_ORDER
from qserve.notify.outbox import NOTIFICATION, TTL_S
from qserve.notify.policy import public_url
from qserve.notify.subscriptions import check_subscription
from qserve.notify.thresholds import enqueue_threshold_messages

log = logging.getLogger(__name__)

MAX_SUBSCRIPTIONS_PER_TICKET = 5
# Twilio's message statuses in the order they happen; a late callback never moves a row backwards.
STATUS_RANK = {
    "accepted": 0, "scheduled": 0, "queued": 1, "sending": 2, "sent": 3,
    "delivered": 4, "undelivered": 4, "failed": 4, "canceled": 4, "read": 5,
}  # fmt: skip


UNDELIVERED = frozenset({"undelivered", "failed"})


def record_sms_status(
    *, message_sid: str, status: str, error_code: str | None = None, now: datetime | None = None
) -> bool:
    """Store a provider's delivery status on the message it sent; tell whether the message is known.

    An SMS the network could not deliver (a phone switched off abroad, a landline) goes out again by
    e-mail when the customer gave an address and the message still matters.
    """
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
            if status in UNDELIVERED:
                _fall_back_from_sms(tx.session, row, now=now or utcnow())
        return True


def _fall_back_from_sms(session: Session, row: OutboxMessage, *, now: datetime) -> None:
    """Put an undelivered SMS back in the outbox for the channels after SMS (e-mail), once."""
    payload = dict(row.payload or {})
    later = [c for c in CHANNEL_ORDER[CHANNEL_ORDER.index("sms") + 1 :] if c in payload.get("channels", ())]
    if row.status != "sent" or row.channel != "sms" or not later or payload.get("sms_undelivered"):
        return
    ttl_s = TTL_S.get(row.topic)
    if ttl_s is not None and row.sent_at is not None and (now - row.sent_at).total_seconds() > ttl_s:
        return  # "it's your turn" ten minutes late helps nobody
    ticket = session.get(Ticket, row.ticket_id) if row.ticket_id else None
    if ticket is None or not ticket.email:
        return
    row.payload = payload | {"channels": later, "sms_undelivered": True}
    row.status, row.channel, row.next_attempt_at, row.claimed_until = "pending", None, now, None


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
        written += enqueue_booking_reminders(tx.session, now=now, public_url=base_url)
    return written


def pending_count() -> int:
    """Return how many notifications wait to be delivered (for health checks)."""
    with read_session() as session:
        return session.scalar(
            select(func.count(OutboxMessage.id)).where(
                OutboxMessage.kind == NOTIFICATION, OutboxMessage.status == "pending"
            )
        )
