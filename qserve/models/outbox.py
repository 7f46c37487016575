"""Durable side effects (notifications, print jobs) written in the same transaction as their cause."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from qserve.models.base import Base


class OutboxMessage(Base):
    """A message to deliver at least once and, thanks to its dedupe key, at most once."""

    __tablename__ = "outbox_messages"
    __table_args__ = (Index("ix_outbox_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # notification | print
    topic: Mapped[str] = mapped_column(String(32))  # joined, called, position_reached, ticket ...
    dedupe_key: Mapped[str] = mapped_column(String(200), unique=True)
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id", ondelete="SET NULL"), default=None)
    payload: Mapped[dict] = mapped_column(default=dict)
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending, sent, failed, skipped
    channel: Mapped[str | None] = mapped_column(String(16), default=None)  # the channel that delivered it
    attempts: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime]
    next_attempt_at: Mapped[datetime]
    claimed_until: Mapped[datetime | None] = mapped_column(default=None)
    sent_at: Mapped[datetime | None] = mapped_column(default=None)
    last_error: Mapped[str | None] = mapped_column(String(500), default=None)
    provider_message_id: Mapped[str | None] = mapped_column(String(64), default=None, index=True)
    provider_status: Mapped[str | None] = mapped_column(String(32), default=None)
