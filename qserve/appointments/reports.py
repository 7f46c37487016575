"""What managers and staff read about bookings: counts by status per service, and a location's day list."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, or_, select

from qserve.appointments import capacity as cap
from qserve.db import read_session
from qserve.domain.actors import Actor
from qserve.domain.errors import Forbidden, NotFound, ValidationFailed
from qserve.domain.numbering import day_bounds
from qserve.formats import Figures
from qserve.models import Location, Service, Ticket
from qserve.models.appointment import APPOINTMENT_STATUSES, Appointment

MANAGER_ROLES = ("manager", "admin")
MAX_REPORT_DAYS = 366
DAY_LIST_LIMIT = 200


def _period_bounds(first: date, last: date, time_zone: str) -> tuple[datetime, datetime]:
    if first > last or (last - first).days >= MAX_REPORT_DAYS:
        raise ValidationFailed(f"choose a range of 1 to {MAX_REPORT_DAYS} days", field="from")
    return day_bounds(first, time_zone)[0], day_bounds(last, time_zone)[1]


def managed_location(session, *, slug: str, actor: Actor) -> Location:
    """Return a location of the manager's own organization, or raise (staff 403, elsewhere 404)."""
    if actor.role not in MANAGER_ROLES:
        raise Forbidden("only managers see booking figures")
    location = session.scalar(select(Location).where(Location.slug == slug))
    if location is None or location.organization_id != actor.organization_id:
        raise NotFound(f"no location {slug!r} in your organization")
    return location


def appointment_report(
    *, location_slug: str, first: date, last: date, actor: Actor, language: str = "en"
) -> dict:
    """Count a location's bookings whose slot falls in a local date range, by status, per service (named
    in the reader's language)."""
    with read_session() as session:
        location = managed_location(session, slug=location_slug, actor=actor)
        start, end = _period_bounds(first, last, location.time_zone)
        rows = session.execute(
            select(Appointment.service_id, Appointment.status, func.count(Appointment.id))
            .where(
                Appointment.location_id == location.id,
                Appointment.starts_at >= start,
                Appointment.starts_at < end,
            )
            .group_by(Appointment.service_id, Appointment.status)
        ).all()
        services = sorted(location.services, key=lambda s: (s.position, s.id))
        names = {s.id: s.name(language) for s in services}
        others = session.execute(
            select(Location.slug, Location.name)
            .where(Location.organization_id == actor.organization_id)
            .order_by(Location.id)
        ).all()
        counts = {s.id: dict.fromkeys(APPOINTMENT_STATUSES, 0) for s in services}
        for service_id, status, number in rows:
            counts.setdefault(service_id, dict.fromkeys(APPOINTMENT_STATUSES, 0))[status] = number
        lines = [
            {"service_id": sid, "service": names.get(sid, str(sid))}
            | by_status
            | {"total": sum(by_status.values())}
            for sid, by_status in counts.items()
        ]
        totals = {status: sum(line[status] for line in lines) for status in (*APPOINTMENT_STATUSES, "total")}
        return {
            "location": {"slug": location.slug, "name": location.name, "time_zone": location.time_zone},
            "first": first.isoformat(),
            "last": last.isoformat(),
            "services": lines,
            "totals": totals,
            "locations": [{"slug": slug, "name": name} for slug, name in others],
        }


def bookings_of_day(
    *, location_slug: str, day: date, actor: Actor, search: str | None = None, language: str = "en"
) -> dict:
    """List a location's bookings on a local day for staff (by code or name when searched), in time order."""
    with read_session() as session:
        location = session.scalar(select(Location).where(Location.slug == location_slug))
        if location is None:
            raise NotFound(f"no location called {location_slug!r}")
        actor.require_location(location.id, location.organization_id)
        start, end = day_bounds(day, location.time_zone)
        query = (
            select(Appointment, Ticket.number)
            .outerjoin(Ticket, Ticket.id == Appointment.ticket_id)
            .where(
                Appointment.location_id == location.id,
                Appointment.starts_at >= start,
                Appointment.starts_at < end,
                Appointment.status != "cancelled",
            )
            .order_by(Appointment.starts_at, Appointment.id)
            .limit(DAY_LIST_LIMIT)
        )
        text = (search or "").strip()
        if text:
            code = text.upper().replace("-", "").replace(" ", "")
            query = query.where(
                or_(Appointment.code.startswith(code), func.lower(Appointment.name).contains(text.lower()))
            )
        zone = ZoneInfo(location.time_zone)
        services = {
            s.id: s.name(language)
            for s in session.scalars(select(Service).where(Service.location_id == location.id))
        }
        rows = [
            {
                "code": cap.display_code(appointment.code),
                "time": Figures(language).clock(appointment.starts_at.astimezone(zone)),
                "starts_at": appointment.starts_at.isoformat(),
                "service": services.get(appointment.service_id, ""),
                "name": appointment.name or "",
                "status": appointment.status,
                "ticket_number": number,
            }
            for appointment, number in session.execute(query).all()
        ]
        return {"location": {"slug": location.slug, "name": location.name}, "day": day, "bookings": rows}


def appointment_counts(*, location_slug: str, day: date) -> dict[str, int]:
    """Count a location's bookings on a local day by status, for managers."""
    with read_session() as session:
        location = session.scalar(select(Location).where(Location.slug == location_slug))
        if location is None:
            raise NotFound(f"no location called {location_slug!r}")
        start, end = day_bounds(day, location.time_zone)  # 23 or 25 hours on a DST change day
        rows = session.scalars(
            select(Appointment.status).where(
                Appointment.location_id == location.id,
                Appointment.starts_at >= start,
                Appointment.starts_at < end,
            )
        ).all()
        counts = dict.fromkeys(APPOINTMENT_STATUSES, 0)
        for status in rows:
            counts[status] += 1
        return counts
