"""Open the feedback form on the customer's live ticket page when staff finish the visit."""

from __future__ import annotations

import logging

from qserve.db import read_session
from qserve.domain.events import DomainEvent, TicketFinished
from qserve.insights.feedback import asks_for_feedback, feedback_path

log = logging.getLogger(__name__)

EVENT = "feedback_requested"


def feedback_requests(events: list[DomainEvent]) -> list[tuple[str, dict]]:
    """Return (ticket token, payload) for each finished visit among committed events."""
    return [
        (e.token, {"url": feedback_path(e.token), "number": e.number})
        for e in events
        if isinstance(e, TicketFinished)
    ]


def publish_feedback_requests(events: list[DomainEvent]) -> None:
    """Emit `feedback_requested` {url, number} to the ticket's room on namespace /ticket (after commit)."""
    from qserve.extensions import socketio
    from qserve.realtime.rooms import ticket_room

    finished = [e for e in events if isinstance(e, TicketFinished)]
    if not finished:
        return
    with read_session() as session:  # a location that turned its form off asks nobody
        asking = {e.location_id for e in finished if asks_for_feedback(session, location_id=e.location_id)}
    for token, payload in feedback_requests([e for e in finished if e.location_id in asking]):
        socketio.emit(EVENT, payload, to=ticket_room(token), namespace="/ticket")
