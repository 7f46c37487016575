"""Scheduled insights jobs: (name, interval in seconds, fn(now)), each run in an app context."""

from __future__ import annotations

from datetime import datetime

from qserve.insights.privacy import erase_expired_personal_data


def erase_expired_personal_data_job(now: datetime) -> int:
    """Erase personal data of closed visits past their organization's retention period."""
    return erase_expired_personal_data(now=now)


JOBS = [("erase-expired-personal-data", 3600, erase_expired_personal_data_job)]
