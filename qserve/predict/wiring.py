"""Plug the learned estimator into an app: it answers the refreshes and learns from every committed step."""

from __future__ import annotations

import logging

from flask import Flask, current_app

from qserve.domain.events import (
    DomainEvent,
    TicketCalled,
    TicketCancelled,
    TicketFinished,
    TicketMarkedNoShow,
)
from qserve.events import EventBus

log = logging.getLogger(__name__)
KEY = "qserve.estimator"
LEARNS_FROM = (TicketCalled, TicketFinished, TicketMarkedNoShow, TicketCancelled)


def init_app(app: Flask, bus: EventBus) -> None:
    """Make the learned estimator the app's estimator and feed it after each commit."""
    app.extensions["qserve.estimator_factory"] = learned_estimator
    bus.subscribe(observe_events)


def learned_estimator(session):
    """Load the trained estimator from MODEL_PATH, or start cold from the services' default durations."""
    from qserve.predict.service import LearnedEstimator

    return LearnedEstimator.load_or_cold(current_app.config.get("MODEL_PATH"), session)


def observe_events(events: list[DomainEvent]) -> None:
    """Teach the estimator what the committed events say (calls, finished services, closed visits)."""
    ticket_ids = [e.ticket_id for e in events if isinstance(e, LEARNS_FROM) and e.action != "recall"]
    estimator = current_app.extensions.get(KEY)
    if not ticket_ids or not hasattr(estimator, "observe"):
        return
    from sqlalchemy import select

    from qserve.db import read_session
    from qserve.models import Ticket

    with read_session() as session:
        tickets = {t.id: t for t in session.scalars(select(Ticket).where(Ticket.id.in_(ticket_ids)))}
        for ticket_id in dict.fromkeys(ticket_ids):  # in the order of the events, each once
            if ticket_id in tickets:
                estimator.observe(tickets[ticket_id])
