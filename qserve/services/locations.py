"""Reading locations, services and counters with their live figures."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from qserve.domain.errors import NotFound
from qserve.domain.lifecycle import Status
from qserve.models import Location, Service, Ticket
from qserve.services.estimates import newcomer_waits, queueing_estimate
from qserve.services.opening import until_opening_s
from qserve.services.queue import serving_counters


def location_by_slug(session: Session, slug: str) -> Location:
    """Return a location by slug or raise NotFound."""
    location = session.scalar(select(Location).where(Location.slug == slug))
    if location is None:
        raise NotFound(f"no location called {slug!r}")
    return location


def location_summary(location: Location) -> dict:
    """Return the public description of a location."""
    return {
        "slug": location.slug,
        "name": location.name,
        "time_zone": location.time_zone,
        "mode": location.mode,
        "languages": location.languages,
        "opening_hours": location.opening_hours,
    }


def waiting_counts(session: Session, *, location_id: int) -> dict[int, int]:
    """Return the number of waiting tickets per service of a location."""
    query = (
        select(Ticket.service_id, func.count(Ticket.id))
        .where(Ticket.location_id == location_id, Ticket.status == Status.WAITING.value)
        .group_by(Ticket.service_id)
    )
    return dict(session.execute(query).all())


def services_with_waits(session: Session, location: Location, *, language: str, now: datetime) -> list[dict]:
    """Return a location's services with their waiting counts and the wait a newcomer can expect: the
    learned estimate a join would be told, else the queueing one."""
    counts = waiting_counts(session, location_id=location.id)
    counters = serving_counters(session, location_id=location.id)
    learned = newcomer_waits(session, location, now=now, waiting=counts)
    closed_s = until_opening_s(location, now)  # before opening (joining early), the waits start at opening
    views = []
    for service in location.services:
        waiting = counts.get(service.id, 0)
        open_counters = sum(1 for c in counters if service.id in c.serving_service_ids())
        estimate = learned.get(service.id) or queueing_estimate(
            ahead=waiting, duration_s=service.default_duration_s, counters=open_counters
        )
        estimate = estimate.later_by(closed_s)
        views.append(
            service_view(service, language=language)
            | {
                "waiting": waiting,
                "open_counters": open_counters,
                "estimated_wait": estimate.as_dict(),
            }
        )
    return views


def service_view(service: Service, *, language: str = "en") -> dict:
    """Return the description of a service."""
    return {
        "id": service.id,
        "name": service.name(language),
        "names": service.names,
        "prefix": service.prefix,
        "is_open": service.is_open,
        "mode": service.mode or service.location.mode,
        "default_duration_s": service.default_duration_s,
        "daily_cap": service.daily_cap,
        "questions": service.questions,
    }


def counter_view(counter) -> dict:
    """Return the description of a counter."""
    return {
        "id": counter.id,
        "name": counter.name,
        "is_open": counter.is_open,
        "service_ids": [s.id for s in counter.services],
        "serving_service_ids": sorted(counter.serving_service_ids()),
    }
