"""Predicted versus actual waits, per service: what the estimate announced at join against the real wait.

For managers' reports: `accuracy_by_service(session, location_id=..., since=...)` reads the estimate stored
on each ticket when it joined and the time it was actually called.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from qserve.models import Ticket


@dataclass(frozen=True)
class Announced:
    """One called ticket: the range announced at join and the wait it really had, in seconds."""

    service_id: int
    p10_s: int
    p50_s: int
    p90_s: int
    actual_s: float


def summarise(tickets: Iterable[Announced]) -> list[dict]:
    """Return per service: count, mean predicted and actual wait, MAE, mean signed error, 80% coverage."""
    by_service: dict[int, list[Announced]] = {}
    for ticket in tickets:
        by_service.setdefault(ticket.service_id, []).append(ticket)
    summary = []
    for service_id, group in sorted(by_service.items()):
        predicted = np.array([t.p50_s for t in group], dtype=float)
        actual = np.array([t.actual_s for t in group])
        inside = [t.p10_s <= t.actual_s <= t.p90_s for t in group]
        summary.append(
            {
                "service_id": service_id,
                "tickets": len(group),
                "mean_predicted_s": float(predicted.mean()),
                "mean_actual_s": float(actual.mean()),
                "mae_s": float(np.abs(predicted - actual).mean()),
                "mean_signed_error_s": float((predicted - actual).mean()),
                "coverage_80": float(np.mean(inside)),
            }
        )
    return summary


def accuracy_by_service(session: Session, *, location_id: int, since: datetime | None = None) -> list[dict]:
    """Compare the estimate given at join with the actual wait of every called ticket of a location."""
    query = select(
        Ticket.service_id,
        Ticket.joined_estimate_p10_s,
        Ticket.joined_estimate_p50_s,
        Ticket.joined_estimate_p90_s,
        Ticket.joined_at,
        Ticket.called_at,
    ).where(
        Ticket.location_id == location_id,
        Ticket.called_at.is_not(None),
        Ticket.joined_estimate_p50_s.is_not(None),
    )
    if since is not None:
        query = query.where(Ticket.joined_at >= since)
    return summarise(
        Announced(service, low, middle, high, (called - joined).total_seconds())
        for service, low, middle, high, joined, called in session.execute(query)
    )
