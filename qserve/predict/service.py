"""Serve predictions to the app: build a snapshot from the database and feed the estimator closed tickets.

`LearnedEstimator` has the shape `qserve.services.refresh` expects of the app's estimator
(`estimate(session, location, waiting, places, now) -> {ticket_id: estimate}`), so installing it is
`app.extensions["qserve.estimator"] = LearnedEstimator.load_or_cold(path, session)`. It never trains: the
scheduler's job does (see `qserve.predict.jobs`), and the app reloads the file when it changes.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from qserve.domain.lifecycle import Status
from qserve.domain.ordering import Candidate, FairnessKind, FairnessRule, priority_streak
from qserve.models import Counter, Location, Service, Ticket
from qserve.models.organization import counter_services, serving_ids
from qserve.predict.estimator import Estimator
from qserve.predict.localtime import local, zone
from qserve.predict.snapshot import CounterState, QueueSnapshot, WaitEstimate, WaitingTicket

RECENT_CALLS = 20
NEWCOMER_PRIORITIES = (0, 1)  # newcomers whose estimate each refresh prepares, per service
# Beyond this, the services under way have moved on too much. Either way: a request's clock, read when it
# began, may be a little behind the refresh that another request or thread finished meanwhile.
NEWCOMER_CACHE = timedelta(seconds=30)
log = logging.getLogger(__name__)
BUSY = (Status.CALLED.value, Status.SERVING.value)


def location_snapshot(
    session: Session, location: Location, waiting: list[Candidate] | list[Ticket], now: datetime
) -> QueueSnapshot:
    """Describe a location now: its counters (open, staff, services, whom they serve) and its waiting line."""
    tickets = tuple(_waiting_ticket(item) for item in waiting)
    rule = FairnessRule.from_settings(location.fairness)
    local_now = local(now, zone(location.time_zone))  # the estimator's hours are the location's
    states = counter_states(session, location.id)
    return QueueSnapshot(local_now, states, tickets, rule, _streak(session, location.id, rule))


def counter_states(session: Session, location_id: int) -> tuple[CounterState, ...]:
    """Return the state of a location's counters, in id order: open, staff, the services they call from
    and the ticket each is busy with (three small queries, no ORM objects)."""
    counters = session.execute(
        select(Counter.id, Counter.is_open, Counter.staff_id, Counter.active_service_ids)
        .where(Counter.location_id == location_id)
        .order_by(Counter.id)
    ).all()
    possible: dict[int, set[int]] = {}
    for counter_id, service_id in session.execute(
        select(counter_services.c.counter_id, counter_services.c.service_id).where(
            counter_services.c.counter_id.in_([c.id for c in counters])
        )
    ):
        possible.setdefault(counter_id, set()).add(service_id)
    busy = {
        row.counter_id: row
        for row in session.execute(
            select(Ticket.counter_id, Ticket.service_id, Ticket.serving_started_at).where(
                Ticket.location_id == location_id, Ticket.status.in_(BUSY)
            )
        )
    }
    states = []
    for counter in counters:
        current = busy.get(counter.id)
        services = serving_ids(possible.get(counter.id, set()), counter.active_service_ids)
        states.append(
            CounterState(
                counter_id=counter.id,
                service_ids=frozenset(services),
                open=bool(counter.is_open),
                staff_id=counter.staff_id,
                serving_service_id=current.service_id if current is not None else None,
                serving_started_at=current.serving_started_at if current is not None else None,
            )
        )
    return tuple(states)


def waiting_candidates(session: Session, location_id: int) -> list[Candidate]:
    """Return a location's waiting tickets as the call-next rules see them."""
    query = select(
        Ticket.id, Ticket.service_id, Ticket.priority, Ticket.queued_at, Ticket.appointment_at
    ).where(Ticket.location_id == location_id, Ticket.status == Status.WAITING.value)
    return [Candidate(*row) for row in session.execute(query)]


def state_key(snapshot: QueueSnapshot) -> tuple:
    """Return what a newcomer's estimate depends on in a snapshot, apart from the time."""
    waiting = sorted(
        (t.ticket_id, t.service_id, t.priority, t.queued_at, t.appointment_at) for t in snapshot.waiting
    )
    return (tuple(waiting), snapshot.counters, snapshot.rule, snapshot.priority_streak)


def _waiting_ticket(item: Candidate | Ticket) -> WaitingTicket:
    """Describe a waiting ticket given as the call-next rules' Candidate or as the Ticket row."""
    if isinstance(item, Candidate):
        return WaitingTicket(
            item.ticket_id, item.service_id, item.priority, item.queued_at, item.appointment_at
        )
    return WaitingTicket(
        item.id, item.service_id, item.priority, item.queued_at, item.appointment_at, joined_at=item.joined_at
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


@dataclass(frozen=True)
class _Newcomers:
    """The estimates a ticket of each (service, priority) joining a location would get, and the state
    of the location they were computed for: its counters, how many waited and the newest of them, and
    how much one more ticket of each service adds to a newcomer's wait."""

    state: tuple
    at: datetime
    estimates: dict[tuple[int, int], WaitEstimate]
    counters: tuple = ()
    streak: int = 0
    waiting: int = 0
    last_id: int = 0
    marginal_s: dict[int, float] | None = None


def _marginal_waits(
    location: Location, snapshot: QueueSnapshot, estimates: dict, joining: dict
) -> dict[int, float]:
    """Return, per service, what one more ticket in line adds to the wait of the next one to join: the
    newcomer's wait less that of the last ticket already waiting there, or one service time shared by the
    open counters that serve it when nobody waits."""
    last: dict[int, int] = {}
    for ticket in snapshot.waiting:
        if ticket.priority == 0 and ticket.appointment_at is None:
            last[ticket.service_id] = ticket.ticket_id
    marginal = {}
    for service in location.services:
        newcomer = joining.get((service.id, 0))
        before = estimates.get(last.get(service.id))
        if newcomer is not None and before is not None:
            marginal[service.id] = max(0.0, float(newcomer.p50_s - before.p50_s))
            continue
        serving = sum(1 for c in snapshot.counters if c.open and service.id in c.service_ids)
        marginal[service.id] = float(service.default_duration_s) / max(1, serving)
    return marginal


class LearnedEstimator:
    """The app's estimator: one Estimator per process, fed as tickets close, reloaded when retrained."""

    def __init__(self, estimator: Estimator, path: str | Path | None = None) -> None:
        self.estimator = estimator
        self.path = Path(path) if path else None
        self.loaded_mtime = self._mtime()
        self.lock = threading.Lock()  # gevent and threads: one prediction or update at a time
        self.newcomers: dict[int, _Newcomers] = {}  # location id -> what a ticket joining now would get

    @classmethod
    def load_or_cold(cls, path: str | Path | None, session: Session) -> LearnedEstimator:
        """Load the trained estimator from `path`, or start cold from the services' default durations
        (also when the file is of an older format: the next training replaces it)."""
        if path and Path(path).exists():
            try:
                return cls(Estimator.load(path), path)
            except ValueError as error:
                log.warning("starting cold: %s", error)
        defaults = {s.id: float(s.default_duration_s) for s in session.scalars(select(Service))}
        return cls(Estimator.cold(defaults), path)

    def estimate(self, session, location: Location, waiting: list[Candidate], places, now: datetime) -> dict:
        """Return a WaitEstimate for each waiting ticket id of a location (Candidates or Ticket rows), and
        remember what a ticket joining now would get, for `newcomer_estimate`."""
        self.reload_if_retrained()
        for service in location.services:
            if service.id not in self.estimator.durations.default_durations_s:
                self.estimator.set_default_duration(service.id, service.default_duration_s)
        snapshot = location_snapshot(session, location, waiting, now)
        kinds = [(service.id, priority) for service in location.services for priority in NEWCOMER_PRIORITIES]
        with self.lock:
            estimates, joining = self.estimator.predict_with_newcomers(snapshot, kinds)
            self.newcomers[location.id] = _Newcomers(
                state_key(snapshot),
                now,
                joining,
                counters=snapshot.counters,
                streak=snapshot.priority_streak,
                waiting=len(snapshot.waiting),
                last_id=max((t.ticket_id for t in snapshot.waiting), default=0),
                marginal_s=_marginal_waits(location, snapshot, estimates, joining),
            )
        return estimates

    def newcomer_estimate(self, session: Session, ticket: Ticket, now: datetime) -> WaitEstimate | None:
        """Return the estimate of a ticket that has just joined (flushed, still waiting).

        When the location is as it was at its last refresh, a moment ago, this is the estimate that
        refresh computed for a newcomer of the ticket's service and priority: a lookup. Otherwise (a change
        not yet refreshed, an appointment) the location is simulated with the ticket in line.
        """
        location = ticket.location
        quick = self._newcomer_from_cache(session, ticket, now)
        if quick is not None:
            return quick
        others = [c for c in waiting_candidates(session, location.id) if c.ticket_id != ticket.id]
        snapshot = location_snapshot(session, location, others, now)
        cached = self.newcomers.get(location.id)
        kind = (ticket.service_id, ticket.priority)
        if (
            ticket.appointment_at is None
            and cached is not None
            and abs(now - cached.at) <= NEWCOMER_CACHE
            and kind in cached.estimates
            and cached.state == state_key(snapshot)
        ):
            return cached.estimates[kind]
        joined = replace(snapshot, waiting=(*snapshot.waiting, _waiting_ticket(ticket)))
        with self.lock:
            return self.estimator.predict(joined).get(ticket.id)

    def _newcomer_from_cache(self, session: Session, ticket: Ticket, now: datetime) -> WaitEstimate | None:
        """Answer a join without loading the whole line when, since the last refresh, the counters are as
        they were and nobody then in line has left it: the prepared newcomer's wait plus
        what each ticket that joined since, ahead of this one in its service, adds. The next refresh, a
        moment later, simulates the location afresh. Return None when that shortcut does not hold.

        It reads one count over the location's line and the counters' state, never the line itself."""
        cached = self.newcomers.get(ticket.location_id)
        kind = (ticket.service_id, ticket.priority)
        if (
            cached is None
            or cached.marginal_s is None
            or ticket.appointment_at is not None
            or kind not in cached.estimates
            or abs(now - cached.at) > NEWCOMER_CACHE
        ):
            return None
        newer = Ticket.id > cached.last_id
        ahead_of_it = (Ticket.service_id == ticket.service_id) & (Ticket.priority >= ticket.priority)
        still, booked, joined_ahead = session.execute(
            select(
                func.count(case((~newer, 1))),
                func.count(case((newer & Ticket.appointment_at.is_not(None), 1))),
                func.count(case((newer & ahead_of_it, 1))),
            ).where(
                Ticket.location_id == ticket.location_id,
                Ticket.status == Status.WAITING.value,
                Ticket.id != ticket.id,
            )
        ).one()
        if booked:
            return None  # a booking came in: it goes by its slot, simulate
        if still < cached.waiting:
            return None  # someone of the line then was called or left: simulate
        if counter_states(session, ticket.location_id) != cached.counters:
            return None
        rule = FairnessRule.from_settings(ticket.location.fairness)
        if _streak(session, ticket.location_id, rule) != cached.streak:
            return None
        # More than then: joins the refresh did not see yet (PostgreSQL commits them in any order).
        ahead = (still - cached.waiting) + joined_ahead
        shift = int(ahead * cached.marginal_s.get(ticket.service_id, 0.0))
        prepared = cached.estimates[kind]
        return replace(
            prepared, p10_s=prepared.p10_s + shift, p50_s=prepared.p50_s + shift, p90_s=prepared.p90_s + shift
        )

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
                self.estimator, self.loaded_mtime, self.newcomers = fresh, mtime, {}

    def _mtime(self) -> float | None:
        try:
            return self.path.stat().st_mtime if self.path else None
        except FileNotFoundError:
            return None


def observe_ticket(estimator: Estimator, ticket: Ticket) -> None:
    """Teach an estimator what a ticket's latest step says: a call, a finished service or a closed visit
    (in the location's local time, so that durations are learned by its hours and weekdays)."""
    place = zone(ticket.location.time_zone)
    joined_at, called_at = local(ticket.joined_at, place), local(ticket.called_at, place)
    status = Status(ticket.status)
    if status == Status.CALLED and called_at is not None:
        estimator.observe_called(service_id=ticket.service_id, joined_at=joined_at, called_at=called_at)
        return
    if status == Status.DONE and ticket.serving_started_at and ticket.finished_at:
        estimator.observe_finished(
            service_id=ticket.service_id,
            staff_id=ticket.served_by_id,
            started_at=local(ticket.serving_started_at, place),
            finished_at=local(ticket.finished_at, place),
            called_at=called_at,
        )
    outcome = {Status.DONE: "served", Status.NO_SHOW: "no_show", Status.CANCELLED: "cancelled"}.get(status)
    if outcome is not None:
        estimator.observe_outcome(
            service_id=ticket.service_id,
            outcome=outcome,
            joined_at=joined_at,
            priority=ticket.priority,
            called_at=called_at,
            closed_at=local(ticket.finished_at or ticket.closed_at, place),
        )
