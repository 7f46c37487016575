"""A vectorised Monte-Carlo forward simulation of a location's counters under the call-next rules.

All replications step together: at each step every replication's earliest free counter calls the best
lane head it may serve (see `plan`). A customer who has left by then is skipped at no cost (their own call
time is still recorded: it is when they would have been called had they stayed; a newcomer ghost is such a
customer from the start), a no-show holds the
counter for the hold time, everyone else holds it for walk-up plus a lognormal service duration.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from qserve.predict.durations import lognormal_params
from qserve.predict.plan import DUE_OFFSET, Plan


@dataclass(frozen=True)
class Counters:
    """The open (or returning) counters as arrays: K counters, S services."""

    free_at: np.ndarray  # (R, K) seconds from now when each counter calls next
    serves: np.ndarray  # (K, S) bool
    duration_mean: np.ndarray  # (K, S) seconds, for the staff at that counter
    duration_cv2: np.ndarray  # (K, S)


@dataclass(frozen=True)
class ServiceRates:
    """Per-service arrays (S,) of what surrounds the service time."""

    walk_up_s: np.ndarray
    no_show: np.ndarray
    hold_s: np.ndarray
    abandon_per_s: np.ndarray
    shapes: tuple[np.ndarray | None, ...] = ()  # learned duration shapes (mean 1); None: lognormal


def simulate_calls(
    plan: Plan, counters: Counters, rates: ServiceRates, *, rng: np.random.Generator, streak: int = 0
) -> np.ndarray:
    """Return (R, N) seconds from now until each waiting ticket is called (inf when never)."""
    replications, width = counters.free_at.shape
    real = plan.real_count
    if real == 0 or width == 0:
        return np.full((replications, real), np.inf)
    size, rows = len(plan.service_index), np.arange(replications)  # size counts the sentinel
    busy_for = _busy_table(plan, counters, rates, rng)  # (R * size * K,)
    leave_at = _leave_times(plan, rates, rng, replications).ravel()
    lanes, lane_ok = _Lanes(plan, rng, replications), counters.serves[:, plan.lane_service]  # (K, L)
    free_at = counters.free_at.copy()
    flat_free = free_at.reshape(-1)  # a view: writing it moves free_at
    streaks, calls = np.full(replications, streak, dtype=np.intp), np.full(replications * size, np.inf)
    classes = (
        (plan.lane_classes, plan.class_offsets, plan.prefer_priority, streaks) if plan.by_class else None
    )
    row_slots, row_cells = rows * width, rows * size
    for step in range(3 * size + 64):
        counter = free_at.argmin(axis=1)
        slot = row_slots + counter
        now = flat_free[slot]
        allowed = lane_ok[counter]
        candidate = allowed & (lanes.join <= now[:, None]) if lanes.has_future else allowed
        key = _keys(plan, lanes, now, candidate, classes)
        picked = lanes.row_lanes + key.argmin(axis=1)
        chosen = key.reshape(-1)[picked] < np.inf
        ticket = lanes.heads.reshape(-1)[picked]
        cell = row_cells + ticket
        calls[cell[chosen]] = now[chosen]
        lanes.advance(picked[chosen])
        served = chosen & (leave_at[cell] >= now)
        flat_free[slot] = np.where(served, now + busy_for[cell * width + counter], now)
        if not chosen.all():  # idle counters wait for the next arrival they serve, or stop
            flat_free[slot] = np.where(chosen, flat_free[slot], lanes.next_arrival(allowed & ~candidate))
        if classes is not None:
            streaks[:] = np.where(served, np.where(plan.priority[ticket] > 0, streaks + 1, 0), streaks)
        if step % 8 == 7 and not _unfinished(calls, free_at, size, real):
            break
    return calls.reshape(replications, size)[:, :real]


class _Lanes:
    """The head of every lane in every replication, with its rank and arrival time, moved on as calls go."""

    def __init__(self, plan: Plan, rng: np.random.Generator, replications: int) -> None:
        self.plan = plan
        self.has_future = len(plan.service_index) - 1 > plan.real_count
        self.next_present, flat_base = _next_present(plan, rng, replications)
        self.row_base = np.repeat(flat_base.ravel(), len(plan.lane_offset))  # per (replication, lane)
        self.row_lanes = np.arange(replications) * len(plan.lane_offset)
        self.position = self.next_present[flat_base + plan.lane_offset[None, :]]  # skips absent arrivals
        self.heads = plan.lane_flat[self.position]
        self.rank = plan.rest_rank[self.heads]
        self.join = plan.join_s[self.heads]

    def next_arrival(self, pending: np.ndarray) -> np.ndarray:
        """Return, per replication, when the first of the pending lanes' heads arrives (inf if none)."""
        return np.where(pending, self.join, np.inf).min(axis=1) if self.has_future else np.inf

    def advance(self, picked: np.ndarray) -> None:
        """Move the chosen lanes (flat replication x lane indices) to their next ticket."""
        if len(picked) == 0:
            return
        position = self.next_present[self.row_base[picked] + self.position.reshape(-1)[picked] + 1]
        self.position.reshape(-1)[picked] = position
        heads = self.plan.lane_flat[position]
        self.heads.reshape(-1)[picked] = heads
        self.rank.reshape(-1)[picked] = self.plan.rest_rank[heads]
        self.join.reshape(-1)[picked] = self.plan.join_s[heads]


def _busy_table(plan: Plan, counters: Counters, rates: ServiceRates, rng: np.random.Generator) -> np.ndarray:
    """Draw how long each (replication, ticket, counter) call would hold the counter, flattened."""
    replications, width = counters.free_at.shape
    service = plan.service_index
    mu, sigma = lognormal_params(np.maximum(counters.duration_mean, 1.0), counters.duration_cv2)  # (K, S)
    normals = rng.standard_normal((replications, len(service), 1))
    served = np.exp(mu.T[service] + sigma.T[service] * normals)  # (R, M + 1, K)
    for index, shape in enumerate(rates.shapes):
        tickets = np.flatnonzero(service == index)
        if shape is not None and len(tickets):
            relative = rng.choice(shape, (replications, len(tickets)))
            served[:, tickets, :] = relative[:, :, None] * counters.duration_mean[:, index][None, None, :]
    served += rates.walk_up_s[service][None, :, None]
    no_show = rng.random((replications, len(service), 1)) < rates.no_show[service][None, :, None]
    return np.where(no_show, rates.hold_s[service][None, :, None], served).reshape(-1)


def _unfinished(calls: np.ndarray, free_at: np.ndarray, size: int, real: int) -> bool:
    """Tell whether some replication still has a waiting ticket to call and a counter that will call."""
    waiting = np.isinf(calls.reshape(len(free_at), size)[:, :real]).any(axis=1)
    return bool((waiting & np.isfinite(free_at.min(axis=1))).any())


def _leave_times(plan: Plan, rates: ServiceRates, rng: np.random.Generator, replications: int) -> np.ndarray:
    """Draw when each customer gives up (memoryless patience, counted from now or from a future arrival)."""
    hazard = rates.abandon_per_s[plan.service_index]
    with np.errstate(divide="ignore"):
        scale = np.where(hazard > 0, 1.0 / np.maximum(hazard, 1e-300), np.inf)
    leave_at = plan.join_s + rng.exponential(1.0, (replications, len(hazard))) * scale
    return np.where(plan.ghost, -np.inf, leave_at)  # a ghost has "left": its call takes no counter time


def _next_present(plan: Plan, rng: np.random.Generator, replications: int) -> tuple[np.ndarray, np.ndarray]:
    """Draw which future arrivals happen; return, per replication and lane position, the next one present."""
    size = len(plan.lane_flat)
    present = np.ones((replications, len(plan.presence)), dtype=bool)
    virtual = np.arange(len(plan.presence) - 1) >= plan.real_count
    if virtual.any():
        virtual = np.append(virtual, False)  # the sentinel is always there: it closes its lane
        present[:, virtual] = rng.random((replications, int(virtual.sum()))) < plan.presence[virtual]
    positions = np.where(present[:, plan.lane_flat], np.arange(size), size)
    following = np.minimum.accumulate(positions[:, ::-1], axis=1)[:, ::-1]
    return following.ravel(), (np.arange(replications) * size)[:, None]


def _keys(plan: Plan, lanes: _Lanes, now, candidate, classes) -> np.ndarray:
    """Return each lane head's call key for the counter at hand (inf when it cannot be called)."""
    key = lanes.rank
    due = None
    if plan.has_appointments:
        due = candidate & (plan.due_s[lanes.heads] <= now[:, None])
        key = np.where(due, DUE_OFFSET + plan.due_rank[lanes.heads], key)
    if classes is not None:
        lane_classes, class_offsets, prefer_priority, streaks = classes
        undue = candidate if due is None else candidate & ~due
        present = undue @ lane_classes  # (R, 2) bool: some normal / some priority ticket callable
        limit = len(prefer_priority) - 1
        take_priority = present[:, 1] & (prefer_priority[np.minimum(streaks, limit)] | ~present[:, 0])
        behind = class_offsets[take_priority.view(np.uint8)]  # the class not taken goes behind
        key = key + behind if due is None else np.where(due, key, key + behind)
    return np.where(candidate, key, np.inf)
