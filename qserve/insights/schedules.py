"""PDF reports e-mailed on a schedule: a manager picks locations, a target wait, recipients and daily or
weekly; the scheduler sends each period's report once, the morning after it ends.

Mail goes out through the notification e-mail channel (its relay and credentials). A failed send is
retried on the next run (the period is marked sent only after the SMTP server took the mail), and the
Message-ID is derived from the schedule and period, so a repeat after a crash is one message to the
receiving server.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from email.message import EmailMessage
from email.utils import formataddr, parseaddr
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from qserve.db import read_session, transaction
from qserve.domain.contact import normalize_email, normalize_language
from qserve.domain.errors import NotFound, ValidationFailed
from qserve.formats import Figures
from qserve.insights.dashboard_texts import Words
from qserve.insights.queries import Period, location_report, managed_locations
from qserve.insights.report_pdf import report_pdf, report_title
from qserve.models import Location, User
from qserve.models.report import ReportSchedule
from qserve.notify.channels import PermanentError, TransientError
from qserve.notify.email import message_id

log = logging.getLogger(__name__)

FREQUENCIES = ("daily", "weekly")
SEND_AT = time(6, 0)  # local time of the schedule's zone when the previous period's report goes out
MAX_RECIPIENTS = 20


def due_period(frequency: str, local_now: datetime) -> Period:
    """Return the newest period whose report is due at this local moment: yesterday once 06:00 has passed
    (else the day before), or the last Monday-to-Sunday week once Monday 06:00 has passed."""
    today = local_now.date()
    if local_now.time() < SEND_AT:
        today -= timedelta(days=1)
    if frequency == "daily":
        day = today - timedelta(days=1)
        return Period(day, day)
    last_sunday = today - timedelta(days=today.weekday() + 1)
    return Period(last_sunday - timedelta(days=6), last_sunday)


def parse_recipients(raw: str) -> list[str]:
    """Return the distinct e-mail addresses of a comma- or space-separated list; raise for a wrong one."""
    parts = [part for part in raw.replace(";", ",").replace("\n", ",").split(",") if part.strip()]
    addresses: list[str] = []
    for part in parts:
        try:
            address = normalize_email(part)
        except ValidationFailed as error:
            raise ValidationFailed(
                f"{part.strip()!r} is not an e-mail address", field="recipients"
            ) from error
        if address and address.lower() not in (a.lower() for a in addresses):
            addresses.append(address)
    if not addresses:
        raise ValidationFailed("write at least one e-mail address", field="recipients")
    if len(addresses) > MAX_RECIPIENTS:
        raise ValidationFailed(f"at most {MAX_RECIPIENTS} recipients", field="recipients")
    return addresses


@dataclass(frozen=True)
class ScheduleRequest:
    """What a manager asked for on the reports page."""

    recipients: str
    frequency: str
    slugs: list[str]
    target_min: float
    language: str


def create_schedule(user: User, request: ScheduleRequest, *, now: datetime) -> int:
    """Store a report schedule for locations the manager may see; its first mail is the next period's."""
    if request.frequency not in FREQUENCIES:
        raise ValidationFailed("choose daily or weekly", field="frequency")
    if not 1 <= request.target_min <= 600:
        raise ValidationFailed("the target wait is 1 to 600 minutes", field="target")
    recipients = parse_recipients(request.recipients)
    language = normalize_language(request.language)
    with transaction() as tx:
        # No location ticked means none, not all of them (as managed_locations reads an empty list).
        locations = managed_locations(tx.session, user, request.slugs) if request.slugs else []
        if not locations:
            raise ValidationFailed("choose at least one location", field="locations")
        zone = locations[0].time_zone
        schedule = ReportSchedule(
            organization_id=user.organization_id,
            created_by_id=user.id,
            frequency=request.frequency,
            recipients=recipients,
            location_ids=[location.id for location in locations],
            target_min=float(request.target_min),
            language=language,
            time_zone=zone,
            created_at=now,
            last_period_end=due_period(request.frequency, now.astimezone(ZoneInfo(zone))).last,
        )
        tx.session.add(schedule)
        tx.session.flush()
        return schedule.id


def list_schedules(user: User) -> list[dict]:
    """Return the organization's report schedules with the names of their locations."""
    with read_session() as session:
        managed_locations(session, user)  # only managers
        names = dict(
            session.execute(
                select(Location.id, Location.name).where(Location.organization_id == user.organization_id)
            ).all()
        )
        schedules = session.scalars(
            select(ReportSchedule)
            .where(ReportSchedule.organization_id == user.organization_id)
            .order_by(ReportSchedule.id)
        )
        return [
            {
                "id": s.id,
                "frequency": s.frequency,
                "recipients": list(s.recipients),
                "locations": [names[i] for i in s.location_ids if i in names],
                "target_min": s.target_min,
                "language": s.language,
                "last_sent_at": s.last_sent_at,
                "last_period_end": s.last_period_end,
                "last_error": s.last_error,
            }
            for s in schedules
        ]


def delete_schedule(user: User, schedule_id: int) -> None:
    """Stop a report schedule of the manager's organization."""
    with transaction() as tx:
        managed_locations(tx.session, user)
        schedule = tx.session.get(ReportSchedule, schedule_id)
        if schedule is None or schedule.organization_id != user.organization_id:
            raise NotFound("no such report schedule")
        tx.session.delete(schedule)


@dataclass(frozen=True)
class Mail:
    """A built report mail and the period it covers."""

    schedule_id: int
    period: Period
    message: EmailMessage


def _build_mail(session: Session, schedule: ReportSchedule, period: Period, *, now: datetime) -> Mail | None:
    locations = [
        location
        for location in (session.get(Location, i) for i in schedule.location_ids)
        if location is not None and location.organization_id == schedule.organization_id
    ]
    if not locations:
        return None
    reports = [
        location_report(
            session,
            location,
            period,
            target_wait_s=schedule.target_min * 60,
            now=now,
            language=schedule.language,
        )
        for location in locations
    ]
    w = Words(schedule.language)
    pdf = report_pdf(
        reports, first=period.first, last=period.last, target_min=schedule.target_min, language=w.language
    )
    span = Figures(w.language).period(period.first, period.last)
    sender = current_app.config.get("SMTP_FROM") or "qserve@localhost"
    message = EmailMessage()
    message["Subject"] = w("email_subject", title=report_title(reports, w), period=span)
    message["From"] = sender if "<" in sender else formataddr(("qserve", parseaddr(sender)[1]))
    message["To"] = ", ".join(schedule.recipients)
    message["Message-ID"] = message_id(f"report:{schedule.id}:{period.first}:{period.last}", sender)
    message["Content-Language"] = w.language
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(w("email_body", period=span) + "\n")
    filename = f"qserve-report-{period.first}-{period.last}.pdf"
    message.add_attachment(pdf, maintype="application", subtype="pdf", filename=filename)
    return Mail(schedule.id, period, message)


def _send(message: EmailMessage) -> None:
    from qserve.notify.setup import app_channels

    app_channels()["email"].deliver(message)


def _record(schedule_id: int, *, period_end: date | None, now: datetime, error: str | None) -> None:
    with transaction() as tx:
        schedule = tx.session.get(ReportSchedule, schedule_id)
        if schedule is None:
            return
        schedule.last_error = error[:500] if error else None
        if period_end is not None:
            schedule.last_period_end = period_end
            schedule.last_sent_at = now


def send_due_reports(*, now: datetime) -> int:
    """Send every report whose period has ended and was not sent yet; return how many mails went out."""
    if not current_app.config.get("SMTP_HOST"):
        return 0
    with read_session() as session:
        due = []
        for schedule in session.scalars(select(ReportSchedule).order_by(ReportSchedule.id)):
            period = due_period(schedule.frequency, now.astimezone(ZoneInfo(schedule.time_zone)))
            if schedule.last_period_end is None or schedule.last_period_end < period.last:
                due.append((schedule, period))
        mails = [
            mail for schedule, period in due if (mail := _build_mail(session, schedule, period, now=now))
        ]
    sent = 0
    for mail in mails:
        try:
            _send(mail.message)
        except (TransientError, PermanentError) as error:
            log.warning("report %s for %s could not be sent: %s", mail.schedule_id, mail.period.last, error)
            _record(mail.schedule_id, period_end=None, now=now, error=f"{type(error).__name__}: {error}")
            continue
        _record(mail.schedule_id, period_end=mail.period.last, now=now, error=None)
        sent += 1
    return sent
