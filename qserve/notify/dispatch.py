"""Deliver due notifications from the outbox: claim one row at a time, send outside any transaction, record.

A row is claimed with an UPDATE guarded by its status and lease (`claimed_until`), so two senders never hold
it at once, and a sender killed after claiming leaves a lease that simply expires. Sending happens with no
transaction open (a slow provider never holds the database). Transient failures come back with exponential
backoff and jitter until `max_attempts`; a permanent failure of one channel falls through to the next.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from qserve.models import OutboxMessage
from qserve.models.notify import PushSubscription
from qserve.notify.channels import (
    CHANNEL_ORDER,
    Channel,
    Outgoing,
    PermanentError,
    SubscriptionGone,
    TransientError,
)
from qserve.notify.claims import Job, load_job
from qserve.notify.optouts import remember_opt_out
from qserve.notify.outbox import NOTIFICATION
from qserve.notify.sms import RecipientOptedOut

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long to retry, and how long a claim lasts."""

    base_s: float = 15.0
    cap_s: float = 900.0
    max_attempts: int = 8
    lease_s: float = 300.0  # longer than the slowest send of one message through every channel
    max_batch_s: float = 60.0  # wall time of one deliver_due call, so leases stay fresh

    def delay_s(self, attempt: int, rng: random.Random) -> float:
        """Return the wait after a failed attempt: doubling, capped, with half of it random (jitter)."""
        ceiling = min(self.cap_s, self.base_s * 2 ** max(0, attempt - 1))
        return ceiling / 2 + rng.random() * ceiling / 2


DEFAULT_RETRY = RetryPolicy()


@dataclass
class Outcome:
    """What happened to one claimed message."""

    status: str  # sent, retry, failed, skipped
    channel: str | None = None
    provider_message_id: str | None = None
    errors: list[str] = field(default_factory=list)
    gone_subscription_ids: list[int] = field(default_factory=list)
    unclear_channels: list[str] = field(default_factory=list)
    opted_out_phone: str | None = None


def deliver_due(
    session_factory: Callable[[], Session],
    *,
    now: datetime,
    channels: Mapping[str, Channel] | Iterable[Channel],
    limit: int = 100,
    retry: RetryPolicy = DEFAULT_RETRY,
    rng: random.Random | None = None,
    reader: Callable[[], Session] | None = None,
) -> int:
    """Deliver up to `limit` due notifications and return how many were sent.

    `reader` (a session factory that takes no write lock) lets an idle run look before claiming.
    """
    if reader is not None and not has_due(reader, now=now):
        return 0
    by_name = dict(channels) if isinstance(channels, Mapping) else {c.name: c for c in channels}
    rng = rng or random.Random()
    started = time.monotonic()
    sent = 0
    for _ in range(limit):
        if time.monotonic() - started > retry.max_batch_s:
            break
        job = claim_next(session_factory, now=now, lease_s=retry.lease_s)
        if job is None:
            break
        outcome = (
            attempt(job, by_name) if job.skip_reason is None else Outcome("skipped", errors=[job.skip_reason])
        )
        record_outcome(session_factory, job, outcome, now=now, retry=retry, rng=rng)
        sent += outcome.status == "sent"
    return sent


def _due(now: datetime):
    return (
        OutboxMessage.kind == NOTIFICATION,
        OutboxMessage.status == "pending",
        OutboxMessage.next_attempt_at <= now,
        or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until <= now),
    )


def has_due(session_factory: Callable[[], Session], *, now: datetime) -> bool:
    """Tell whether any notification is due (a read that never blocks writers)."""
    with session_factory() as session:
        return session.scalar(select(OutboxMessage.id).where(*_due(now)).limit(1)) is not None


def claim_next(session_factory: Callable[[], Session], *, now: datetime, lease_s: float) -> Job | None:
    """Claim the oldest due notification for `lease_s` seconds and return it with what sending needs."""
    lease_until = now + timedelta(seconds=lease_s)
    with session_factory() as session, session.begin():
        for _ in range(5):  # another sender may win the row between our SELECT and UPDATE: take the next
            message_id = session.scalar(
                select(OutboxMessage.id)
                .where(*_due(now))
                .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
                .limit(1)
                .with_for_update(skip_locked=True)
            )
            if message_id is None:
                return None
            claimed = session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id == message_id, *_due(now))
                .values(claimed_until=lease_until, attempts=OutboxMessage.attempts + 1)
                .execution_options(synchronize_session=False)
            )
            if claimed.rowcount == 1:
                return load_job(session, message_id, lease_until=lease_until, now=now)
    return None


def attempt(job: Job, channels: Mapping[str, Channel]) -> Outcome:
    """Try the customer's channels in order (push, sms, email) until one takes the message."""
    outcome = Outcome("skipped")
    for name in [n for n in CHANNEL_ORDER if n in job.channels]:
        channel = channels.get(name)
        if channel is None:
            continue
        for target in channel.targets(job.recipient):
            if _send_one(name, channel, target, job, outcome) or outcome.unclear_channels:
                return outcome
    if outcome.status == "retry":
        return outcome
    if outcome.errors:
        outcome.status = "failed"
    else:
        outcome.errors.append("no address on a channel enabled for this message")
    return outcome


def _send_one(name: str, channel: Channel, target, job: Job, outcome: Outcome) -> bool:
    """Send to one target and note what happened in the outcome; tell whether it was delivered."""
    try:
        sent = channel.send(target, job.message)
    except SubscriptionGone as error:
        outcome.gone_subscription_ids.append(target.id)
        outcome.errors.append(f"{name}: {error}")
    except RecipientOptedOut as error:
        outcome.opted_out_phone = target
        outcome.errors.append(f"{name}: {error}")
    except PermanentError as error:
        outcome.errors.append(f"{name}: {error}")
    except TransientError as error:
        outcome.status = "retry"
        outcome.errors.append(f"{name}: {error}")
        if error.unclear:  # it may have gone out: ask the provider next time, before any other channel
            outcome.unclear_channels.append(name)
    except Exception as error:  # a bug in a channel must not stop the others; retried, then failed
        log.exception("channel %s crashed on %s", name, job.message.dedupe_key)
        outcome.status = "retry"
        outcome.errors.append(f"{name}: unexpected {error!r}")
    else:
        outcome.status, outcome.channel = "sent", name
        outcome.provider_message_id = sent.provider_message_id
        return True
    return False


def record_outcome(
    session_factory: Callable[[], Session],
    job: Job,
    outcome: Outcome,
    *,
    now: datetime,
    retry: RetryPolicy,
    rng: random.Random,
) -> None:
    """Store the result of an attempt under the claim it was made with; schedule a retry if due."""
    values: dict = {"claimed_until": None, "last_error": "; ".join(outcome.errors)[:500] or None}
    if outcome.status == "sent":
        values |= {"status": "sent", "sent_at": now, "channel": outcome.channel}
        values["provider_message_id"] = outcome.provider_message_id
    elif outcome.status == "retry" and job.attempts < retry.max_attempts:
        delay = retry.delay_s(job.attempts, rng)
        values |= {"status": "pending", "next_attempt_at": now + timedelta(seconds=delay)}
    else:
        values["status"] = "failed" if outcome.status == "retry" else outcome.status
    if outcome.unclear_channels:
        unclear = sorted(set(job.payload.get("unclear_channels", [])) | set(outcome.unclear_channels))
        values["payload"] = job.payload | {"unclear_channels": unclear}
    with session_factory() as session, session.begin():
        result = session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == job.message_id, OutboxMessage.claimed_until == job.lease_until)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:
            log.warning("notification %s: claim lost before its result was stored", job.message.dedupe_key)
        if outcome.gone_subscription_ids:
            session.execute(
                delete(PushSubscription).where(PushSubscription.id.in_(outcome.gone_subscription_ids))
            )
        if outcome.opted_out_phone:
            remember_opt_out(session, phone=outcome.opted_out_phone, now=now, source="provider")


__all__ = [
    "DEFAULT_RETRY",
    "Job",
    "Outcome",
    "Outgoing",
    "RetryPolicy",
    "attempt",
    "claim_next",
    "deliver_due",
]
