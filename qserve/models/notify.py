"""Notification state: push subscriptions of tickets, SMS opt-outs and the inbound SMS already handled."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from qserve.models.base import Base


class PushSubscription(Base):
    """A browser's Web Push subscription, given from a ticket's live page."""

    __tablename__ = "push_subscriptions"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    endpoint: Mapped[str] = mapped_column(String(1000), unique=True)
    p256dh: Mapped[str] = mapped_column(String(200))  # the browser's P-256 public key, base64url
    auth: Mapped[str] = mapped_column(String(64))  # the browser's 16-byte auth secret, base64url
    created_at: Mapped[datetime]


class SmsOptOut(Base):
    """A phone number that answered STOP: it gets no SMS until it answers START."""

    __tablename__ = "sms_opt_outs"

    id: Mapped[int] = mapped_column(primary_key=True)
    phone: Mapped[str] = mapped_column(String(32), unique=True)  # E.164
    created_at: Mapped[datetime]
    source: Mapped[str] = mapped_column(String(16), default="keyword")  # keyword | provider (error 21610)


class InboundSms(Base):
    """An inbound SMS already acted on, so that the provider's retry of a webhook acts only once."""

    __tablename__ = "inbound_sms"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_sid: Mapped[str] = mapped_column(String(64), unique=True)
    phone: Mapped[str] = mapped_column(String(32), index=True)
    command: Mapped[str] = mapped_column(String(16))  # cancel, late, here, stop, start, help
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id", ondelete="SET NULL"), default=None)
    reply: Mapped[str] = mapped_column(String(500), default="")
    received_at: Mapped[datetime]
