"""What happens around the service itself, learned per service: no-shows, abandonment, walk-up, arrivals.

Every rate starts from a mild prior so that a new service behaves sensibly on its first day.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from datetime import date, datetime

NO_SHOW_PRIOR = 0.02
NO_SHOW_STRENGTH = 20.0
HOLD_PRIOR_S = 60.0  # a counter waits this long for a customer who does not come
WALK_UP_PRIOR_S = 15.0
MEAN_STRENGTH = 5.0
ABANDON_PRIOR_EXPOSURE_S = 10 * 3600.0  # ten hours of waiting with nobody leaving
RECENT_WAITS = 10
CLOSED_OUTCOMES = ("served", "no_show", "abandoned", "cancelled")


@dataclass
class _Mean:
    prior: float
    weight: float = 0.0
    total: float = 0.0

    def add(self, value: float, cap: float = 500.0) -> None:
        """Count one value, fading the old ones beyond `cap`."""
        if self.weight + 1 > cap:
            self.total *= (cap - 1) / self.weight
            self.weight = cap - 1
        self.weight += 1
        self.total += value

    @property
    def value(self) -> float:
        """Return the mean, shrunk toward the prior."""
        return (self.total + MEAN_STRENGTH * self.prior) / (self.weight + MEAN_STRENGTH)


@dataclass
class ServiceOutcomes:
    """Counts and running means of one service."""

    called: float = 0.0
    no_shows: float = 0.0
    left: float = 0.0  # abandoned or cancelled while waiting
    exposure_s: float = 0.0  # total seconds customers spent waiting
    hold: _Mean = field(default_factory=lambda: _Mean(HOLD_PRIOR_S))
    walk_up: _Mean = field(default_factory=lambda: _Mean(WALK_UP_PRIOR_S))
    recent_waits: deque = field(default_factory=lambda: deque(maxlen=RECENT_WAITS))
    priority_joins: dict[tuple[int, int], int] = field(default_factory=dict)  # (priority, hour) -> count
    days: set[date] = field(default_factory=set)

    @property
    def no_show_rate(self) -> float:
        """Return the share of called customers who did not come."""
        return (self.no_shows + NO_SHOW_PRIOR * NO_SHOW_STRENGTH) / (self.called + NO_SHOW_STRENGTH)

    @property
    def abandon_rate_per_s(self) -> float:
        """Return how many waiting customers leave per second of waiting."""
        return self.left / (self.exposure_s + ABANDON_PRIOR_EXPOSURE_S)


@dataclass
class OutcomeModel:
    """Per-service no-show rate, hold time, abandonment hazard, walk-up time, recent waits, arrivals."""

    services: dict[int, ServiceOutcomes] = field(default_factory=dict)

    def service(self, service_id: int) -> ServiceOutcomes:
        """Return a service's outcomes, created empty on first use."""
        found = self.services.get(service_id)
        if found is None:
            found = self.services[service_id] = ServiceOutcomes()
        return found

    def observe_called(self, *, service_id: int, joined_at: datetime, called_at: datetime) -> None:
        """Remember the wait of a ticket that was just called (last-to-enter-service and recent waits)."""
        self.service(service_id).recent_waits.append(max(0.0, (called_at - joined_at).total_seconds()))

    def observe_walk_up(self, *, service_id: int, called_at: datetime, started_at: datetime) -> None:
        """Learn how long a called customer takes to reach the counter."""
        gap = (started_at - called_at).total_seconds()
        if 0 <= gap < 900:
            self.service(service_id).walk_up.add(gap)

    def observe_outcome(
        self,
        *,
        service_id: int,
        outcome: str,
        joined_at: datetime,
        priority: int = 0,
        called_at: datetime | None = None,
        closed_at: datetime | None = None,
    ) -> None:
        """Learn from a closed ticket: served, no_show, abandoned or cancelled."""
        if outcome not in CLOSED_OUTCOMES:
            raise ValueError(f"unknown outcome {outcome!r}")
        stats = self.service(service_id)
        stats.days.add(joined_at.date())
        if priority > 0:
            key = (priority, joined_at.hour)
            stats.priority_joins[key] = stats.priority_joins.get(key, 0) + 1
        if called_at is not None:
            stats.called += 1
            stats.exposure_s += max(0.0, (called_at - joined_at).total_seconds())
            if outcome == "no_show":
                stats.no_shows += 1
                if closed_at is not None and 0 <= (closed_at - called_at).total_seconds() < 1800:
                    stats.hold.add((closed_at - called_at).total_seconds())
        elif outcome in ("abandoned", "cancelled") and closed_at is not None:
            stats.left += 1
            stats.exposure_s += max(0.0, (closed_at - joined_at).total_seconds())

    def priority_arrival_rates(self, service_id: int) -> dict[int, dict[int, float]]:
        """Return {hour of day: {priority level > 0: arrivals per second}} of a service."""
        stats = self.services.get(service_id)
        if stats is None or not stats.days:
            return {}
        per_day_hour = 1.0 / (len(stats.days) * 3600.0)
        rates: dict[int, dict[int, float]] = {}
        for (priority, hour), count in stats.priority_joins.items():
            rates.setdefault(hour, {})[priority] = count * per_day_hour
        return rates

    def last_wait_s(self, service_id: int) -> float | None:
        """Return the wait of the last customer called (LES), or None before any call."""
        stats = self.services.get(service_id)
        return stats.recent_waits[-1] if stats and stats.recent_waits else None

    def mean_recent_wait_s(self, service_id: int) -> float | None:
        """Return the mean wait of the last few customers called, or None before any call."""
        stats = self.services.get(service_id)
        if not stats or not stats.recent_waits:
            return None
        return sum(stats.recent_waits) / len(stats.recent_waits)
