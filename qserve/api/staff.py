"""Staff API (bearer token or signed-in session): the queue, call next, and actions on tickets."""

from __future__ import annotations

from flask import jsonify

from qserve.api import bp
from qserve.api.inputs import bool_field, int_field, json_body, staff_actor, str_field
from qserve.db import read_session, utcnow
from qserve.services import calling, counters
from qserve.services.locations import counter_view
from qserve.services.staffview import location_queue, ticket_events, ticket_for_staff


def _staff_ticket(ticket_id: int):
    with read_session() as session:
        return jsonify(ticket_for_staff(session, ticket_id=ticket_id, actor=staff_actor(), now=utcnow()))


@bp.get("/locations/<slug>/queue")
def get_queue(slug: str):
    """Return the location's live queue for staff."""
    actor = staff_actor()
    with read_session() as session:
        return jsonify(location_queue(session, slug=slug, actor=actor, now=utcnow()))


@bp.post("/counters/<int:counter_id>/call-next")
def call_next(counter_id: int):
    """Call the next customer to a counter: 200 with the ticket, 204 when nobody waits."""
    ticket_id = calling.call_next(counter_id=counter_id, actor=staff_actor(), now=utcnow())
    if ticket_id is None:
        return "", 204
    return _staff_ticket(ticket_id)


@bp.post("/counters/<int:counter_id>/call")
def call_specific(counter_id: int):
    """Call one ticket out of order, with a reason."""
    body = json_body()
    ticket_id = calling.call_ticket(
        ticket_id=int_field(body, "ticket_id"),
        counter_id=counter_id,
        actor=staff_actor(),
        now=utcnow(),
        reason=str_field(body, "reason") or "",
    )
    return _staff_ticket(ticket_id)


@bp.post("/counters/<int:counter_id>/open")
def open_counter(counter_id: int):
    """Open a counter for the caller, optionally choosing which of its services to serve."""
    body = json_body()
    service_ids = body.get("service_ids")
    if service_ids is not None and not (
        isinstance(service_ids, list) and all(isinstance(i, int) for i in service_ids)
    ):
        from qserve.domain.errors import ValidationFailed

        raise ValidationFailed("service_ids must be a list of integers", field="service_ids")
    counters.open_counter(counter_id=counter_id, actor=staff_actor(), now=utcnow(), service_ids=service_ids)
    return _counter(counter_id)


@bp.post("/counters/<int:counter_id>/close")
def close_counter(counter_id: int):
    """Close a counter."""
    counters.close_counter(counter_id=counter_id, actor=staff_actor(), now=utcnow())
    return _counter(counter_id)


def _counter(counter_id: int):
    from qserve.models import Counter

    with read_session() as session:
        return jsonify(counter_view(session.get(Counter, counter_id)))


@bp.get("/staff/tickets/<int:ticket_id>")
def get_staff_ticket(ticket_id: int):
    """Return one ticket's staff view."""
    return _staff_ticket(ticket_id)


@bp.get("/tickets/<int:ticket_id>/events")
def get_ticket_events(ticket_id: int):
    """Return a ticket's event log."""
    actor = staff_actor()
    with read_session() as session:
        return jsonify({"events": ticket_events(session, ticket_id=ticket_id, actor=actor)})


@bp.post("/tickets/<int:ticket_id>/<action>")
def act(ticket_id: int, action: str):
    """Apply a staff action (recall, start, finish, no-show, park, resume, transfer, cancel, ...)."""
    body = json_body()
    ticket_id = calling.act_on_ticket(
        ticket_id=ticket_id,
        action=action,
        actor=staff_actor(),
        now=utcnow(),
        service_id=int_field(body, "service_id", required=False),
        keep_place=bool_field(body, "keep_place", default=True),
        reason=str_field(body, "reason"),
    )
    return _staff_ticket(ticket_id)
