"""Load the rows the figures are computed from, and assemble a location's report."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from qserve.domain.errors import Forbidden, NotFound
from qserve.insights.metrics import (
    Rating,
    Visit,
    arrivals_heatmap,
    estimate_accuracy,
    summarize,
    summarize_by,
)
from qserve.insights.staffing import hourly_staffing
from qserve.models import Counter, Location, Ticket, User
from qserve.models.feedback import FeedbackAnswer

MANAGER_ROLES = ("manager", "admin")


@dataclass(frozen=True)
class Period:
    """Local calendar days from `first` to `last`, both included, in each location's own time zone."""

    first: date
    last: date

    def bounds(self, time_zone: str) -> tuple[datetime, datetime]:
        """Return the UTC instants where the period starts and ends at a location."""
        zone = ZoneInfo(time_zone)
        start = datetime.combine(self.first, time(0), zone)
        end = datetime.combine(self.last + timedelta(days=1), time(0), zone)
        return start, end

    @property
    def days(self) -> int:
        """Return the number of days in the period."""
        return (self.last - self.first).days + 1


def managed_locations(session: Session, user: User, slugs: list[str] | None = None) -> list[Location]:
    """Return the locations of the manager's organization (those asked for, in the order asked)."""
    if getattr(user, "role", None) not in MANAGER_ROLES:
        raise Forbidden("only managers see reports")
    rows = list(
        session.scalars(
            select(Location).where(Location.organization_id == user.organization_id).order_by(Location.id)
        )
    )
    if not slugs:
        return rows
    by_slug = {location.slug: location for location in rows}
    missing = [slug for slug in slugs if slug not in by_slug]
    if missing:
        raise NotFound(f"no location {missing[0]!r} in your organization", field="locations")
    return [by_slug[slug] for slug in dict.fromkeys(slugs)]


def load_visits(session: Session, location: Location, period: Period) -> list[Visit]:
    """Return the visits that joined a location during a period."""
    start, end = period.bounds(location.time_zone)
    rows = session.execute(
        select(
            Ticket.location_id,
            Ticket.service_id,
            Ticket.status,
            Ticket.joined_at,
            Ticket.called_at,
            Ticket.serving_started_at,
            Ticket.finished_at,
            Ticket.counter_id,
            Ticket.served_by_id,
            Ticket.joined_estimate_p50_s,
        ).where(Ticket.location_id == location.id, Ticket.joined_at >= start, Ticket.joined_at < end)
    )
    return [Visit(*row) for row in rows]


def load_ratings(session: Session, location: Location, period: Period) -> list[Rating]:
    """Return the feedback scores of the visits that joined a location during a period."""
    start, end = period.bounds(location.time_zone)
    rows = session.execute(
        select(
            FeedbackAnswer.location_id,
            FeedbackAnswer.service_id,
            FeedbackAnswer.served_by_id,
            FeedbackAnswer.rating,
            FeedbackAnswer.recommendation,
        )
        .join(Ticket, Ticket.id == FeedbackAnswer.ticket_id)
        .where(FeedbackAnswer.location_id == location.id, Ticket.joined_at >= start, Ticket.joined_at < end)
    )
    return [Rating(*row) for row in rows]


def live_view(session: Session, location: Location, now: datetime) -> dict:
    """Return the location right now: waiting, being served, counters open, longest wait, and the kiosk
    printers that need someone (out of paper, offline, jobs waiting)."""
    from qserve.kiosk.printers import printer_overview

    counts = dict(
        session.execute(
            select(Ticket.status, func.count())
            .where(Ticket.location_id == location.id, Ticket.status.in_(("waiting", "called", "serving")))
            .group_by(Ticket.status)
        ).all()
    )
    oldest = session.scalar(
        select(func.min(Ticket.joined_at)).where(
            Ticket.location_id == location.id, Ticket.status == "waiting"
        )
    )
    counters_open = session.scalar(
        select(func.count()).select_from(Counter).where(Counter.location_id == location.id, Counter.is_open)
    )
    return {
        "waiting": counts.get("waiting", 0),
        "with_staff": counts.get("called", 0) + counts.get("serving", 0),
        "counters_open": counters_open or 0,
        "counters": len(location.counters),
        "longest_wait_s": (now - oldest).total_seconds() if oldest else None,
        "printers": [
            printer
            for printer in printer_overview(session, location.id, now=now)
            if printer["status"] != "none" and printer["is_active"]
        ],
    }


def _staff_names(session: Session, ids: set) -> dict[int, str]:
    if not ids:
        return {}
    return dict(session.execute(select(User.id, User.name).where(User.id.in_(list(ids)))).all())


def location_report(
    session: Session,
    location: Location,
    period: Period,
    *,
    target_wait_s: float,
    now: datetime,
    language: str = "en",
) -> dict:
    """Return every figure of one location over a period, ready for the dashboard, CSV and PDF; service
    names in a language."""
    visits = load_visits(session, location, period)
    ratings = load_ratings(session, location, period)
    by_service = summarize_by(visits, ratings, lambda row: row.service_id, target_wait_s=target_wait_s)
    by_staff = summarize_by(visits, ratings, lambda row: row.served_by_id, target_wait_s=target_wait_s)
    staff = _staff_names(session, set(by_staff))
    return {
        "slug": location.slug,
        "name": location.name,
        "time_zone": location.time_zone,
        "summary": summarize(visits, ratings, target_wait_s=target_wait_s),
        "services": [
            {"name": service.name(language), "prefix": service.prefix, **by_service[service.id]}
            for service in location.services
            if service.id in by_service
        ],
        "staff": sorted(
            ({"name": staff.get(uid, f"#{uid}"), **figures} for uid, figures in by_staff.items()),
            key=lambda row: row["name"],
        ),
        "heatmap": arrivals_heatmap(visits, location.time_zone),
        "accuracy": estimate_accuracy(visits),
        "accuracy_by_service": [
            {
                "name": service.name(language),
                **estimate_accuracy([v for v in visits if v.service_id == service.id]),
            }
            for service in location.services
        ],
        "staffing": hourly_staffing(visits, location.time_zone, target_wait_s=target_wait_s),
        "live": live_view(session, location, now),
    }
