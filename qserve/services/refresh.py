"""Recompute a location's positions and wait estimates after a change, store them, and return the views."""

from __future__ import annotations

from datetime import datetime

from flask import current_app
from sqlalchemy import or_, select, update

from qserve.db import transaction
from qserve.domain.lifecycle import OPEN_STATUSES, Status
from qserve.domain.ordering import FairnessRule
from qserve.models import Location, Ticket
from qserve.services.estimates import WaitRange, queueing_estimate
from qserve.services.queue import location_streak, places_by_service, serving_counters
from qserve.services.views import public_ticket

# Store a new estimate only when it moved this much, so a busy queue does not rewrite every row.
STORE_THRESHOLD_S = 20


class QueueingEstimator:
    """The estimate before any history is learned: people ahead x default duration / open counters."""

    def estimate(
        self, session, location: Location, waiting: list[Ticket], places: dict, now: datetime
    ) -> dict:
        """Return a WaitRange for each waiting ticket id."""
        counters = serving_counters(session, location_id=location.id)
        durations = {s.id: s.default_duration_s for s in location.services}
        result = {}
        for ticket in waiting:
            serving = sum(1 for c in counters if ticket.service_id in c.serving_service_ids())
            result[ticket.id] = queueing_estimate(
                ahead=places[ticket.id].ahead, duration_s=durations[ticket.service_id], counters=serving
            )
        return result


def current_estimator():
    """Return the app's estimator (the learned one once it is installed)."""
    return current_app.extensions.setdefault("qserve.estimator", QueueingEstimator())


def refresh_location(*, location_id: int, now: datetime, tokens: set[str] | frozenset = frozenset()) -> dict:
    """Recompute positions and estimates of a location's open tickets and return views and counts."""
    with transaction() as tx:
        session = tx.session
        location = session.get(Location, location_id)
        open_or_named = or_(
            Ticket.status.in_([s.value for s in OPEN_STATUSES]), Ticket.public_token.in_(tokens)
        )
        tickets = list(
            session.scalars(select(Ticket).where(Ticket.location_id == location_id, open_or_named))
        )
        waiting = [t for t in tickets if t.status == Status.WAITING]
        rule = FairnessRule.from_settings(location.fairness)
        streak = location_streak(session, location_id=location_id) if rule.kind == "max_in_row" else 0
        places = places_by_service(waiting, rule=rule, now=now, streak=streak)
        estimates = current_estimator().estimate(session, location, waiting, places, now)
        _store_estimates(session, waiting, estimates, now)
        views = [public_ticket(t, places.get(t.id), now=now, estimate=estimates.get(t.id)) for t in tickets]
        summary = location_counts(location, waiting, session)
        return {"location_id": location_id, "tickets": views, "summary": summary}


def _store_estimates(session, waiting: list[Ticket], estimates: dict, now: datetime) -> None:
    """Write moved estimates with a plain UPDATE, so that the ticket's optimistic version is not bumped."""
    table = Ticket.__table__
    for ticket in sorted(waiting, key=lambda t: t.id):  # lock rows in id order, as ORM flushes do: no deadlocks
        estimate: WaitRange | None = estimates.get(ticket.id)
        if estimate is None:
            continue
        values = {}
        if ticket.joined_estimate_p50_s is None:
            values |= {
                "joined_estimate_p10_s": estimate.p10_s,
                "joined_estimate_p50_s": estimate.p50_s,
                "joined_estimate_p90_s": estimate.p90_s,
            }
        previous = ticket.estimate_p50_s
        if previous is None or abs(previous - estimate.p50_s) >= STORE_THRESHOLD_S:
            values |= {
                "estimate_p10_s": estimate.p10_s,
                "estimate_p50_s": estimate.p50_s,
                "estimate_p90_s": estimate.p90_s,
                "estimate_updated_at": now,
            }
        if values:
            session.execute(update(table).where(table.c.id == ticket.id).values(**values))


def location_counts(location: Location, waiting: list[Ticket], session) -> dict:
    """Return the waiting counts per service and the counters open, for displays and tablets."""
    counts: dict[int, int] = {}
    for ticket in waiting:
        counts[ticket.service_id] = counts.get(ticket.service_id, 0) + 1
    return {
        "location": location.slug,
        "services": [
            {
                "id": s.id,
                "name": s.name(),
                "names": s.names,
                "prefix": s.prefix,
                "waiting": counts.get(s.id, 0),
            }
            for s in location.services
        ],
        "counters_open": len(serving_counters(session, location_id=location.id)),
    }
