"""Writing notifications into the outbox: per-location settings, payloads, and inserts that ignore repeats."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import exists, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from qserve.models import Location, OutboxMessage, Ticket
from qserve.models.appointment import Appointment
from qserve.models.notify import PushSubscription
from qserve.notify.channels import CHANNEL_ORDER

NOTIFICATION = "notification"  # OutboxMessage.kind of every row this package writes and delivers

DEFAULTS: dict = {
    "push": True,
    "sms": True,
    "email": True,
    "position_thresholds": [5, 2],
    "time_left_s": [600],
    "reminders_s": [86400, 3600],  # appointment reminders: a day and an hour before
    "feedback": True,
    "feedback_delay_s": 0,
    "no_show_warning_at_recall": 2,  # the second recall is the last call
    "sms_kinds": None,  # None: every kind may go by SMS; a list limits SMS (and its cost) to those kinds
}

URGENT_KINDS = frozenset({"called", "recalled", "no_show_warning"})
TTL_S = {"called": 300, "recalled": 300, "no_show_warning": 300, "position_reached": 900, "time_left": 900}
DAY_S = 86400


def notification_settings(location: Location) -> dict:
    """Return a location's notification settings with defaults filled in."""
    stored = (location.settings or {}).get("notifications") or {}
    return DEFAULTS | {key: value for key, value in stored.items() if key in DEFAULTS}


def allowed_channels(settings: dict, kind: str) -> list[str]:
    """Return the channels a kind of message may use at a location, in delivery order."""
    sms_kinds = settings.get("sms_kinds")
    return [
        name
        for name in CHANNEL_ORDER
        if settings.get(name) and not (name == "sms" and sms_kinds is not None and kind not in sms_kinds)
    ]


def is_reachable(session: Session, ticket: Ticket, channels: list[str]) -> bool:
    """Tell whether the customer gave an address on one of the allowed channels."""
    if ("sms" in channels and ticket.phone) or ("email" in channels and ticket.email):
        return True
    if "push" not in channels:
        return False
    return bool(session.scalar(select(exists().where(PushSubscription.ticket_id == ticket.id))))


@dataclass
class Draft:
    """One outbox row to write; `skip` writes it as handled already (a threshold another message covers).

    A draft is about a ticket, or about a booking (`ticket` None, `appointment` set) before it has one.
    """

    ticket: Ticket | None
    kind: str
    dedupe_key: str
    fields: dict = field(default_factory=dict)
    url: str | None = None
    skip: bool = False
    delay_s: int = 0
    appointment: Appointment | None = None


def page_url(draft: Draft, public_url: str) -> str:
    """Return the page a tapped notification opens: the ticket's live page, or the booking's page."""
    base = public_url.rstrip("/")
    if draft.ticket is not None:
        return f"{base}/t/{draft.ticket.public_token}"
    return f"{base}/booking/{draft.appointment.code}"


def draft_row(draft: Draft, *, settings: dict, now: datetime, public_url: str) -> dict:
    """Return the column values of an outbox row for a draft."""
    subject = draft.ticket if draft.ticket is not None else draft.appointment
    payload = {
        "language": subject.language or "en",
        "fields": draft.fields,
        "url": draft.url,  # the link in the text (SMS, email); None keeps a short SMS short
        "page_url": page_url(draft, public_url),
        "channels": allowed_channels(settings, draft.kind),
        "urgent": draft.kind in URGENT_KINDS,
        "ttl_s": TTL_S.get(draft.kind, DAY_S),
        "tag": f"qserve-ticket-{draft.ticket.id}" if draft.ticket is not None else None,
    }
    if draft.appointment is not None:
        payload["appointment_id"] = draft.appointment.id
    return {
        "kind": NOTIFICATION,
        "topic": draft.kind,
        "dedupe_key": draft.dedupe_key,
        "ticket_id": draft.ticket.id if draft.ticket is not None else None,
        "payload": payload,
        "status": "skipped" if draft.skip else "pending",
        "attempts": 0,
        "created_at": now,
        "next_attempt_at": now + timedelta(seconds=draft.delay_s),
        "last_error": "covered by another message" if draft.skip else None,
    }


def write_drafts(
    session: Session, drafts: list[Draft], *, settings: dict, now: datetime, public_url: str
) -> None:
    """Insert drafts, silently keeping any row whose dedupe key exists already (SQLite and PostgreSQL)."""
    if not drafts:
        return
    rows = [draft_row(draft, settings=settings, now=now, public_url=public_url) for draft in drafts]
    dialect = session.get_bind().dialect.name
    if dialect in ("sqlite", "postgresql"):
        insert = sqlite.insert if dialect == "sqlite" else postgresql.insert
        statement = insert(OutboxMessage.__table__).on_conflict_do_nothing(index_elements=["dedupe_key"])
        session.execute(statement, rows)
        return
    keys = [row["dedupe_key"] for row in rows]
    taken = set(session.scalars(select(OutboxMessage.dedupe_key).where(OutboxMessage.dedupe_key.in_(keys))))
    session.add_all(OutboxMessage(**row) for row in rows if row["dedupe_key"] not in taken)


def existing_keys(session: Session, keys: list[str]) -> set[str]:
    """Return which of some dedupe keys are in the outbox already."""
    if not keys:
        return set()
    return set(session.scalars(select(OutboxMessage.dedupe_key).where(OutboxMessage.dedupe_key.in_(keys))))
