"""What staff see of a location: the live queue per service, called and parked tickets, counters."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from qserve.domain.actors import Actor
from qserve.domain.errors import NotFound
from qserve.domain.lifecycle import OPEN_STATUSES, Status
from qserve.domain.ordering import FairnessRule
from qserve.models import Ticket, TicketEvent
from qserve.services.locations import counter_view, location_by_slug, service_view
from qserve.services.queue import candidate_of, location_streak, places_by_service
from qserve.services.views import iso, staff_ticket


def location_queue(session: Session, *, slug: str, actor: Actor, now: datetime) -> dict:
    """Return a location's live queue for staff, in call order per service."""
    location = location_by_slug(session, slug)
    actor.require_location(location.id, location.organization_id)
    open_tickets = list(
        session.scalars(
            select(Ticket).where(
                Ticket.location_id == location.id, Ticket.status.in_([s.value for s in OPEN_STATUSES])
            )
        )
    )
    waiting = [t for t in open_tickets if t.status == Status.WAITING]
    rule = FairnessRule.from_settings(location.fairness)
    places = places_by_service(
        [candidate_of(t) for t in waiting],
        rule=rule,
        now=now,
        streak=location_streak(session, location_id=location.id),
    )
    waiting.sort(key=lambda t: (t.service_id, places[t.id].position))
    services = []
    for service in location.services:
        rows = [staff_ticket(t, places[t.id], now=now) for t in waiting if t.service_id == service.id]
        services.append(service_view(service) | {"waiting": rows, "waiting_count": len(rows)})
    others = sorted((t for t in open_tickets if t.status != Status.WAITING), key=lambda t: t.id)
    return {
        "location": location.slug,
        "services": services,
        "called": [staff_ticket(t, None, now=now) for t in others if t.status in ("called", "serving")],
        "parked": [staff_ticket(t, None, now=now) for t in others if t.status == Status.PARKED],
        "counters": [counter_view(c) for c in location.counters],
        "generated_at": iso(now),
    }


def ticket_for_staff(session: Session, *, ticket_id: int, actor: Actor, now: datetime) -> dict:
    """Return one ticket's staff view."""
    ticket = session.get(Ticket, ticket_id)
    if ticket is None:
        raise NotFound("no such ticket")
    actor.require_location(ticket.location_id, ticket.location.organization_id)
    from qserve.services.queue import place_of

    return staff_ticket(ticket, place_of(session, ticket, now=now, at_slots=False), now=now)  # as the list


def ticket_events(session: Session, *, ticket_id: int, actor: Actor) -> list[dict]:
    """Return a ticket's event log, oldest first."""
    ticket = session.get(Ticket, ticket_id)
    if ticket is None:
        raise NotFound("no such ticket")
    actor.require_location(ticket.location_id, ticket.location.organization_id)
    rows = session.scalars(
        select(TicketEvent).where(TicketEvent.ticket_id == ticket_id).order_by(TicketEvent.id)
    )
    return [
        {
            "at": iso(row.at),
            "action": row.action,
            "from": row.from_status,
            "to": row.to_status,
            "actor": row.actor_kind,
            "user_id": row.actor_user_id,
            "counter_id": row.counter_id,
            "service_id": row.service_id,
            "details": row.details,
        }
        for row in rows
    ]
