"""Recompute a location's positions and wait estimates after a change, store them, and return what changed."""

from __future__ import annotations

from collections import Counter as Tally  # not the model: counts of things
from datetime import datetime

from flask import current_app
from sqlalchemy import bindparam, or_, select, update
from sqlalchemy.orm import Session

from qserve.db import read_session, transaction
from qserve.domain.lifecycle import OPEN_STATUSES, Status
from qserve.domain.ordering import Candidate, FairnessRule, before_slot
from qserve.models import Location, Ticket
from qserve.services.estimates import WaitRange, queueing_estimate, slot_waits
from qserve.services.opening import until_opening_s
from qserve.services.queue import line_census, location_streak, places_by_service, serving_counters
from qserve.services.views import public_ticket

# Store a new estimate only when it moved this much, so a busy queue does not rewrite every row.
STORE_THRESHOLD_S = 20
STATE_COLUMNS = (
    Ticket.id,
    Ticket.public_token,
    Ticket.status,
    Ticket.service_id,
    Ticket.priority,
    Ticket.queued_at,
    Ticket.appointment_at,
    Ticket.counter_id,
    Ticket.estimate_p50_s,
    Ticket.joined_estimate_p50_s,
)


class QueueingEstimator:
    """The estimate before any history is learned: people ahead x default duration / open counters."""

    def estimate(
        self, session: Session, location: Location, waiting: list[Candidate], places: dict, now: datetime
    ) -> dict[int, WaitRange]:
        """Return a WaitRange for each waiting ticket id."""
        durations, open_per_service = service_capacity(session, location)
        return {
            c.ticket_id: queueing_estimate(
                ahead=places[c.ticket_id].ahead,
                duration_s=durations[c.service_id],
                counters=open_per_service[c.service_id],
            )
            for c in waiting
        }


def service_capacity(session: Session, location: Location) -> tuple[dict[int, int], dict[int, int]]:
    """Return, per service of a location, its default duration and how many open counters serve it."""
    counters = serving_counters(session, location_id=location.id)
    durations = {s.id: s.default_duration_s for s in location.services}
    serving = {s.id: sum(1 for c in counters if s.id in c.serving_service_ids()) for s in location.services}
    return durations, serving


def current_estimator(session: Session):
    """Return the app's estimator: the learned one when the predict package is plugged in."""
    estimator = current_app.extensions.get("qserve.estimator")
    if estimator is None:
        factory = current_app.extensions.get("qserve.estimator_factory")
        estimator = factory(session) if factory else QueueingEstimator()
        current_app.extensions["qserve.estimator"] = estimator
    return estimator


def refresh_location(
    *, location_id: int, now: datetime, tokens=frozenset(), known: dict | None = None, listening=None
) -> dict:
    """Recompute positions and estimates of a location's open tickets; return the views that changed.

    `tokens` are tickets that changed for sure; `known` maps tokens to the state last published,
    so that only tickets whose status, position or estimate moved are loaded and returned; `listening`,
    when given, limits those to the tickets whose page is open (nobody else needs a view built: a page
    that opens later asks for its ticket as it is then).
    """
    known = known or {}
    # Computed outside the writer's lock (on SQLite a write transaction would hold up every join and call
    # for as long as a long line takes to estimate); only the estimates that moved are written, briefly.
    with read_session() as session:
        location = session.get(Location, location_id)
        open_or_named = or_(
            Ticket.status.in_([s.value for s in OPEN_STATUSES]), Ticket.public_token.in_(tokens)
        )
        rows = session.execute(
            select(*STATE_COLUMNS).where(Ticket.location_id == location_id, open_or_named)
        ).all()
        waiting_rows = [r for r in rows if r.status == Status.WAITING]
        waiting = [
            Candidate(r.id, r.service_id, r.priority, r.queued_at, r.appointment_at) for r in waiting_rows
        ]
        rule = FairnessRule.from_settings(location.fairness)
        streak = location_streak(session, location_id=location_id) if rule.kind == "max_in_row" else 0
        places = places_by_service(waiting, rule=rule, now=now, streak=streak, at_slots=True)
        estimates = current_estimator(session).estimate(session, location, waiting, places, now)
        closed_s = until_opening_s(location, now)  # nobody is called before the doors open
        if closed_s:
            estimates = {
                ticket_id: WaitRange.of(wait).later_by(closed_s) for ticket_id, wait in estimates.items()
            }
        # Before its slot an appointment waits for the slot, whatever an estimator makes of it among walk-ins
        # (the counters are read again only when such an appointment waits: not on a walk-in line's refresh).
        if any(before_slot(candidate, now) for candidate in waiting):
            durations, serving = service_capacity(session, location)
            estimates |= slot_waits(waiting, now=now, duration_s=durations, counters=serving)
        summary = location_counts(session, location, Tally(c.service_id for c in waiting))
    moved = _moved_estimates(waiting_rows, estimates)
    if moved:
        with transaction() as tx:
            _store_estimates(tx.session, moved, now)
    keys = {r.public_token: _key(r, places, estimates) for r in rows}
    changed = {
        r.id
        for r in rows
        if (r.public_token in tokens or known.get(r.public_token) != keys[r.public_token])
        and (listening is None or r.public_token in listening)
    }
    with read_session() as session:
        views = _views(session, changed, places, estimates, now)
    return {
        "location_id": location_id,
        "tickets": views,
        "keys": {view["token"]: keys[view["token"]] for view in views},
        "summary": summary,
    }


def refreshed_view(ticket_id: int, *, now: datetime) -> dict:
    """Return a ticket's public view with its place and estimate worked out afresh (and its location's moved
    estimates stored): for the answer to a move the stored estimate does not know yet ("I need more time"),
    which the page shows at once, before the coalesced refresh comes."""
    with read_session() as session:
        ticket = session.get(Ticket, ticket_id)
        location_id, token = ticket.location_id, ticket.public_token
    (view,) = refresh_location(location_id=location_id, now=now, tokens={token}, listening={token})["tickets"]
    return view


def _key(row, places: dict, estimates: dict) -> tuple:
    place = places.get(row.id)
    estimate = estimates.get(row.id)
    return (
        row.status,
        place.position if place else None,
        estimate.p50_s if estimate else None,
        row.service_id,
        row.counter_id,
    )


def _views(session: Session, ids: set[int], places: dict, estimates: dict, now: datetime) -> list[dict]:
    if not ids:
        return []
    tickets = session.scalars(select(Ticket).where(Ticket.id.in_(ids)).order_by(Ticket.id))
    return [public_ticket(t, places.get(t.id), now=now, estimate=estimates.get(t.id)) for t in tickets]


def _moved_estimates(rows, estimates: dict) -> list[dict]:
    """Return the estimates that moved enough to be stored, as parameters of _store_estimates."""
    return [
        {"ticket_id": row.id, "p10": estimate.p10_s, "p50": estimate.p50_s, "p90": estimate.p90_s}
        for row in rows
        if (estimate := estimates.get(row.id)) is not None
        and (row.estimate_p50_s is None or abs(row.estimate_p50_s - estimate.p50_s) >= _threshold(row))
    ]


def _store_estimates(session: Session, moved: list[dict], now: datetime) -> None:
    """Write the estimates that moved, in one batch, without bumping the tickets' optimistic version, to the
    tickets still waiting (one called since they were computed keeps what it had).

    On PostgreSQL a row that a counter is calling right now is skipped (SKIP LOCKED) rather than waited
    for: the estimate of a ticket being called is moot, and staff must never wait for a refresh.
    """
    table = Ticket.__table__
    if session.get_bind().dialect.name == "postgresql":
        lockable = set(
            session.scalars(
                select(table.c.id)
                .where(table.c.id.in_([m["ticket_id"] for m in moved]))
                .order_by(table.c.id)
                .with_for_update(key_share=True, skip_locked=True)
            )
        )
        moved = [m for m in moved if m["ticket_id"] in lockable]
    statement = (
        update(table)
        .where(table.c.id == bindparam("ticket_id"), table.c.status == Status.WAITING.value)
        .values(
            estimate_p10_s=bindparam("p10"),
            estimate_p50_s=bindparam("p50"),
            estimate_p90_s=bindparam("p90"),
            estimate_updated_at=now,
        )
    )
    if moved:
        session.connection().execute(statement, moved)


def _threshold(row) -> float:
    """Store a new estimate when it moved by 20 s and by a tenth, so a busy queue is not rewritten."""
    return max(STORE_THRESHOLD_S, 0.1 * (row.estimate_p50_s or 0))


def summarize_location(*, location_id: int) -> dict:
    """Return a location's waiting counts and state for displays and tablets, as refresh_location does but
    without recomputing anyone's place or estimate: what plain joins change (nobody else moved)."""
    with read_session() as session:
        location = session.get(Location, location_id)
        service_ids = [service.id for service in location.services]
        summary = location_counts(session, location, line_census(session, service_ids=service_ids).waiting)
    return {"location_id": location_id, "tickets": [], "keys": {}, "summary": summary}


def location_counts(session: Session, location: Location, counts: dict[int, int]) -> dict:
    """Return the waiting counts per service, which are open, the counters open and the display's message
    line, for displays and tablets (so a manager's change shows at once)."""
    return {
        "location": location.slug,
        "services": [
            {
                "id": s.id,
                "name": s.name(),
                "names": s.names,
                "prefix": s.prefix,
                "waiting": counts.get(s.id, 0),
                "is_open": s.is_open,
            }
            for s in location.services
        ],
        "counters_open": len(serving_counters(session, location_id=location.id)),
        "message": location.display_message or "",
    }
