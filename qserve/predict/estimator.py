"""The estimator the app holds: learns online from finished tickets, predicts every waiting ticket at once.

    estimator = Estimator.cold({service.id: service.default_duration_s for service in services})
    estimator.observe_finished(service_id=..., staff_id=..., started_at=..., finished_at=...)
    estimates = estimator.predict(snapshot)          # {ticket_id: WaitEstimate}
    estimator.save(path); Estimator.load(path)

The learned correction is trained by `fit_from_eventlog` (a scheduler job, never a web request).
"""

from __future__ import annotations

import pickle
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import numpy as np

from qserve.predict.compose import Forecast, forecast, newcomer_ids
from qserve.predict.correction import Correction
from qserve.predict.durations import DurationModel
from qserve.predict.features import newcomer_features, queue_features
from qserve.predict.outcomes import OutcomeModel
from qserve.predict.snapshot import QueueSnapshot, WaitEstimate

FORMAT = 2  # 2: calibration in bands of the median, hours in local time
LARGE_QUEUE = 150  # above this many waiting tickets, use fewer replications to stay fast


@dataclass
class Estimator:
    """Learned durations and outcome rates, an optional learned correction, and the simulation settings."""

    durations: DurationModel = field(default_factory=DurationModel)
    outcomes: OutcomeModel = field(default_factory=OutcomeModel)
    correction: Correction | None = None
    replications: int = 200
    seed: int = 0
    trained_at: datetime | None = None
    format: int = FORMAT

    @classmethod
    def cold(cls, default_durations_s: dict[int, float], **settings) -> Estimator:
        """Return an estimator that knows only each service's configured default duration."""
        return cls(DurationModel(dict(default_durations_s)), OutcomeModel(), **settings)

    @classmethod
    def fit_from_eventlog(cls, rows, **options) -> Estimator:
        """Learn everything from an event log (see `qserve.predict.training.fit_from_eventlog`)."""
        from qserve.predict.training import fit_from_eventlog

        return fit_from_eventlog(rows, **options)

    def set_default_duration(self, service_id: int, seconds: float) -> None:
        """Set a service's configured duration (the prior its learned duration starts from)."""
        self.durations.default_durations_s[service_id] = float(seconds)

    def observe_finished(
        self,
        *,
        service_id: int,
        staff_id: int | None,
        started_at: datetime,
        finished_at: datetime,
        called_at: datetime | None = None,
    ) -> None:
        """Learn from a finished service (and the walk-up time when the call time is given)."""
        self.durations.observe(
            service_id=service_id, staff_id=staff_id, started_at=started_at, finished_at=finished_at
        )
        if called_at is not None:
            self.outcomes.observe_walk_up(service_id=service_id, called_at=called_at, started_at=started_at)

    def observe_called(self, *, service_id: int, joined_at: datetime, called_at: datetime) -> None:
        """Remember the wait of a ticket just called."""
        self.outcomes.observe_called(service_id=service_id, joined_at=joined_at, called_at=called_at)

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
        """Learn from a closed ticket (served, no_show, abandoned, cancelled): no-shows, leaving, arrivals."""
        self.outcomes.observe_outcome(
            service_id=service_id,
            outcome=outcome,
            joined_at=joined_at,
            priority=priority,
            called_at=called_at,
            closed_at=closed_at,
        )

    def simulate(
        self, snapshot: QueueSnapshot, *, replications: int | None = None, newcomers: Sequence = ()
    ) -> Forecast:
        """Run the forward simulation alone (the same random draws every time, so estimates do not jitter)."""
        count = replications or self.replications
        if len(snapshot.waiting) > LARGE_QUEUE and replications is None:
            count = max(100, count * 3 // 5)  # long lines cost more steps: keep a 300-line location < 50 ms
        return forecast(
            snapshot,
            self.durations,
            self.outcomes,
            replications=count,
            rng=np.random.default_rng(self.seed),
            newcomers=newcomers,
        )

    def features(
        self, snapshot: QueueSnapshot, *, replications: int | None = None
    ) -> tuple[Forecast, np.ndarray]:
        """Return the simulation and the queue-state features of every waiting ticket."""
        result = self.simulate(snapshot, replications=replications)
        return result, queue_features(snapshot, result, self.durations, self.outcomes)

    def predict(self, snapshot: QueueSnapshot) -> dict[int, WaitEstimate]:
        """Estimate the wait from now until each waiting ticket is called."""
        if not snapshot.waiting:
            return {}
        result, features = self.features(snapshot)
        return self.estimates(result, features)

    def predict_with_newcomers(
        self, snapshot: QueueSnapshot, newcomers: Sequence[tuple[int, int]]
    ) -> tuple[dict[int, WaitEstimate], dict[tuple[int, int], WaitEstimate]]:
        """Estimate every waiting ticket, and the wait of a ticket of each (service id, priority) that
        joined now, from the same simulation (a newcomer takes no counter time from the others)."""
        newcomers = list(dict.fromkeys(newcomers))
        result = self.simulate(snapshot, newcomers=newcomers)
        features = queue_features(snapshot, result, self.durations, self.outcomes)
        if not newcomers:
            return self.estimates(result, features), {}
        joining = newcomer_features(snapshot, result, newcomers, self.durations, self.outcomes)
        if self.correction is None:
            ours, theirs = None, None
        else:  # one pass of the models over both: each pass has a fixed cost
            low, middle, high = self.correction.apply(np.vstack([features, joining]))
            split = len(features)
            ours = (low[:split], middle[:split], high[:split])
            theirs = (low[split:], middle[split:], high[split:])
        by_id = self.estimates(result.newcomers, joining, theirs)
        ids = newcomer_ids(len(newcomers))
        return self.estimates(result, features, ours), {
            key: by_id[ticket_id] for key, ticket_id in zip(newcomers, ids, strict=True)
        }

    def estimates(self, result: Forecast, features: np.ndarray, quantiles=None) -> dict[int, WaitEstimate]:
        """Turn a simulation and its features into announced estimates (corrected and calibrated), or use
        the (p10, p50, p90) seconds already corrected when given."""
        if quantiles is not None:
            low, middle, high = quantiles
        elif self.correction is None:
            low, middle, high = result.p10_s, result.p50_s, result.p90_s
        else:
            low, middle, high = self.correction.apply(features)
        estimates = {}
        for index, ticket_id in enumerate(result.ticket_ids):
            if result.reachable[index]:
                estimates[ticket_id] = WaitEstimate(
                    int(low[index]), int(round(middle[index])), int(high[index] + 0.999)
                )
            else:
                estimates[ticket_id] = _nobody_serves(features[index])
        return estimates

    def save(self, path: str | Path) -> None:
        """Write the estimator to a file (atomically: a reader never sees half a file)."""
        path = Path(path)
        partial = path.with_name(path.name + ".partial")
        with open(partial, "wb") as handle:
            pickle.dump(self, handle, protocol=pickle.HIGHEST_PROTOCOL)
        partial.replace(path)

    @classmethod
    def load(cls, path: str | Path) -> Estimator:
        """Read an estimator written by `save` (only load files you wrote: this is a pickle)."""
        with open(path, "rb") as handle:
            estimator = pickle.load(handle)  # noqa: S301 (our own file)
        if not isinstance(estimator, cls) or getattr(estimator, "format", None) != FORMAT:
            raise ValueError(f"{path} is not a qserve estimator of format {FORMAT}")
        return estimator


def _nobody_serves(features: np.ndarray) -> WaitEstimate:
    """Estimate a ticket no open counter serves: its place in line at one counter, with a wide range."""
    from qserve.predict.features import FEATURES

    formula_s = features[FEATURES.index("position")] * features[FEATURES.index("duration_min")] * 60.0
    return WaitEstimate(int(formula_s * 0.5), int(formula_s), int(formula_s * 2.5 + 600))
