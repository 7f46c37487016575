"""Socket.IO handlers: clients say what they watch and get the current state at once (resync on reconnect)."""

from __future__ import annotations

from flask_login import current_user
from flask_socketio import emit, join_room

from qserve.db import read_session, utcnow
from qserve.domain.errors import QServeError
from qserve.extensions import socketio
from qserve.realtime.rooms import counter_room, display_room, service_room, staff_room, ticket_room
from qserve.services.accounts import actor_for
from qserve.services.locations import location_by_slug
from qserve.services.tickets import ticket_by_token
from qserve.services.views import ticket_with_place


def _error(error: QServeError) -> dict:
    return {"error": {"code": error.code, "message": error.message}}


@socketio.on("watch", namespace="/ticket")
def watch_ticket(data):
    """Follow one ticket: join its room and its service's room, and get its state now."""
    token = (data or {}).get("token") if isinstance(data, dict) else None
    if not isinstance(token, str):
        return {"error": {"code": "bad_request", "message": "send {token}"}}
    try:
        with read_session() as session:
            ticket = ticket_by_token(session, token)
            view = ticket_with_place(session, ticket, now=utcnow())
    except QServeError as error:
        return _error(error)
    join_room(ticket_room(token))
    join_room(service_room(view["service_id"]))
    emit("ticket_updated", view)
    return {"ok": True}


@socketio.on("watch", namespace="/display")
def watch_display(data):
    """Follow a location's calls on a waiting-room display."""
    slug = (data or {}).get("location") if isinstance(data, dict) else None
    try:
        with read_session() as session:
            location = location_by_slug(session, str(slug))
            location_id = location.id
    except QServeError as error:
        return _error(error)
    join_room(display_room(location_id))
    return {"ok": True, "location_id": location_id}


@socketio.on("connect", namespace="/staff")
def connect_staff(auth=None):
    """Accept staff tablets only from signed-in users."""
    return bool(current_user.is_authenticated)


@socketio.on("watch", namespace="/staff")
def watch_staff(data):
    """Follow a location's queue (and a counter's calls) on a staff tablet."""
    data = data if isinstance(data, dict) else {}
    try:
        with read_session() as session:
            location = location_by_slug(session, str(data.get("location")))
            actor_for(current_user).require_location(location.id, location.organization_id)
            location_id = location.id
    except QServeError as error:
        return _error(error)
    join_room(staff_room(location_id))
    if isinstance(data.get("counter_id"), int):
        join_room(counter_room(data["counter_id"]))
    return {"ok": True, "location_id": location_id}
