"""Serve predictions to the app: build a snapshot from the database and feed the estimator closed tickets.

`LearnedEstimator` has the shape `qserve.services.refresh` expects of the app's estimator
(`estimate(session, location, waiting, places, now) -> {ticket_id: estimate}`), so installing it is
`app.extensions["qserve.estimator"] = LearnedEstimator.load_or_cold(path, session)`. It never trains: the
scheduler's job does (see `qserve.predict.jobs`), and the app reloads the file when it changes.
"""

from __future__ import annotations

import threading
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from qserve.domain.lifecycle import Status
from qserve.domain.ordering import Candidate, FairnessKind, FairnessRule, priority_streak
from qserve.models import Counter, Location, Service, Ticket
from qserve.predict.estimator import Estimator
from qserve.predict.snapshot import CounterState, QueueSnapshot, WaitingTicket

RECENT_CALLS = 20
BUSY = (Status.CALLED.value, Status.SERVING.value)


def location_snapshot(
    session: Session, location: Location, waiting: list[Candidate] | list[Ticket], now: datetime
) -> QueueSnapshot:
    """Describe a location now: its counters (open, staff, services, whom they serve) and its waiting line."""
    counters = list(session.scalars(select(Counter).where(Counter.location_id == location.id)))
    busy = {
        t.counter_id: t
        for t in session.scalars(
            select(Ticket).where(Ticket.location_id == location.id, Ticket.status.in_(BUSY))
        )
    }
    states = tuple(_counter_state(counter, busy.get(counter.id)) for counter in counters)
    tickets = tuple(_waiting_ticket(item) for item in waiting)
    rule = FairnessRule.from_settings(location.fairness)
    return QueueSnapshot(now, states, tickets, rule, _streak(session, location.id, rule))


def _waiting_ticket(item: Candidate | Ticket) -> WaitingTicket:
    """Describe a waiting ticket given as the call-next rules' Candidate or as the Ticket row."""
    if isinstance(item, Candidate):
        return WaitingTicket(
            item.ticket_id, item.service_id, item.priority, item.queued_at, item.appointment_at
        )
    return WaitingTicket(
        item.id, item.service_id, item.priority, item.queued_at, item.appointment_at, joined_at=item.joined_at
    )


def _counter_state(counter: Counter, current: Ticket | None) -> CounterState:
    return CounterState(
        counter_id=counter.id,
        service_ids=frozenset(counter.serving_service_ids()),
        open=bool(counter.is_open),
        staff_id=counter.staff_id,
        serving_service_id=current.service_id if current is not None else None,
        serving_started_at=current.serving_started_at if current is not None else None,
    )


def _streak(session: Session, location_id: int, rule: FairnessRule) -> int:
    if rule.kind != FairnessKind.MAX_IN_ROW:
        return 0
    query = (
        select(Ticket.priority)
        .where(Ticket.location_id == location_id, Ticket.called_at.is_not(None))
        .order_by(Ticket.called_at.desc())
        .limit(RECENT_CALLS)
    )
    return priority_streak(list(session.scalars(query)))


class LearnedEstimator:
    """The app's estimator: one Estimator per process, fed as tickets close, reloaded when retrained."""

    def __init__(self, estimator: Estimator, path: str | Path | None = None) -> None:
        self.estimator = estimator
        self.path = Path(path) if path else None
        self.loaded_mtime = self._mtime()
        self.lock = threading.Lock()  # gevent and threads: one prediction or update at a time

    @classmethod
    def load_or_cold(cls, path: str | Path | None, session: Session) -> LearnedEstimator:
        """Load the trained estimator from `path`, or start cold from the services' default durations."""
        if path and Path(path).exists():
            return cls(Estimator.load(path), path)
        defaults = {s.id: float(s.default_duration_s) for s in session.scalars(select(Service))}
        return cls(Estimator.cold(defaults), path)

    def estimate(self, session, location: Location, waiting: list[Candidate], places, now: datetime) -> dict:
        """Return a WaitEstimate for each waiting ticket id of a location (Candidates or Ticket rows)."""
        if not waiting:
            return {}
        self.reload_if_retrained()
        for service in location.services:
            if service.id not in self.estimator.durations.default_durations_s:
                self.estimator.set_default_duration(service.id, service.default_duration_s)
        snapshot = location_snapshot(session, location, waiting, now)
        with self.lock:
            return self.estimator.predict(snapshot)

    def observe(self, ticket: Ticket) -> None:
        """Learn from a ticket that was just called or closed (call after the transaction commits)."""
        with self.lock:
            observe_ticket(self.estimator, ticket)

    def reload_if_retrained(self) -> None:
        """Swap in the file the training job wrote, when it is newer than the one loaded."""
        mtime = self._mtime()
        if mtime is not None and mtime != self.loaded_mtime:
            fresh = Estimator.load(self.path)
            with self.lock:
                self.estimator, self.loaded_mtime = fresh, mtime

    def _mtime(self) -> float | None:
        try:
            return self.path.stat().st_mtime if self.path else None
        except FileNotFoundError:
            return None


def observe_ticket(estimator: Estimator, ticket: Ticket) -> None:
    """Teach an estimator what a ticket's latest step says: a call, a finished service or a closed visit."""
    status = Status(ticket.status)
    if status == Status.CALLED and ticket.called_at is not None:
        estimator.observe_called(
            service_id=ticket.service_id, joined_at=ticket.joined_at, called_at=ticket.called_at
        )
        return
    if status == Status.DONE and ticket.serving_started_at and ticket.finished_at:
        estimator.observe_finished(
            service_id=ticket.service_id,
            staff_id=ticket.served_by_id,
            started_at=ticket.serving_started_at,
            finished_at=ticket.finished_at,
            called_at=ticket.called_at,
        )
    outcome = {Status.DONE: "served", Status.NO_SHOW: "no_show", Status.CANCELLED: "cancelled"}.get(status)
    if outcome is not None:
        estimator.observe_outcome(
            service_id=ticket.service_id,
            outcome=outcome,
            joined_at=ticket.joined_at,
            priority=ticket.priority,
            called_at=ticket.called_at,
            closed_at=ticket.finished_at or ticket.closed_at,
        )
