"""The textbook predictors qserve is measured against, fed only by the past while a log replays.

All give the time from now until the ticket is called. Those that predict a whole wait (Erlang C, LES,
HOL, the rolling average) give what is left of it: the predicted wait minus the time already waited.

Two queue-length predictors: `queue_length` is the issue's formula taken literally (place in line x mean
service time / open counters, even when a counter is free), `whitt_ql` is Whitt's queue-length predictor,
the best predictor in a plain M/M/c queue: zero while a counter that serves the ticket is free for it,
else (tickets ahead not taken by a free counter + 1) x mean / counters.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from qserve.domain.ordering import queue_order
from qserve.predict.durations import FALLBACK_DURATION_S
from qserve.predict.replay import CALL, FINISH, JOIN, ReplayTicket
from qserve.predict.snapshot import QueueSnapshot

BASELINES = ("queue_length", "whitt_ql", "erlang_c", "les", "hol", "rolling_10")
ARRIVAL_WINDOW = timedelta(hours=1)
ROLLING = 10
MAX_LOAD = 0.98  # Erlang C has no steady state at or above full load; cap it just below


@dataclass
class _ServiceHistory:
    durations_total: float = 0.0
    durations_count: int = 0
    joins: deque = field(default_factory=deque)
    waits: deque = field(default_factory=lambda: deque(maxlen=ROLLING))


class BaselineHistory:
    """A replay listener keeping what the baselines need: mean durations, recent joins and recent waits."""

    def __init__(self, default_durations_s: dict[int, float] | None = None) -> None:
        self.defaults = default_durations_s or {}
        self.services: dict[int, _ServiceHistory] = {}

    def on_event(self, kind: int, ticket: ReplayTicket, at: datetime) -> None:
        """Learn from a join, a call or a finished service."""
        history = self.services.setdefault(ticket.service_id, _ServiceHistory())
        if kind == JOIN:
            history.joins.append(at)
        elif kind == CALL:
            history.waits.append((at - ticket.joined_at).total_seconds())
        elif kind == FINISH and ticket.outcome == "served" and ticket.started_at is not None:
            history.durations_total += (at - ticket.started_at).total_seconds()
            history.durations_count += 1

    def mean_duration_s(self, service_id: int) -> float:
        """Return the mean service time seen so far (the default before any)."""
        history = self.services.get(service_id)
        if history is None or history.durations_count == 0:
            return float(self.defaults.get(service_id, FALLBACK_DURATION_S))
        return history.durations_total / history.durations_count

    def arrival_rate_per_s(self, service_id: int, now: datetime) -> float:
        """Return the joins per second over the last hour."""
        history = self.services.get(service_id)
        if history is None:
            return 0.0
        while history.joins and history.joins[0] < now - ARRIVAL_WINDOW:
            history.joins.popleft()
        return len(history.joins) / ARRIVAL_WINDOW.total_seconds()

    def predict(self, snapshot: QueueSnapshot, ticket_ids: list[int]) -> dict[str, dict[int, float]]:
        """Return {baseline: {ticket_id: seconds until called}} for some waiting tickets."""
        now = snapshot.now
        by_id = {t.ticket_id: t for t in snapshot.waiting}
        positions, heads = _positions(snapshot)
        result: dict[str, dict[int, float]] = {name: {} for name in BASELINES}
        for ticket_id in ticket_ids:
            ticket = by_id[ticket_id]
            service_id = ticket.service_id
            waited = (now - ticket.waiting_since).total_seconds()
            counters = sum(c.open and service_id in c.service_ids for c in snapshot.counters)
            free = sum(
                c.open and service_id in c.service_ids and c.serving_service_id is None
                for c in snapshot.counters
            )
            duration = self.mean_duration_s(service_id)
            history = self.services.get(service_id)
            waits = list(history.waits) if history else []
            result["queue_length"][ticket_id] = positions[ticket_id] * duration / max(counters, 1)
            result["whitt_ql"][ticket_id] = whitt_wait_s(positions[ticket_id], free, counters, duration)
            arrivals = self.arrival_rate_per_s(service_id, now)
            erlang = erlang_c_wait_s(arrivals, 1.0 / duration, max(counters, 1))
            result["erlang_c"][ticket_id] = max(erlang - waited, 0.0)
            result["les"][ticket_id] = max((waits[-1] if waits else 0.0) - waited, 0.0)
            result["hol"][ticket_id] = max((now - heads[service_id]).total_seconds() - waited, 0.0)
            result["rolling_10"][ticket_id] = max((sum(waits) / len(waits) if waits else 0.0) - waited, 0.0)
        return result


def _positions(snapshot: QueueSnapshot) -> tuple[dict[int, int], dict[int, datetime]]:
    """Return each ticket's place in its service's line (1 = next) and since when each line's head waits."""
    by_service: dict[int, list] = {}
    for ticket in snapshot.waiting:
        by_service.setdefault(ticket.service_id, []).append(ticket)
    positions, heads = {}, {}
    for service_id, tickets in by_service.items():
        order = queue_order(
            [t.candidate() for t in tickets],
            rule=snapshot.rule,
            now=snapshot.now,
            priority_streak=snapshot.priority_streak,
        )
        positions.update({c.ticket_id: rank for rank, c in enumerate(order, start=1)})
        heads[service_id] = min(t.waiting_since for t in tickets)
    return positions, heads


def whitt_wait_s(position: int, free: int, counters: int, duration_s: float) -> float:
    """Return Whitt's queue-length prediction: nothing while a free counter is left for the ticket, else
    one mean service per ticket still ahead of it, shared by the counters."""
    if position <= free:
        return 0.0
    return (position - free) * duration_s / max(counters, 1)


def erlang_c_wait_s(arrival_per_s: float, service_per_s: float, counters: int) -> float:
    """Return the mean wait in an M/M/c queue in steady state (load capped just below 1)."""
    if arrival_per_s <= 0:
        return 0.0
    load = min(arrival_per_s / (counters * service_per_s), MAX_LOAD)
    offered = load * counters
    term, total = 1.0, 1.0
    for k in range(1, counters):
        term *= offered / k
        total += term
    last = term * offered / counters / (1 - load)
    waiting_probability = last / (total + last)
    return waiting_probability / (counters * service_per_s * (1 - load))
