"""Opening and closing counters, and choosing the services a counter serves today."""

from __future__ import annotations

from datetime import datetime

from qserve.db import transaction
from qserve.domain.actors import Actor
from qserve.domain.errors import NotFound, ValidationFailed
from qserve.domain.events import CounterChanged
from qserve.models import Counter


def open_counter(
    *, counter_id: int, actor: Actor, now: datetime, service_ids: list[int] | None = None
) -> int:
    """Open a counter for the acting staff member, serving some or all of its services."""
    with transaction() as tx:
        counter = tx.session.get(Counter, counter_id)
        if counter is None:
            raise NotFound("no such counter")
        actor.require_location(counter.location_id, counter.location.organization_id)
        possible = {service.id for service in counter.services}
        chosen = set(service_ids or [])
        if chosen - possible:
            raise ValidationFailed("this counter does not serve some of these services", field="service_ids")
        counter.active_service_ids = sorted(chosen)
        counter.is_open = True
        counter.staff_id = actor.user_id
        counter.opened_at = now
        tx.record(CounterChanged(counter_id=counter.id, location_id=counter.location_id, is_open=True))
        return counter.id


def close_counter(*, counter_id: int, actor: Actor, now: datetime) -> int:
    """Close a counter; its waiting customers stay in line for the other counters."""
    with transaction() as tx:
        counter = tx.session.get(Counter, counter_id)
        if counter is None:
            raise NotFound("no such counter")
        actor.require_location(counter.location_id, counter.location.organization_id)
        counter.is_open = False
        counter.staff_id = None
        tx.record(CounterChanged(counter_id=counter.id, location_id=counter.location_id, is_open=False))
        return counter.id
