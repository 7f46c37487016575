"""Core jobs: keep the stored estimates of waiting tickets fresh as time passes, prune the outbox, and close
the tickets left in line once a location's day has ended."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, distinct, select

from qserve.db import read_session, transaction
from qserve.models import OutboxMessage, Ticket
from qserve.services.closing import close_ended_days

OUTBOX_KEPT = timedelta(days=14)  # delivered, failed and skipped messages are kept this long for support
PRUNE_BATCH = 1000


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


def prune_outbox(now: datetime) -> int:
    """Delete outbox messages that were settled (sent, failed or skipped) more than two weeks ago, in small
    batches so writers are never held up; pending messages are never touched. Return how many went."""
    removed = 0
    while True:
        with transaction() as tx:
            ids = tx.session.scalars(
                select(OutboxMessage.id)
                .where(OutboxMessage.status != "pending", OutboxMessage.created_at < now - OUTBOX_KEPT)
                .limit(PRUNE_BATCH)
            ).all()
            if ids:
                tx.session.execute(delete(OutboxMessage).where(OutboxMessage.id.in_(ids)))
        removed += len(ids)
        if len(ids) < PRUNE_BATCH:
            return removed


JOBS = [
    ("refresh-estimates", 30, refresh_waiting_locations),
    ("prune-outbox", 3600, prune_outbox),
    ("close-ended-days", 300, close_ended_days),
]
