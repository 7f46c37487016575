"""Scheduled appointment jobs (name, every seconds, fn(now)); the scheduler gives them an app context."""

from __future__ import annotations

from datetime import datetime

from qserve.appointments.services import expire_no_shows


def expire_no_shows_job(now: datetime) -> int:
    """Mark bookings that never checked in as no-shows once the location's policy says so."""
    return expire_no_shows(now=now)


JOBS = [("appointment-no-shows", 60, expire_no_shows_job)]
