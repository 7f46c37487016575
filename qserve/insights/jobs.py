"""Scheduled insights jobs: (name, interval in seconds, fn(now)), each run in an app context."""

from __future__ import annotations

from datetime import datetime

from qserve.insights.privacy import erase_expired_personal_data
from qserve.insights.schedules import send_due_reports


def erase_expired_personal_data_job(now: datetime) -> int:
    """Erase personal data of closed visits past their organization's retention period."""
    return erase_expired_personal_data(now=now)


def send_report_emails_job(now: datetime) -> int:
    """E-mail the PDF reports whose day or week has ended."""
    return send_due_reports(now=now)


JOBS = [
    ("erase-expired-personal-data", 3600, erase_expired_personal_data_job),
    ("send-report-emails", 600, send_report_emails_job),
]
