"""A vectorised Monte-Carlo forward simulation of a location's counters under the call-next rules.

All replications step together: at each step every replication's earliest free counter calls the best
lane head it may serve (see `plan`). A customer who has left by then is skipped at no cost (their own call
time is still recorded: it is when they would have been called had they stayed), a no-show holds the
counter for the hold time, everyone else holds it for walk-up plus a lognormal service duration.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from qserve.predict.durations import lognormal_params
from qserve.predict.plan import DUE_OFFSET, Plan

CLASS_OFFSET = 1e9  # pushes the class a counter does not take now behind the other


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


def simulate_calls(
    plan: Plan, counters: Counters, rates: ServiceRates, *, rng: np.random.Generator, streak: int = 0
) -> np.ndarray:
    """Return (R, N) seconds from now until each waiting ticket is called (inf when never)."""
    replications, width = counters.free_at.shape
    real = plan.real_count
    if real == 0 or width == 0:
        return np.full((replications, real), np.inf)
    size = len(plan.service_index)  # tickets plus the sentinel
    rows = np.arange(replications)
    service = plan.service_index
    services = counters.serves.shape[1]
    mu, sigma = (
        a.ravel() for a in lognormal_params(np.maximum(counters.duration_mean, 1.0), counters.duration_cv2)
    )
    # Per (replication, ticket): the normal draw of its duration, or nan for a no-show.
    draws = rng.standard_normal((replications, size))
    draws[rng.random((replications, size)) < rates.no_show[service]] = np.nan
    draws, leave_at = draws.ravel(), _leave_times(plan, rates, rng, replications).ravel()
    next_present, flat_base = _next_present(plan, rng, replications)
    lane_ok = counters.serves[:, plan.lane_service]  # (K, L)
    pointer = np.tile(plan.lane_offset, (replications, 1))
    free_at = counters.free_at.copy().ravel()
    streaks = np.full(replications, streak, dtype=np.intp)
    calls = np.full(replications * real, np.inf)
    remaining = np.full(replications, real)
    limit = len(plan.prefer_priority) - 1
    has_future = size - 1 > real
    row_base = rows * width
    for step in range(3 * size + 64):
        counter = free_at.reshape(replications, width).argmin(axis=1)
        slot = row_base + counter
        now = free_at[slot]
        position = next_present[flat_base + pointer]  # skip future arrivals that never happen
        heads = plan.lane_flat[position]
        allowed = lane_ok[counter] & (heads != plan.sentinel) & (remaining > 0)[:, None]
        candidate = allowed & (plan.join_s[heads] <= now[:, None]) if has_future else allowed
        key = _keys(plan, heads, now, candidate, streaks, limit)
        lane = key.argmin(axis=1)
        chosen = np.isfinite(key[rows, lane])
        ticket = heads[rows, lane]
        cell = rows * size + ticket
        served = chosen & ~(leave_at[cell] < now)
        is_real = chosen & (ticket < real)
        calls[(rows * real + ticket)[is_real]] = now[is_real]
        remaining -= is_real
        pointer[rows, lane] = np.where(chosen, position[rows, lane] + 1, pointer[rows, lane])
        kind = service[ticket]
        draw = draws[cell]
        pair = counter * services + kind
        busy = np.where(
            np.isnan(draw), rates.hold_s[kind], rates.walk_up_s[kind] + np.exp(mu[pair] + sigma[pair] * draw)
        )
        idle_until = _next_arrival(plan, heads, allowed & ~candidate) if has_future else np.inf
        free_at[slot] = np.where(chosen, np.where(served, now + busy, now), idle_until)
        if plan.by_class:
            streaks = np.where(served, np.where(plan.priority[ticket] > 0, streaks + 1, 0), streaks)
        if (
            step % 8 == 7
            and not ((remaining > 0) & np.isfinite(free_at.reshape(replications, width).min(axis=1))).any()
        ):
            break
    return calls.reshape(replications, real)


def _leave_times(plan: Plan, rates: ServiceRates, rng: np.random.Generator, replications: int) -> np.ndarray:
    """Draw when each customer gives up (memoryless patience, counted from now or from a future arrival)."""
    hazard = rates.abandon_per_s[plan.service_index]
    with np.errstate(divide="ignore"):
        scale = np.where(hazard > 0, 1.0 / np.maximum(hazard, 1e-300), np.inf)
    return plan.join_s + rng.exponential(1.0, (replications, len(hazard))) * scale


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


def _keys(plan: Plan, heads, now, candidate, streaks, limit) -> np.ndarray:
    """Return each lane head's call key for the counter at hand (inf when it cannot be called)."""
    key = plan.rest_rank[heads]
    due = None
    if plan.has_appointments:
        due = candidate & (plan.due_s[heads] <= now[:, None])
        key = np.where(due, DUE_OFFSET + plan.due_rank[heads], key)
    if plan.by_class:
        undue = candidate if due is None else candidate & ~due
        lane_priority = plan.lane_is_priority[None, :]
        has_priority = (undue & lane_priority).any(axis=1)
        has_normal = (undue & ~lane_priority).any(axis=1)
        take_priority = has_priority & (plan.prefer_priority[np.minimum(streaks, limit)] | ~has_normal)
        behind = np.where(take_priority[:, None], ~lane_priority, lane_priority) * CLASS_OFFSET
        key = key + np.where(undue, behind, 0.0)
    return np.where(candidate, key, np.inf)


def _next_arrival(plan: Plan, heads: np.ndarray, pending: np.ndarray) -> np.ndarray:
    """Return when an idle counter next has someone to call: the first future arrival it serves, or never."""
    return np.where(pending, plan.join_s[heads], np.inf).min(axis=1)
