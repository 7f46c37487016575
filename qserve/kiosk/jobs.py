"""Scheduled kiosk jobs: (name, interval in seconds, fn(now)); the scheduler runs each in an app context."""

from __future__ import annotations

from datetime import datetime

from qserve.kiosk.delivery import deliver_print_jobs
from qserve.kiosk.printers import poll_printers


def deliver_print_jobs_job(now: datetime) -> int:
    """Print the print jobs that are due (retries with backoff included)."""
    return deliver_print_jobs(now=now)


def poll_printers_job(now: datetime) -> int:
    """Ask the kiosk printers for their status and alert staff about changes."""
    return poll_printers(now=now)


JOBS = [
    ("deliver-print-jobs", 2, deliver_print_jobs_job),
    ("poll-printers", 15, poll_printers_job),
]
