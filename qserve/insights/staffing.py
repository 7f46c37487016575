"""Staffing advice with Erlang C: how many counters each hour needs to keep waits under a target."""

from __future__ import annotations

import math
from collections import defaultdict
from zoneinfo import ZoneInfo

from qserve.insights.metrics import Visit

MAX_COUNTERS = 50
GOAL = 0.8  # the share of customers to call within the target wait


def erlang_c(load: float, counters: int) -> float:
    """Return the probability that a customer waits at all (M/M/c) for an offered load in Erlangs."""
    if load <= 0:
        return 0.0
    if counters <= load:
        return 1.0
    term, total = 1.0, 1.0  # A^k / k! summed for k < c, computed stepwise to stay stable
    for k in range(1, counters):
        term *= load / k
        total += term
    last = term * load / counters * counters / (counters - load)
    return last / (total + last)


def service_level(arrivals_per_hour: float, service_s: float, counters: int, target_wait_s: float) -> float:
    """Return the share of customers called within the target wait with this many counters."""
    load = arrivals_per_hour * service_s / 3600
    if load <= 0:
        return 1.0
    if counters <= load:
        return 0.0
    waits = erlang_c(load, counters)
    return 1 - waits * math.exp(-(counters - load) * target_wait_s / service_s)


def counters_needed(
    arrivals_per_hour: float, service_s: float, target_wait_s: float, *, goal: float = GOAL
) -> int:
    """Return the fewest counters that call at least `goal` of customers within the target wait."""
    if arrivals_per_hour <= 0 or service_s <= 0:
        return 0
    for counters in range(1, MAX_COUNTERS + 1):
        if service_level(arrivals_per_hour, service_s, counters, target_wait_s) >= goal:
            return counters
    return MAX_COUNTERS


def hourly_staffing(
    visits: list[Visit], time_zone: str, *, target_wait_s: float, goal: float = GOAL
) -> list[dict]:
    """Return, per local hour with arrivals, the average arrivals, counters needed and counters open."""
    zone = ZoneInfo(time_zone)
    days = {v.joined_at.astimezone(zone).date() for v in visits}
    if not days:
        return []
    arrivals: dict[int, int] = defaultdict(int)
    open_counters: dict[tuple, set] = defaultdict(set)
    for visit in visits:
        arrivals[visit.joined_at.astimezone(zone).hour] += 1
        if visit.called_at and visit.counter_id is not None:
            local = visit.called_at.astimezone(zone)
            open_counters[(local.date(), local.hour)].add(visit.counter_id)
    durations = [v.service_s for v in visits if v.service_s is not None]
    service_s = sum(durations) / len(durations) if durations else 0  # Erlang C needs the mean
    rows = []
    for hour in sorted(arrivals):
        rate = arrivals[hour] / len(days)
        opened = sum(len(c) for (_, h), c in open_counters.items() if h == hour) / len(days)
        rows.append(
            {
                "hour": hour,
                "arrivals_per_hour": rate,
                "counters_needed": counters_needed(rate, service_s, target_wait_s, goal=goal),
                "counters_open": opened,
            }
        )
    return rows
