"""What the join pages show: services with waits, whether each can be joined, and the alternatives."""

from __future__ import annotations

import re
from datetime import date, datetime

from flask import current_app
from sqlalchemy import select

from qserve.db import read_session
from qserve.mobile.hours import day_hours
from qserve.models import Location, TicketNumberCounter
from qserve.services.locations import location_by_slug, services_with_waits
from qserve.services.opening import admits_walk_ins, hours_span, ticket_day, walk_in_refusal

# A booking page of the appointments front end, taking the location's slug (not a booking code).
BOOKING_RULE = re.compile(r"^/(book|booking|appointments)/<(?:string:)?(slug|location|location_slug)>/?$")


def location_overview(slug: str, *, language: str, now: datetime) -> dict:
    """Return a location, its services with waits and join state, today's hours and the alternatives.

    A service is joinable ("open") only where a join now would be admitted: outside the opening hours (and
    the early window before them) every service is "location_closed", and the cap counts the numbers of the
    day a join now would take (the next opening's, while closed)."""
    with read_session() as session:
        location = location_by_slug(session, slug)
        services = services_with_waits(session, location, language=language, now=now)
        span = hours_span(location, now)
        refusal = walk_in_refusal(location, span, now)
        joinable = refusal is None
        issued = _issued_on(session, location, ticket_day(location, span, now))
        hours = day_hours(location.opening_hours, location.time_zone, now)
        for service in services:
            service["state"] = _state(service, issued.get(service["id"], 0), joinable=joinable)
            # Closed for the rest of the day, the location's hours say so once, above the services.
            service["late"] = (
                service["state"] == "open"
                and hours.closes_at is not None
                and hours.may_run_past_closing(now, service["estimated_wait"]["p90_s"])
            )
        others = session.scalars(
            select(Location)
            .where(Location.organization_id == location.organization_id, Location.id != location.id)
            .order_by(Location.id)
        )
        return {
            "slug": location.slug,
            "name": location.name,
            "time_zone": location.time_zone,
            "mode": location.mode,
            "retention_days": location.organization.retention_days,
            "phone_region": location.settings.get("phone_region", "FI"),
            "hours": hours,
            "joinable": joinable,
            # Open, but past the last call for walk-ins; and, refused, when they may join again.
            "last_call": refusal is not None and refusal.last_call,
            "again_at": refusal.opens_at if refusal is not None else None,
            "now": now,
            "services": services,
            # The other locations, and whether a walk-in could join there now (not while it is closed).
            "others": [
                {"slug": o.slug, "name": o.name, "joinable": admits_walk_ins(o, hours_span(o, now), now)}
                for o in others
            ],
            "booking_url": booking_url(location.slug)
            if any(s["mode"] in ("appointments", "hybrid") for s in services)
            or location.mode in ("appointments", "hybrid")
            else None,
        }


def _issued_on(session, location: Location, day: date) -> dict[int, int]:
    ids = [service.id for service in location.services]
    query = select(TicketNumberCounter.service_id, TicketNumberCounter.last_number).where(
        TicketNumberCounter.service_id.in_(ids), TicketNumberCounter.service_day == day
    )
    return dict(session.execute(query).all())


def _state(service: dict, issued: int, *, joinable: bool) -> str:
    if service["mode"] == "appointments":
        return "appointments_only"
    if not service["is_open"]:
        return "closed"
    if not joinable:
        return "location_closed"
    if service["daily_cap"] is not None and issued >= service["daily_cap"]:
        return "full"
    return "open"


def booking_url(slug: str) -> str | None:
    """Return the appointment booking page of a location when the appointments front end is installed."""
    for rule in current_app.url_map.iter_rules():
        match = BOOKING_RULE.match(rule.rule)
        if match and "GET" in (rule.methods or ()):
            return re.sub(r"<[^>]+>", slug, rule.rule)
    return None
