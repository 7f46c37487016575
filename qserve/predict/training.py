"""Learning from history: feed an estimator while a log replays, collect features, fit the correction."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np

from qserve.domain.ordering import FairnessRule
from qserve.predict.correction import fit_correction
from qserve.predict.eventlog import EventLogRow
from qserve.predict.features import FEATURES
from qserve.predict.replay import CALL, FINISH, LEAVE, Moment, Replay, ReplayTicket

TRAINING_REPLICATIONS = 100


class OnlineLearner:
    """A replay listener that teaches an estimator what happened, as it happens."""

    def __init__(self, estimator) -> None:
        self.estimator = estimator

    def on_event(self, kind: int, ticket: ReplayTicket, at: datetime) -> None:
        """Pass a call, a finished service or a closed ticket to the estimator."""
        estimator = self.estimator
        if kind == CALL:
            estimator.observe_called(service_id=ticket.service_id, joined_at=ticket.joined_at, called_at=at)
        elif kind == FINISH and ticket.outcome == "served" and ticket.started_at is not None:
            estimator.observe_finished(
                service_id=ticket.service_id,
                staff_id=ticket.staff_id,
                started_at=ticket.started_at,
                finished_at=at,
                called_at=ticket.called_at,
            )
        if kind in (FINISH, LEAVE):
            estimator.observe_outcome(
                service_id=ticket.service_id,
                outcome=ticket.outcome,
                joined_at=ticket.joined_at,
                priority=ticket.priority,
                called_at=ticket.called_at,
                closed_at=at,
            )


@dataclass
class Samples:
    """Features of past predictions with the moment they were made and the ticket they were about."""

    features: list[np.ndarray] = field(default_factory=list)
    times: list[np.ndarray] = field(default_factory=list)
    tickets: list[np.ndarray] = field(default_factory=list)

    def add(self, features: np.ndarray, at: datetime, ticket_ids: np.ndarray) -> None:
        """Remember the features of some tickets predicted at one moment."""
        if len(ticket_ids):
            self.features.append(features)
            self.times.append(np.full(len(ticket_ids), at.timestamp()))
            self.tickets.append(ticket_ids)

    def labelled(self, called_s: np.ndarray, *, known_at: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Return (features, waits, times) of the predictions whose ticket was called by `known_at`."""
        if not self.features:
            return np.zeros((0, 0)), np.zeros(0), np.zeros(0)
        features, times, tickets = (np.concatenate(x) for x in (self.features, self.times, self.tickets))
        called = called_s[tickets]
        known = np.isfinite(called) & (called <= known_at)
        return features[known], (called - times)[known], times[known]


def call_times(replay: Replay) -> np.ndarray:
    """Return each ticket's call time as a POSIX timestamp (inf when never called)."""
    return np.array([t.called_at.timestamp() if t.called_at else np.inf for t in replay.tickets])


def predicted_tickets(moment: Moment) -> list[int]:
    """Return the tickets whose prediction at this moment counts: who joined and whose place moved."""
    return list(moment.joined) + list(moment.updated)


def fit_from_eventlog(
    rows: Iterable[EventLogRow],
    *,
    default_durations_s: dict[int, float] | None = None,
    rule: FairnessRule | None = None,
    replications: int = TRAINING_REPLICATIONS,
    sample_every: int = 1,
    seed: int = 0,
    now: datetime | None = None,
):
    """Learn durations, outcome rates, the correction and its calibration from one location's log.

    Service, counter and staff names that are all integers (as `qserve predict export` writes them) are
    used as ids, so the estimator serves the app's snapshots. Every `sample_every`-th moment is simulated
    for training (raise it to train faster on long histories).
    """
    return fit_from_history(
        [(list(rows), rule)],
        default_durations_s=default_durations_s,
        replications=replications,
        sample_every=sample_every,
        seed=seed,
        now=now,
    )


def fit_from_history(
    locations: Iterable[tuple[list[EventLogRow], FairnessRule | None]],
    *,
    default_durations_s: dict[int, float] | None = None,
    replications: int = TRAINING_REPLICATIONS,
    sample_every: int = 1,
    seed: int = 0,
    now: datetime | None = None,
):
    """Learn one estimator from the logs of several locations, each replayed under its own rule."""
    from qserve.predict.estimator import Estimator

    replays = [Replay(rows, rule=rule) for rows, rule in locations]
    defaults = {}
    for replay in replays:
        defaults |= initial_durations(replay.tickets)
    estimator = Estimator.cold(defaults | (default_durations_s or {}), seed=seed)
    empty = (np.zeros((0, len(FEATURES))), np.zeros(0), np.zeros(0))
    parts = [empty] + [_collect(estimator, replay, replications, sample_every) for replay in replays]
    features, waits, times = (np.concatenate([part[i] for part in parts]) for i in range(3))
    estimator.correction = fit_correction(features, waits, times, seed=seed) if len(waits) else None
    estimator.trained_at = now
    return estimator


def _collect(estimator, replay: Replay, replications: int, sample_every: int):
    """Replay a log through the estimator; return the features, actual waits and times of its predictions."""
    samples = Samples()
    for index, moment in enumerate(replay.moments((OnlineLearner(estimator),))):
        wanted = predicted_tickets(moment)
        if index % sample_every or not wanted:
            continue
        _, features = estimator.features(moment.snapshot, replications=replications)
        rows_of = {t.ticket_id: i for i, t in enumerate(moment.snapshot.waiting)}
        samples.add(features[[rows_of[t] for t in wanted]], moment.now, np.array(wanted))
    features, waits, times = samples.labelled(call_times(replay), known_at=np.inf)
    if features.size == 0:
        return np.zeros((0, len(FEATURES))), np.zeros(0), np.zeros(0)
    return features, waits, times


def initial_durations(tickets: Iterable[ReplayTicket]) -> dict[int, float]:
    """Return each service's median service time in some tickets (a stand-in for the configured default)."""
    by_service: dict[int, list[float]] = {}
    for t in tickets:
        if t.outcome == "served" and t.started_at is not None:
            by_service.setdefault(t.service_id, []).append((t.closed_at - t.started_at).total_seconds())
    return {service: float(np.median(values)) for service, values in by_service.items() if values}
