"""What every channel speaks: the recipient, the rendered message, the result and the kinds of failure."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol, runtime_checkable

CHANNEL_ORDER = ("push", "sms", "email")


class DeliveryError(Exception):
    """A channel could not deliver a message."""


class TransientError(DeliveryError):
    """The provider may succeed later (outage, timeout, rate limit): retry with backoff.

    `unclear` says the provider may have taken the message anyway (a timeout after the request was sent),
    so the next attempt first asks the provider whether it already has it.
    """

    def __init__(self, message: str, *, unclear: bool = False) -> None:
        super().__init__(message)
        self.unclear = unclear


class PermanentError(DeliveryError):
    """This channel will never deliver this message (bad number, rejected address): try the next channel."""


class SubscriptionGone(PermanentError):
    """The push service says the subscription expired (404/410): delete it."""


@dataclass(frozen=True)
class PushTarget:
    """One browser subscription of a ticket."""

    id: int
    endpoint: str
    p256dh: str
    auth: str


@dataclass(frozen=True)
class Recipient:
    """The addresses a customer gave, already filtered by opt-outs and the location's enabled channels."""

    ticket_id: int | None
    phone: str | None = None
    email: str | None = None
    subscriptions: tuple[PushTarget, ...] = ()


@dataclass(frozen=True)
class Outgoing:
    """One rendered message, ready for any channel."""

    dedupe_key: str
    kind: str
    language: str
    title: str  # push title and email subject
    text: str  # push body and email text part
    sms_text: str  # GSM-7 when the language allows, one segment where it fits
    html: str  # email HTML part
    url: str | None = None  # the link written in the text
    page_url: str | None = None  # the ticket's page, opened when a push notification is tapped
    urgent: bool = False
    ttl_s: int = 900
    unclear_channels: tuple[str, ...] = ()  # channels whose previous attempt may have gone through
    tag: str | None = None  # push: a newer notification of the same ticket replaces the older one
    created_at: datetime | None = None  # when the outbox row was written


@dataclass(frozen=True)
class Sent:
    """A provider accepted a message."""

    provider_message_id: str | None = None
    details: dict = field(default_factory=dict)


@runtime_checkable
class Channel(Protocol):
    """A way to reach a customer; the dispatcher tries channels in CHANNEL_ORDER."""

    name: str

    def targets(self, recipient: Recipient) -> Sequence[Any]:
        """Return the addresses of a recipient this channel can use (empty when none)."""
        ...

    def send(self, target: Any, message: Outgoing) -> Sent:
        """Deliver a message to one target or raise TransientError / PermanentError."""
        ...
