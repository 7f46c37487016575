"""Core jobs: keep the stored estimates of waiting tickets fresh as time passes."""

from __future__ import annotations

from datetime import datetime

from flask import current_app
from sqlalchemy import distinct, select

from qserve.db import read_session
from qserve.models import Ticket


def refresh_waiting_locations(now: datetime) -> int:
    """Refresh positions and estimates of every location with someone waiting; publish what moved."""
    with read_session() as session:
        location_ids = session.scalars(
            select(distinct(Ticket.location_id)).where(Ticket.status == "waiting")
        ).all()
    publisher = current_app.extensions["qserve.publisher"]
    for location_id in location_ids:
        publisher.mark(location_id)
    publisher.flush()
    return len(location_ids)


JOBS = [("refresh-estimates", 30, refresh_waiting_locations)]
