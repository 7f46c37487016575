"""Small JSON additions for the tablet under /staff/api: notes, and calling a parked ticket back."""

from __future__ import annotations

from flask import jsonify

from qserve.api.inputs import int_field, json_body, staff_actor, str_field
from qserve.db import read_session, utcnow
from qserve.domain.errors import ValidationFailed
from qserve.services.staffview import ticket_for_staff
from qserve.staff.pages import bp
from qserve.staff.services import MAX_NOTES, call_back_parked, update_notes


def _ticket_view(ticket_id: int):
    with read_session() as session:
        return jsonify(ticket_for_staff(session, ticket_id=ticket_id, actor=staff_actor(), now=utcnow()))


@bp.post("/api/tickets/<int:ticket_id>/notes")
def save_notes(ticket_id: int):
    """Replace a ticket's staff notes."""
    notes = str_field(json_body(), "notes", max_length=MAX_NOTES)
    if notes is None:
        raise ValidationFailed("notes are required", field="notes")
    update_notes(ticket_id=ticket_id, notes=notes, actor=staff_actor())
    return _ticket_view(ticket_id)


@bp.post("/api/counters/<int:counter_id>/call-back")
def call_back(counter_id: int):
    """Call a parked ticket back to this counter."""
    ticket_id = int_field(json_body(), "ticket_id")
    call_back_parked(ticket_id=ticket_id, counter_id=counter_id, actor=staff_actor(), now=utcnow())
    return _ticket_view(ticket_id)
