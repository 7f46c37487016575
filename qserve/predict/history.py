"""Load qserve's own history as event-log rows (the one part of `predict` that reads the database)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from qserve.domain.lifecycle import Status
from qserve.domain.ordering import FairnessRule
from qserve.models import Location, Service, Ticket
from qserve.predict.eventlog import EventLogRow
from qserve.predict.localtime import local, zone

OUTCOMES = {Status.DONE: "served", Status.NO_SHOW: "no_show", Status.CANCELLED: "cancelled"}


def export_eventlog(
    session: Session, *, location_id: int | None = None, since: datetime | None = None
) -> list[EventLogRow]:
    """Return the closed tickets (done, no-show, cancelled) as event-log rows, ids as names, by join time,
    with times in each location's local time (its offset written with them)."""
    zones = {key: zone(name) for key, name in session.execute(select(Location.id, Location.time_zone))}
    columns = (
        Ticket.location_id,
        Ticket.id,
        Ticket.service_id,
        Ticket.priority,
        Ticket.joined_at,
        Ticket.called_at,
        Ticket.serving_started_at,
        Ticket.finished_at,
        Ticket.closed_at,
        Ticket.status,
        Ticket.counter_id,
        Ticket.served_by_id,
    )
    query = select(*columns).where(Ticket.status.in_([status.value for status in OUTCOMES]))
    if location_id is not None:
        query = query.where(Ticket.location_id == location_id)
    if since is not None:
        query = query.where(Ticket.joined_at >= since)
    ordered = session.execute(query.order_by(Ticket.joined_at, Ticket.id))
    return [_row(zones[location], *values) for location, *values in ordered]


def _row(
    place,
    ticket_id,
    service_id,
    priority,
    joined_at,
    called_at,
    started_at,
    finished_at,
    closed_at,
    status,
    counter_id,
    staff_id,
) -> EventLogRow:
    return EventLogRow(
        ticket_id=str(ticket_id),
        service=str(service_id),
        priority=int(priority or 0),
        joined_at=local(joined_at, place),
        called_at=local(called_at, place),
        started_at=local(started_at, place),
        finished_at=local(finished_at or closed_at, place),
        outcome=OUTCOMES[Status(status)],
        counter=str(counter_id) if counter_id is not None else None,
        staff=str(staff_id) if staff_id is not None else None,
    )


def load_history(
    session: Session, *, since: datetime | None = None, location_id: int | None = None
) -> list[tuple[list[EventLogRow], FairnessRule]]:
    """Return each location's closed tickets with the location's call-next rule, for training."""
    query = select(Location).order_by(Location.id)
    if location_id is not None:
        query = query.where(Location.id == location_id)
    locations = session.scalars(query)
    return [
        (rows, FairnessRule.from_settings(location.fairness))
        for location in locations
        if (rows := export_eventlog(session, location_id=location.id, since=since))
    ]


def default_durations(session: Session) -> dict[int, float]:
    """Return every service's configured default duration in seconds."""
    return {service.id: float(service.default_duration_s) for service in session.scalars(select(Service))}
