"""Compose the waits of every waiting ticket from a snapshot, the learned durations and the outcome rates."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import timedelta

import numpy as np

from qserve.domain.ordering import Candidate
from qserve.predict.durations import (
    DurationModel,
    sample_durations,
    sample_remaining,
    sample_remaining_empirical,
)
from qserve.predict.forward import Counters, ServiceRates, simulate_calls
from qserve.predict.outcomes import OutcomeModel
from qserve.predict.plan import build_plan
from qserve.predict.snapshot import CounterState, QueueSnapshot

MAX_HORIZON_S = 4 * 3600.0
MIN_HORIZON_S = 600.0
MAX_VIRTUAL_PER_LEVEL = 30
NEWCOMER_ID = 2**62  # newcomers rank after every waiting ticket that joined at the same moment


@dataclass(frozen=True)
class Forecast:
    """Simulated seconds until each waiting ticket is called, in snapshot order (and, when asked, until
    each newcomer would be called if it joined now, in the order the newcomers were given)."""

    ticket_ids: list[int]
    p10_s: np.ndarray
    p50_s: np.ndarray
    p90_s: np.ndarray
    mean_s: np.ndarray
    reachable: np.ndarray  # bool: some open or returning counter serves the ticket's service
    newcomers: Forecast | None = None


def newcomer_ids(count: int) -> list[int]:
    """Return the ticket ids the newcomers get in a simulation: above every real id, in joining order."""
    return [NEWCOMER_ID + index for index in range(count)]


def forecast(
    snapshot: QueueSnapshot,
    durations: DurationModel,
    outcomes: OutcomeModel,
    *,
    replications: int = 200,
    rng: np.random.Generator | None = None,
    newcomers: Sequence[tuple[int, int]] = (),
) -> Forecast:
    """Simulate the location forward and return the spread of each waiting ticket's call time.

    `newcomers` are (service id, priority) of customers who might join now. Each rides along as a ghost:
    its call time is recorded when a counter would call it, but it takes no counter time, so neither the
    waiting tickets nor the other newcomers are moved by it. That is the wait a ticket joining now gets.
    """
    rng = rng or np.random.default_rng(0)
    working = [c for c in snapshot.counters if c.open or c.reopens_at is not None]
    services = sorted(
        {t.service_id for t in snapshot.waiting}
        | {s for c in working for s in c.service_ids}
        | {service_id for service_id, _ in newcomers}
    )
    counters = _counters(snapshot, working, services, durations, outcomes, rng, replications)
    rates = _rates(services, durations, outcomes)
    virtual, presence = _virtual_arrivals(snapshot, services, counters, outcomes)
    for booking in snapshot.booked:
        if booking.service_id in services:  # else no counter that works today serves it
            virtual.append(booking.candidate(-(len(virtual) + 1)))
            presence.append(booking.chance)
    ghosts = [
        Candidate(ticket_id, service_id, priority, snapshot.now)
        for ticket_id, (service_id, priority) in zip(newcomer_ids(len(newcomers)), newcomers, strict=True)
    ]
    real = [t.candidate() for t in snapshot.waiting] + ghosts
    plan = build_plan(
        real,
        virtual,
        services=services,
        rule=snapshot.rule,
        now=snapshot.now,
        virtual_presence=presence,
        ghosts=len(ghosts),
    )
    calls = simulate_calls(plan, counters, rates, rng=rng, streak=snapshot.priority_streak)
    waiting = len(snapshot.waiting)
    result = _summarise([t.ticket_id for t in snapshot.waiting], calls[:, :waiting])
    if not newcomers:
        return result
    return replace(result, newcomers=_summarise(newcomer_ids(len(ghosts)), calls[:, waiting:]))


def _summarise(ids: list[int], calls: np.ndarray) -> Forecast:
    if not ids:
        empty = np.zeros(0)
        return Forecast([], empty, empty, empty, empty, np.zeros(0, dtype=bool))
    reachable = np.isfinite(calls).all(axis=0)
    capped = np.where(np.isfinite(calls), calls, MAX_HORIZON_S * 2)
    low, middle, high = np.quantile(capped, [0.1, 0.5, 0.9], axis=0)
    return Forecast(ids, low, middle, high, capped.mean(axis=0), reachable)


def _counters(snapshot, working, services, durations, outcomes, rng, replications) -> Counters:
    """Describe the working counters: when each calls next, what it serves and how fast its staff is."""
    position = {s: i for i, s in enumerate(services)}
    size = (len(working), len(services))
    serves = np.zeros(size, dtype=bool)
    mean = np.full(size, 300.0)
    cv2 = np.full(size, 0.5)
    free_at = np.zeros((replications, len(working)))
    for k, counter in enumerate(working):
        for service_id in counter.service_ids:
            if service_id in position:
                serves[k, position[service_id]] = True
                mean[k, position[service_id]], cv2[k, position[service_id]] = durations.params(
                    service_id, counter.staff_id, snapshot.now
                )
        free_at[:, k] = _busy_for(snapshot, counter, durations, outcomes, rng, replications)
    return Counters(free_at, serves, mean, cv2)


def _busy_for(snapshot, counter: CounterState, durations, outcomes, rng, replications) -> np.ndarray:
    """Draw how long a counter stays busy (or away) before it calls its next ticket."""
    if not counter.open:
        return np.full(replications, max(0.0, (counter.reopens_at - snapshot.now).total_seconds()))
    if counter.serving_service_id is None:
        return np.zeros(replications)
    mean, cv2 = durations.params(counter.serving_service_id, counter.staff_id, snapshot.now)
    shape = durations.shape(counter.serving_service_id)
    if counter.serving_started_at is None:  # called, walking up: the whole service is still ahead
        walk_up = outcomes.service(counter.serving_service_id).walk_up.value
        if shape is not None:
            return walk_up / 2 + mean * rng.choice(shape, replications)
        return walk_up / 2 + sample_durations(mean, cv2, rng.standard_normal(replications))
    elapsed = (snapshot.now - counter.serving_started_at).total_seconds()
    if shape is not None:
        drawn = sample_remaining_empirical(mean, shape, elapsed, rng, replications)
        if drawn is not None:
            return drawn
    return sample_remaining(mean, cv2, elapsed, rng.random(replications))


def _rates(services: list[int], durations: DurationModel, outcomes: OutcomeModel) -> ServiceRates:
    stats = [outcomes.service(s) for s in services]
    return ServiceRates(
        walk_up_s=np.array([s.walk_up.value for s in stats]),
        no_show=np.array([s.no_show_rate for s in stats]),
        hold_s=np.array([s.hold.value for s in stats]),
        abandon_per_s=np.array([s.abandon_rate_per_s for s in stats]),
        shapes=tuple(durations.shape(s) for s in services),
    )


def _virtual_arrivals(snapshot, services, counters: Counters, outcomes: OutcomeModel):
    """Place possible future priority arrivals on a time grid, each with the chance that it happens."""
    horizon = _horizon(snapshot, services, counters)
    virtual: list[Candidate] = []
    presence: list[float] = []
    slots = MAX_VIRTUAL_PER_LEVEL
    slot_s = max(60.0, horizon / slots)
    for service_id in services:
        by_hour = outcomes.priority_arrival_rates(service_id)
        if not by_hour:
            continue
        for slot in range(int(horizon // slot_s)):
            at = snapshot.now + timedelta(seconds=(slot + 0.5) * slot_s)
            for priority, rate in by_hour.get(at.hour, {}).items():
                virtual.append(Candidate(-(len(virtual) + 1), service_id, priority, at))
                presence.append(float(1.0 - np.exp(-rate * slot_s)))
    return virtual, presence


def _horizon(snapshot: QueueSnapshot, services: list[int], counters: Counters) -> float:
    """Return how far ahead future arrivals matter: about twice the time to serve everyone waiting."""
    if not services or counters.serves.shape[0] == 0:
        return MIN_HORIZON_S
    working = counters.serves.shape[0]
    position = {s: i for i, s in enumerate(services)}
    mean_by_service = counters.duration_mean.mean(axis=0)
    work = sum(mean_by_service[position[t.service_id]] for t in snapshot.waiting)
    return float(np.clip(2.0 * work / working + MIN_HORIZON_S, MIN_HORIZON_S, MAX_HORIZON_S))
