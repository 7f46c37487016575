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


def _office_services(**extra) -> tuple[ServiceSpec, ...]:
    """Three services: short, middling and long, with lognormal durations."""
    return (
        ServiceSpec("A", 0.55, 240, 0.5, **extra),
        ServiceSpec("B", 0.30, 420, 0.6, **extra),
        ServiceSpec("C", 0.15, 780, 0.7, **extra),
    )


OFFICE_COUNTERS = (
    CounterSpec("1", ("A",)),
    CounterSpec("2", ("A", "B")),
    CounterSpec("3", ("A", "B")),
    CounterSpec("4", ("B", "C")),
    CounterSpec("5", ("A", "B", "C")),
    CounterSpec("6", ("A", "C"), opens=10.0, closes=14.0),  # a part-time counter for the busy hours
)
PRIORITIES = (0.08, 0.02)  # shares of arrivals at priority 1 and 2
VARYING = dict(day_profile=BUSY_DAY, week_profile=BUSY_WEEK, staff_speed_sigma=0.25, rotate_staff=True)

MMC = Scenario(
    "mmc",
    "plain M/M/4: one service, exponential service, Poisson arrivals, FCFS",
    (ServiceSpec("A", 1.0, 300),),
    tuple(CounterSpec(str(k), ("A",)) for k in range(1, 5)),
    arrivals_per_hour=43.2,
)
SKILLS = Scenario(
    "skills",
    "three services with lognormal durations, six counters with skill sets",
    _office_services(),
    OFFICE_COUNTERS,
    arrivals_per_hour=46.0,
)
PEAKS = Scenario(
    "peaks",
    "skills + arrivals varying by hour and weekday + staff of different speeds",
    _office_services(),
    OFFICE_COUNTERS,
    arrivals_per_hour=38.0,
    afternoon_slowdown=0.1,
    **VARYING,
)
PRIORITY = Scenario(
    "priority",
    "peaks + priority classes, strict priority",
    _office_services(priority_shares=PRIORITIES),
    OFFICE_COUNTERS,
    arrivals_per_hour=38.0,
    afternoon_slowdown=0.1,
    **VARYING,
)
FULL = Scenario(
    "full",
    "priority (at most 2 in a row) + no-shows + abandonment + walk-up + staff breaks",
    _office_services(priority_shares=PRIORITIES, no_show=0.06, patience_s=2700, walk_up_s=25),
    OFFICE_COUNTERS,
    arrivals_per_hour=40.0,
    afternoon_slowdown=0.1,
    breaks=True,
    rule=FairnessRule(kind=FairnessKind.MAX_IN_ROW, max_in_row=2),
    **VARYING,
)
SCENARIOS: dict[str, Scenario] = {
    scenario.name: scenario for scenario in (MMC, SKILLS, PEAKS, PRIORITY, FULL)
}
