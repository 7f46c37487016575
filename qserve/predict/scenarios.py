"""Named offices for the simulator: from a plain M/M/c queue up to everything a real branch does."""

from __future__ import annotations

from dataclasses import dataclass, field

from qserve.domain.ordering import FairnessKind, FairnessRule

FLAT_DAY = (1.0,) * 24
# Arrivals per hour relative to the base rate: a morning rush, a lunch peak, a quiet afternoon.
BUSY_DAY = (0,) * 8 + (1.3, 1.5, 1.1, 1.0, 1.4, 1.2, 0.8, 0.7) + (0,) * 8
BUSY_WEEK = (1.25, 1.0, 0.95, 1.0, 1.1, 0.8, 0.8)  # Monday is heavy, weekends light


@dataclass(frozen=True)
class ServiceSpec:
    """One queue of the simulated office."""

    name: str
    share: float  # fraction of arrivals
    mean_s: float
    sigma: float | None = None  # log-sd of a lognormal duration; None means exponential
    priority_shares: tuple[float, ...] = ()  # fraction of arrivals at priority 1, 2, ...
    no_show: float = 0.0
    patience_s: float | None = None  # mean patience (exponential); None means nobody leaves
    walk_up_s: float = 0.0


@dataclass(frozen=True)
class CounterSpec:
    """A counter: its skills and its shift (hours of the day)."""

    name: str
    services: tuple[str, ...]
    opens: float = 8.0
    closes: float = 16.0


@dataclass(frozen=True)
class Scenario:
    """A simulated office."""

    name: str
    description: str
    services: tuple[ServiceSpec, ...]
    counters: tuple[CounterSpec, ...]
    arrivals_per_hour: float
    day_profile: tuple[float, ...] = FLAT_DAY
    week_profile: tuple[float, ...] = (1.0,) * 7
    opens: float = 8.0
    closes: float = 16.0
    staff_speed_sigma: float = 0.0  # log-sd of each staff member's speed factor
    rotate_staff: bool = False  # staff change counters from day to day
    afternoon_slowdown: float = 0.0  # services after 14:00 take this much longer
    breaks: bool = False
    rule: FairnessRule = field(default_factory=FairnessRule)


def _office(**overrides) -> tuple[tuple[ServiceSpec, ...], tuple[CounterSpec, ...]]:
    services = (
        ServiceSpec("A", 0.55, 240, 0.5, **overrides),
        ServiceSpec("B", 0.30, 420, 0.6, **overrides),
        ServiceSpec("C", 0.15, 780, 0.7, **overrides),
    )
    counters = (
        CounterSpec("1", ("A",)),
        CounterSpec("2", ("A", "B")),
        CounterSpec("3", ("A", "B")),
        CounterSpec("4", ("B", "C")),
        CounterSpec("5", ("A", "B", "C")),
        CounterSpec("6", ("A", "C"), opens=10.0, closes=14.0),
    )
    return services, counters


def _scenarios() -> dict[str, Scenario]:
    plain_services, plain_counters = (
        (ServiceSpec("A", 1.0, 300),),
        tuple(CounterSpec(str(k), ("A",)) for k in range(1, 5)),
    )
    skilled_services, skilled_counters = _office()
    priority_services = tuple(
        ServiceSpec(s.name, s.share, s.mean_s, s.sigma, priority_shares=(0.08, 0.02))
        for s in skilled_services
    )
    full_services = tuple(
        ServiceSpec(
            s.name,
            s.share,
            s.mean_s,
            s.sigma,
            priority_shares=(0.08, 0.02),
            no_show=0.06,
            patience_s=2700,
            walk_up_s=25,
        )
        for s in skilled_services
    )
    varying = dict(day_profile=BUSY_DAY, week_profile=BUSY_WEEK, staff_speed_sigma=0.25, rotate_staff=True)
    return {
        "mmc": Scenario(
            "mmc",
            "plain M/M/4: one service, exponential service, Poisson arrivals, FCFS",
            plain_services,
            plain_counters,
            arrivals_per_hour=43.2,
        ),
        "skills": Scenario(
            "skills",
            "three services with lognormal durations, six counters with skill sets",
            skilled_services,
            skilled_counters,
            arrivals_per_hour=46.0,
        ),
        "peaks": Scenario(
            "peaks",
            "skills + arrivals varying by hour and weekday + staff of different speeds",
            skilled_services,
            skilled_counters,
            arrivals_per_hour=38.0,
            afternoon_slowdown=0.1,
            **varying,
        ),
        "priority": Scenario(
            "priority",
            "peaks + priority classes, strict priority",
            priority_services,
            skilled_counters,
            arrivals_per_hour=38.0,
            afternoon_slowdown=0.1,
            **varying,
        ),
        "full": Scenario(
            "full",
            "priority (at most 2 in a row) + no-shows + abandonment + walk-up + staff breaks",
            full_services,
            skilled_counters,
            arrivals_per_hour=40.0,
            afternoon_slowdown=0.1,
            breaks=True,
            rule=FairnessRule(kind=FairnessKind.MAX_IN_ROW, max_in_row=2),
            **varying,
        ),
    }


SCENARIOS: dict[str, Scenario] = _scenarios()
