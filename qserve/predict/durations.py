"""Service durations learned per service, staff member, hour and weekday, shrunk toward the parent level.

Each level keeps the weight, sum and sum of squares of the durations it saw (fading with a month's
half-life); a level's mean and squared coefficient of variation are a weighted blend of its own data and
its parent's estimate, so a staff member with three tickets at 15:00 on a Friday mostly inherits the
service's figures. How hard each level is shrunk is learned too (empirical Bayes): hours that do not
really differ are pooled, staff who really differ are told apart. The duration is modelled as
a lognormal with that mean and variation (moment matched, so the mean, which sets the queue's pace, is
right even when the true shape is not lognormal) until the service has enough history; then the shape
comes from its recent durations, each divided by what was expected of it (the empirical distribution,
scaled by each counter's mean). Hour and weekday are those of the location's wall clock: the times given
carry the location's offset (see `qserve.predict.localtime`).
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
from scipy.special import ndtr, ndtri

FALLBACK_DURATION_S = 300.0
PRIOR_CV2 = 0.5  # squared coefficient of variation before any data (sigma of log about 0.64)
ROOT_STRENGTH = 5.0  # the configured default counts as this many observations
CV2_STRENGTH = 10.0
LEVEL_STRENGTH = (8.0, 15.0, 20.0)  # pseudo-observations of the parent at staff, hour, weekday, at first
HALF_LIFE_S = 30 * 86400.0  # an observation a month old counts half (every level fades alike)
LEVELS = ("service", "staff", "hour", "weekday")
STRENGTH_REFRESH = 50  # re-estimate a service's shrinkage strengths every this many durations
STRENGTH_BOUNDS = (2.0, 500.0)
MAX_DURATION_S = 4 * 3600.0
MIN_DURATION_S = 1.0
SHAPE_SAMPLES = 1000  # recent durations kept per service, relative to what was expected of them
MIN_SHAPE_SAMPLES = 50  # below this, the lognormal stands in for the learned shape
SHAPE_AFTER = 20  # start keeping shapes once the service's mean has settled a little


@dataclass
class _Cell:
    weight: float = 0.0
    total: float = 0.0
    total_squares: float = 0.0
    updated_s: float = 0.0  # POSIX time of the last observation; the sums fade from there

    def add(self, duration_s: float, at_s: float) -> None:
        """Count one duration, after fading the older ones by their age."""
        if self.weight:
            fade = 0.5 ** (max(0.0, at_s - self.updated_s) / HALF_LIFE_S)
            self.weight *= fade
            self.total *= fade
            self.total_squares *= fade
        self.weight += 1.0
        self.total += duration_s
        self.total_squares += duration_s * duration_s
        self.updated_s = max(self.updated_s, at_s)

    def blend(
        self, parent_mean: float, parent_cv2: float, strength: float, parent_weight: float | None = None
    ) -> tuple[float, float]:
        """Return this cell's mean and cv2, shrunk toward the parent's.

        The parent's estimate already holds this cell's data; counting it again at every level would pull
        too hard. So the cell weighs only as much as its data is new to the parent: nothing when the cell
        is all the parent has seen, nearly everything when it is a small part of it.
        """
        if self.weight <= 0:
            return parent_mean, parent_cv2
        share = min(1.0, self.weight / parent_weight) if parent_weight else 0.0
        weight = self.weight * (1.0 - share)
        if weight <= 1e-9:
            return parent_mean, parent_cv2
        mean = self.total / self.weight
        mean_shrunk = (weight * mean + strength * parent_mean) / (weight + strength)
        if self.weight < 2:
            return mean_shrunk, parent_cv2
        variance = max(0.0, self.total_squares / self.weight - mean * mean) * self.weight / (self.weight - 1)
        cv2 = variance / max(mean * mean, 1e-9)
        cv2_weight = weight * (self.weight - 1) / self.weight
        cv2_shrunk = (cv2_weight * cv2 + CV2_STRENGTH * parent_cv2) / (cv2_weight + CV2_STRENGTH)
        return mean_shrunk, cv2_shrunk


@dataclass
class DurationModel:
    """Learned service durations with hierarchical shrinkage and online updates."""

    default_durations_s: dict[int, float] = field(default_factory=dict)
    cells: dict[tuple, _Cell] = field(default_factory=dict)
    shapes: dict[int, deque] = field(default_factory=dict)  # service -> durations / their expected mean
    strengths: dict[tuple[int, int], float] = field(default_factory=dict)  # (service, level) -> strength
    pending: dict[int, int] = field(default_factory=dict)  # durations since the strengths were estimated

    def observe(
        self, *, service_id: int, staff_id: int | None, started_at: datetime, finished_at: datetime
    ) -> None:
        """Learn from one finished service."""
        duration_s = (finished_at - started_at).total_seconds()
        if duration_s < MIN_DURATION_S:
            return
        duration_s = min(duration_s, MAX_DURATION_S)
        if self.observed_count(service_id) >= SHAPE_AFTER:
            expected = self.params(service_id, staff_id, started_at)[0]
            self.shapes.setdefault(service_id, deque(maxlen=SHAPE_SAMPLES)).append(duration_s / expected)
        for key in _keys(service_id, staff_id, started_at):
            self.cells.setdefault(key, _Cell()).add(duration_s, finished_at.timestamp())
        self.pending[service_id] = self.pending.get(service_id, 0) + 1
        if self.pending[service_id] >= STRENGTH_REFRESH:
            self.pending[service_id] = 0
            for level in (1, 2, 3):
                self.strengths[service_id, level] = self._strength(service_id, level)

    def _strength(self, service_id: int, level: int) -> float:
        """Estimate how many observations of the parent a cell of this level is worth (empirical Bayes).

        Cells are compared with their siblings (the parent without the cell): when they differ no more
        than noise explains, the level carries no real effect and is shrunk hard to the parent; when they
        differ a lot, each cell's own data is trusted sooner.
        """
        root = self.cells.get(("service", service_id))
        if root is None or root.weight < 2:
            return LEVEL_STRENGTH[level - 1]
        cv2 = max(root.total_squares / root.weight / (root.total / root.weight) ** 2 - 1.0, 1e-3)
        excess = weights = 0.0
        for key, cell in self.cells.items():
            if key[0] != LEVELS[level] or key[1] != service_id:
                continue
            parent = self.cells.get((LEVELS[level - 1], *key[1:-1]))
            rest = parent.weight - cell.weight if parent is not None else 0.0
            if rest < 1.0 or cell.weight < 1.0:
                continue
            ratio = (cell.total / cell.weight) / ((parent.total - cell.total) / rest)
            excess += cell.weight * ((ratio - 1.0) ** 2 - cv2 * (1.0 / cell.weight + 1.0 / rest))
            weights += cell.weight
        low, high = STRENGTH_BOUNDS
        between = excess / weights if weights else 0.0
        return high if between <= cv2 / high else max(low, cv2 / between)

    def shape(self, service_id: int) -> np.ndarray | None:
        """Return the sorted recent durations of a service relative to their expected mean (mean 1), or None
        while there are too few: the empirical shape that the simulation scales by each counter's mean."""
        recent = self.shapes.get(service_id)
        if recent is None or len(recent) < MIN_SHAPE_SAMPLES:
            return None
        relative = np.sort(np.fromiter(recent, dtype=float, count=len(recent)))
        return relative / relative.mean()

    def params(self, service_id: int, staff_id: int | None, at: datetime) -> tuple[float, float]:
        """Return the (mean seconds, squared coefficient of variation) of a service's duration."""
        default = float(self.default_durations_s.get(service_id, FALLBACK_DURATION_S))
        keys = _keys(service_id, staff_id, at)
        root = self.cells.get(keys[0])
        if root is None:
            return default, PRIOR_CV2
        mean, cv2 = root.blend(default, PRIOR_CV2, ROOT_STRENGTH, parent_weight=math.inf)
        parent = root
        for level, key in enumerate(keys[1:], start=1):
            cell = self.cells.get(key)
            if cell is None:
                break  # deeper levels are subsets of this one: they have no data either
            strength = self.strengths.get((service_id, level), LEVEL_STRENGTH[level - 1])
            mean, cv2 = cell.blend(mean, cv2, strength, parent_weight=parent.weight)
            parent = cell
        return mean, cv2

    def mean_s(self, service_id: int, staff_id: int | None = None, at: datetime | None = None) -> float:
        """Return a service's expected duration (service level when staff and time are not given)."""
        if at is None:
            default = float(self.default_durations_s.get(service_id, FALLBACK_DURATION_S))
            root = self.cells.get(("service", service_id))
            return default if root is None else root.blend(default, PRIOR_CV2, ROOT_STRENGTH, math.inf)[0]
        return self.params(service_id, staff_id, at)[0]

    def observed_count(self, service_id: int) -> float:
        """Return how many durations (after fading) the service has learned from."""
        cell = self.cells.get(("service", service_id))
        return 0.0 if cell is None else cell.weight


def _keys(service_id: int, staff_id: int | None, at: datetime) -> tuple[tuple, ...]:
    hour, weekday = at.hour, at.weekday()
    return (
        (LEVELS[0], service_id),
        (LEVELS[1], service_id, staff_id),
        (LEVELS[2], service_id, staff_id, hour),
        (LEVELS[3], service_id, staff_id, hour, weekday),
    )


def lognormal_params(mean: np.ndarray | float, cv2: np.ndarray | float) -> tuple[np.ndarray, np.ndarray]:
    """Return the (mu, sigma) of the lognormal with this mean and squared coefficient of variation."""
    sigma2 = np.log1p(np.asarray(cv2, dtype=float))
    return np.log(np.asarray(mean, dtype=float)) - sigma2 / 2.0, np.sqrt(sigma2)


def sample_durations(mean, cv2, normals: np.ndarray) -> np.ndarray:
    """Turn standard normal draws into lognormal durations with the given mean and variation."""
    mu, sigma = lognormal_params(mean, cv2)
    return np.exp(mu + sigma * normals)


def sample_remaining(mean, cv2, elapsed_s, uniforms: np.ndarray) -> np.ndarray:
    """Draw the time left of services already running for elapsed_s, from the lognormal given X > elapsed."""
    mu, sigma = lognormal_params(mean, cv2)
    elapsed = np.maximum(np.asarray(elapsed_s, dtype=float), 1e-3)
    standardised = (np.log(elapsed) - mu) / sigma
    tail = ndtr(-standardised)  # P(X > elapsed), computed without cancellation
    v = np.clip(tail * (1.0 - uniforms), 1e-300, None)  # uniform on (0, tail]
    total = np.exp(mu - sigma * ndtri(v))
    return np.maximum(total - elapsed, 0.0)


def sample_remaining_empirical(
    mean: float, shape: np.ndarray, elapsed_s: float, rng: np.random.Generator, count: int
) -> np.ndarray | None:
    """Draw times left of a service running for elapsed_s from the empirical shape (sorted, mean 1), among
    past services that lasted longer; None when too few did."""
    longer = shape[np.searchsorted(shape, elapsed_s / mean, side="right") :]
    if len(longer) < 10:
        return None
    return np.maximum(mean * rng.choice(longer, count) - elapsed_s, 0.0)


def expected_remaining(mean: float, cv2: float, elapsed_s: float) -> float:
    """Return the mean time left of a service running for elapsed_s (used for features)."""
    mu, sigma = (float(x) for x in lognormal_params(mean, cv2))
    if elapsed_s <= 0:
        return mean
    a = (math.log(elapsed_s) - mu) / sigma
    tail = float(ndtr(-a))
    if tail < 1e-12:
        return 0.0
    partial = math.exp(mu + sigma * sigma / 2) * float(ndtr(sigma - a))  # E[X; X > elapsed]
    return max(partial / tail - elapsed_s, 0.0)
