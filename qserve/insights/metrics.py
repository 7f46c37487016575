"""Pure figures over visit and feedback rows: waits, service times, rates, scores, heat map, accuracy.

Definitions (the dashboard, CSV and PDF all use these):
- wait = called_at - joined_at, for every visit that was called (done and no-show included);
- service time = finished_at - (serving_started_at or called_at), for done visits;
- median and P90 interpolate linearly between ranks (like numpy's default percentile);
- no-show and cancellation rates are shares of all tickets; "within target" is the share of called visits
  whose wait was at most the target;
- recommendation score (NPS) = % of 9-10 answers minus % of 0-6 answers.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class Visit:
    """The facts of one ticket that the figures need (no personal data)."""

    location_id: int
    service_id: int
    status: str
    joined_at: datetime
    called_at: datetime | None = None
    serving_started_at: datetime | None = None
    finished_at: datetime | None = None
    counter_id: int | None = None
    served_by_id: int | None = None
    estimate_p50_s: int | None = None

    @property
    def wait_s(self) -> float | None:
        """Return how long the customer waited to be called, in seconds."""
        return (self.called_at - self.joined_at).total_seconds() if self.called_at else None

    @property
    def service_s(self) -> float | None:
        """Return how long the customer was served, in seconds (done visits only)."""
        start = self.serving_started_at or self.called_at
        if self.status != "done" or not start or not self.finished_at:
            return None
        return (self.finished_at - start).total_seconds()


@dataclass(frozen=True)
class Rating:
    """One feedback answer's anonymous scores and the visit it belongs to."""

    location_id: int
    service_id: int
    served_by_id: int | None
    rating: int
    recommendation: int | None = None


def percentile(values: Iterable[float], q: float) -> float | None:
    """Return the q-th percentile (0-100) with linear interpolation, or None for no values."""
    ordered = sorted(values)
    if not ordered:
        return None
    rank = (len(ordered) - 1) * q / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def recommendation_score(scores: list[int]) -> float | None:
    """Return the net promoter score (-100..100) of 0-10 answers."""
    if not scores:
        return None
    promoters = sum(1 for s in scores if s >= 9)
    detractors = sum(1 for s in scores if s <= 6)
    return 100 * (promoters - detractors) / len(scores)


def summarize(visits: list[Visit], ratings: list[Rating], *, target_wait_s: float) -> dict:
    """Return the headline figures of a set of visits and their feedback."""
    waits = [v.wait_s for v in visits if v.wait_s is not None]
    services = [v.service_s for v in visits if v.service_s is not None]
    statuses = [v.status for v in visits]
    recommendations = [r.recommendation for r in ratings if r.recommendation is not None]
    return {
        "tickets": len(visits),
        "served": statuses.count("done"),
        "waiting": statuses.count("waiting"),
        "median_wait_s": percentile(waits, 50),
        "p90_wait_s": percentile(waits, 90),
        "median_service_s": percentile(services, 50),
        "mean_service_s": _mean(services),
        "no_show_rate": _share(statuses.count("no_show"), len(visits)),
        "cancel_rate": _share(statuses.count("cancelled"), len(visits)),
        "within_target": _share(sum(1 for w in waits if w <= target_wait_s), len(waits)),
        "feedback_count": len(ratings),
        "mean_rating": _mean([r.rating for r in ratings]),
        "recommendation_count": len(recommendations),
        "recommendation_score": recommendation_score(recommendations),
    }


def summarize_by(
    visits: list[Visit], ratings: list[Rating], key: Callable[[object], object], *, target_wait_s: float
) -> dict[object, dict]:
    """Return summaries grouped by a key of visits and ratings (e.g. service or staff member)."""
    groups: dict[object, tuple[list, list]] = defaultdict(lambda: ([], []))
    for visit in visits:
        groups[key(visit)][0].append(visit)
    for rating in ratings:
        groups[key(rating)][1].append(rating)
    return {k: summarize(v, r, target_wait_s=target_wait_s) for k, (v, r) in groups.items() if k is not None}


def arrivals_heatmap(visits: list[Visit], time_zone: str) -> list[list[int]]:
    """Return arrivals counted by local weekday (0 = Monday) and hour: a 7 x 24 grid."""
    zone = ZoneInfo(time_zone)
    grid = [[0] * 24 for _ in range(7)]
    for visit in visits:
        local = visit.joined_at.astimezone(zone)
        grid[local.weekday()][local.hour] += 1
    return grid


def estimate_accuracy(visits: list[Visit], *, tolerance_s: float = 300) -> dict:
    """Compare the wait predicted at join with the actual wait of called visits."""
    pairs = [
        (v.estimate_p50_s, v.wait_s) for v in visits if v.estimate_p50_s is not None and v.wait_s is not None
    ]
    errors = [actual - predicted for predicted, actual in pairs]
    return {
        "count": len(pairs),
        "mean_abs_error_s": _mean([abs(e) for e in errors]),
        "median_error_s": percentile(errors, 50),
        "within_tolerance": _share(sum(1 for e in errors if abs(e) <= tolerance_s), len(errors)),
        "tolerance_s": tolerance_s,
        "pairs": pairs,
    }
