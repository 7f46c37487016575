"""Scheduled notification jobs, run only by `qserve scheduler` (collected from JOBS)."""

from __future__ import annotations

from datetime import datetime

from qserve.db import get_db
from qserve.notify.dispatch import deliver_due
from qserve.notify.setup import app_channels
from qserve.notify.usecases import enqueue_timed_messages


def send_notifications(now: datetime) -> int:
    """Deliver the notifications that are due, with retries and fallback."""
    database = get_db()
    return deliver_due(database.Session, now=now, channels=app_channels(), reader=database.ReadSession)


def enqueue_timed_notifications(now: datetime) -> int:
    """Write time-left messages and appointment reminders that time has made due."""
    return enqueue_timed_messages(now=now)


JOBS = [
    ("notify-send", 1, send_notifications),
    ("notify-timed", 30, enqueue_timed_notifications),
]
