"""Serve predictions to the app: estimate locations and newcomers from snapshots of the database
(`qserve.predict.reading`) and feed the estimator closed tickets.

`LearnedEstimator` has the shape `qserve.services.refresh` expects of the app's estimator
(`estimate(session, location, waiting, places, now) -> {ticket_id: estimate}`), so installing it is
`app.extensions["qserve.estimator"] = LearnedEstimator.load_or_cold(path, session)`. It never trains: the
scheduler's job does (see `qserve.predict.jobs`), and the app reloads the file when it changes.
"""

from __future__ import annotations

import logging
import threading
from collections import Counter as Tally  # not the model: counts of things
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from qserve.domain.lifecycle import Status
from qserve.domain.ordering import Candidate, FairnessRule
from qserve.models import Location, Service, Ticket
from qserve.predict.estimator import Estimator
from qserve.predict.localtime import local, zone
from qserve.predict.reading import (
    counter_states,
    location_snapshot,
    priority_streak,
    state_key,
    waiting_candidates,
    waiting_ticket,
)
from qserve.predict.snapshot import QueueSnapshot, WaitEstimate
from qserve.services.queue import CensusScope, newer_by_kind

if TYPE_CHECKING:
    from qserve.services.queue import LineCensus

NEWCOMER_PRIORITIES = (0, 1)  # newcomers whose estimate each refresh prepares, per service
# Beyond this, the services under way have moved on too much. Either way: a request's clock, read when it
# began, may be a little behind the refresh that another request or thread finished meanwhile.
NEWCOMER_CACHE = timedelta(seconds=30)
log = logging.getLogger(__name__)


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
    by_service: dict[int, int] = field(default_factory=dict)  # how many waited in each service

    def behind(self, service_id: int, priority: int, more: int) -> WaitEstimate:
        """Return the prepared estimate of a newcomer of a service and priority with `more` tickets ahead
        of it than the refresh saw (those who joined since): each adds the service's marginal wait."""
        prepared = self.estimates[(service_id, priority)]
        shift = int(more * (self.marginal_s or {}).get(service_id, 0.0))
        return replace(
            prepared,
            p10_s=prepared.p10_s + shift,
            p50_s=prepared.p50_s + shift,
            p90_s=prepared.p90_s + shift,
        )


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
        remember what a ticket joining now would get, for `newcomer_estimates`."""
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
                by_service=dict(Tally(ticket.service_id for ticket in snapshot.waiting)),
            )
        return estimates

    def newcomer_waits(
        self, session: Session, location: Location, now: datetime, waiting: dict[int, int]
    ) -> dict[int, WaitEstimate]:
        """Return, by service of a location, the estimate a plain walk-in joining now would get, given how
        many wait in each service (`waiting`). As a join's: the newcomers the last refresh prepared, moved
        by those who joined since, while the refresh is recent (NEWCOMER_CACHE), the counters are as it saw
        them and nobody has left the line since; else those of a refresh made now (one simulation of the
        location, which joins then use too)."""
        cached = self.newcomers.get(location.id)
        if (
            cached is None
            or cached.marginal_s is None
            or abs(now - cached.at) > NEWCOMER_CACHE
            or any(waiting.get(s, 0) < count for s, count in cached.by_service.items())
            or counter_states(session, location.id) != cached.counters
        ):
            self.estimate(session, location, waiting_candidates(session, location.id), {}, now)
            cached = self.newcomers[location.id]
        plain = [service_id for service_id, priority in cached.estimates if priority == 0]
        return {s: cached.behind(s, 0, waiting.get(s, 0) - cached.by_service.get(s, 0)) for s in plain}

    def census_scope(self, location_id: int) -> CensusScope:
        """Return the services, the last ticket id and how many waited at a location's last refresh: a
        census of the line over these services, above that id, lets `newcomer_estimates` check the refresh
        still holds without a query of its own."""
        cached = self.newcomers.get(location_id)
        if cached is None:
            return CensusScope()
        services = frozenset(service_id for service_id, _priority in cached.estimates)
        return CensusScope(services, cached.last_id, cached.waiting)

    def newcomer_estimates(
        self, session: Session, joined: list[Ticket], now: datetime, census: LineCensus
    ) -> dict[int, WaitEstimate | None]:
        """Return the estimates of tickets that have just joined together at one location, in the order
        they joined; `census` counts its line in this transaction, over the services and above the id
        `census_scope` named.

        When the location is as it was at its last refresh, a moment ago, these are the estimates that
        refresh computed for a newcomer of each ticket's service and priority, moved by those who joined
        since: a lookup. Otherwise (a change not yet refreshed, an appointment) the location is simulated
        with the tickets in line.
        """
        quick = self._newcomers_from_cache(session, joined, now, census)
        return quick if quick is not None else self._simulate_newcomers(session, joined, now)

    def _simulate_newcomers(
        self, session: Session, joined: list[Ticket], now: datetime
    ) -> dict[int, WaitEstimate | None]:
        location = joined[0].location
        new_ids = {ticket.id for ticket in joined}
        others = [c for c in waiting_candidates(session, location.id) if c.ticket_id not in new_ids]
        snapshot = location_snapshot(session, location, others, now)
        cached = self.newcomers.get(location.id)
        ticket = joined[0]
        kind = (ticket.service_id, ticket.priority)
        if (
            len(joined) == 1
            and ticket.appointment_at is None
            and cached is not None
            and abs(now - cached.at) <= NEWCOMER_CACHE
            and kind in cached.estimates
            and cached.state == state_key(snapshot)
        ):
            return {ticket.id: cached.estimates[kind]}
        waiting = (*snapshot.waiting, *(waiting_ticket(t) for t in joined))
        with self.lock:
            predicted = self.estimator.predict(replace(snapshot, waiting=waiting))
        return {t.id: predicted.get(t.id) for t in joined}

    def _newcomers_from_cache(
        self, session: Session, joined: list[Ticket], now: datetime, census: LineCensus
    ) -> dict[int, WaitEstimate] | None:
        """Answer joins at one location without loading its line when, since the last refresh, the counters
        are as they were and nobody then in line has left it: the prepared newcomer's wait plus what each
        ticket that joined since, ahead of the new one in its service, adds. The next refresh, a moment
        later, simulates the location afresh. Return None when that shortcut does not hold.

        It reads the census, the counters' state and, when the line holds priority tickets, one count over
        the line's index; never the line itself."""
        location_id = joined[0].location_id
        cached = self.newcomers.get(location_id)
        if (
            cached is None
            or cached.marginal_s is None
            or abs(now - cached.at) > NEWCOMER_CACHE
            or any(
                t.appointment_at is not None or (t.service_id, t.priority) not in cached.estimates
                for t in joined
            )
        ):
            return None
        since = self._joined_since(session, cached, joined, census)
        if since is None or counter_states(session, location_id) != cached.counters:
            return None
        rule = FairnessRule.from_settings(joined[0].location.fairness)
        if priority_streak(session, location_id, rule) != cached.streak:
            return None
        unseen, newer = since
        answers = {}
        for ticket in joined:
            ahead = unseen + sum(
                count
                for (service_id, priority), count in newer.items()
                if service_id == ticket.service_id and priority >= ticket.priority
            )
            answers[ticket.id] = cached.behind(ticket.service_id, ticket.priority, ahead)
            key = (ticket.service_id, ticket.priority)
            newer[key] = newer.get(key, 0) + 1  # the next new ones of its service stand behind it
        return answers

    def _joined_since(
        self, session: Session, cached: _Newcomers, joined: list[Ticket], census: LineCensus
    ) -> tuple[int, dict[tuple[int, int], int]] | None:
        """Return how many more of the tickets the refresh saw wait than it counted (joins it had not seen
        yet: PostgreSQL commits them in any order) and, by (service, priority), the tickets other than
        `joined` that joined since; None when someone of the line then was called or left, a booking came
        in, or another refresh came between the census and now. The census answers it when the lines hold
        only plain walk-ins; otherwise one count by priority of those above the refresh's last id (the new
        tickets are taken out here, not in SQL: a condition on every row of a long line costs more)."""
        service_ids = sorted({service_id for service_id, _priority in cached.estimates})
        if census.last_id != cached.last_id or any(s not in census.waiting for s in service_ids):
            return None
        still = sum(census.waiting[s] - census.newer[s] for s in service_ids)
        if census.plain(service_ids):
            since = {(s, 0): census.newer[s] for s in service_ids if census.newer[s]}
        else:
            since = newer_by_kind(session, service_ids=service_ids, last_id=cached.last_id)
            if since is None:
                return None
        if still < cached.waiting:
            return None
        for ticket in joined:
            if ticket.id > cached.last_id:
                key = (ticket.service_id, ticket.priority)
                since[key] = since.get(key, 0) - 1
            else:  # a new ticket among those counted as seen (an id taken again after a deletion)
                still -= 1
        return still - cached.waiting, since

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
