"""Replay a log in time order and score qserve's estimates against the textbook baselines.

Every prediction uses only what was known at that moment: durations and rates are learned online as
tickets finish, the correction and its calibration are retrained at the start of each day (as the
scheduler does at night) on predictions whose outcome was known by then. Predictions are scored at join
and at every position update (someone of the same service was called), against the actual wait until the
call. Customers who left before being called have no wait and are not scored. Baselines get an 80% range
from the spread of their own past errors, so that coverage and width compare like with like.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np

from qserve.domain.ordering import FairnessRule
from qserve.predict.baselines import BASELINES, BaselineHistory
from qserve.predict.correction import fit_correction
from qserve.predict.estimator import Estimator
from qserve.predict.eventlog import EventLogRow
from qserve.predict.features import from_log, to_log
from qserve.predict.replay import Moment, Replay
from qserve.predict.training import OnlineLearner, Samples, call_times, initial_durations, predicted_tickets

QSERVE, SIMULATION = "qserve", "qserve_sim_only"
PREDICTORS = (QSERVE, SIMULATION, *BASELINES)
KINDS = ("join", "update")


@dataclass
class _Predictions:
    """Predictions of one predictor: when, for which ticket, at join or not, and the three quantiles."""

    times: list[np.ndarray] = field(default_factory=list)
    tickets: list[np.ndarray] = field(default_factory=list)
    at_join: list[np.ndarray] = field(default_factory=list)
    values: list[np.ndarray] = field(default_factory=list)  # (n, 3): p10, p50, p90

    def add(self, at: float, tickets: np.ndarray, at_join: np.ndarray, values: np.ndarray) -> None:
        """Remember the predictions made for some tickets at one moment."""
        self.times.append(np.full(len(tickets), at))
        self.tickets.append(tickets)
        self.at_join.append(at_join)
        self.values.append(values)

    def arrays(self) -> tuple[np.ndarray, ...]:
        """Return (times, tickets, at_join, values) of every prediction, in the order they were made."""
        if not self.times:
            return np.zeros(0), np.zeros(0, dtype=int), np.zeros(0, dtype=bool), np.zeros((0, 3))
        return tuple(np.concatenate(x) for x in (self.times, self.tickets, self.at_join, self.values))


def evaluate_log(
    rows: list[EventLogRow],
    *,
    train_until: datetime | None = None,
    rule: FairnessRule | None = None,
    replications: int = 100,
    retrain_every_days: int = 1,
    seed: int = 0,
) -> dict:
    """Replay a log and return the report: metrics per predictor at join and at updates, and the targets."""
    replay = Replay(rows, rule=rule)
    if not replay.tickets:
        raise ValueError("the event log has no tickets")
    start = train_until or _default_start(replay)
    run = _Run(replay, start, replications=replications, seed=seed)
    retrained_on = None
    for moment in replay.moments((OnlineLearner(run.estimator), run.history)):
        day = moment.now.date()
        if retrained_on is None or (day - retrained_on).days >= retrain_every_days:
            run.retrain(moment.now.timestamp())
            retrained_on = day
        run.predict(moment)
    return _report(replay, run.predictions, run.called, start, np.concatenate(run.all_busy or [np.zeros(0)]))


class _Run:
    """The estimator, the baselines and everything predicted so far in one replay."""

    def __init__(self, replay: Replay, start: datetime, *, replications: int, seed: int) -> None:
        defaults = initial_durations(t for t in replay.tickets if t.closed_at < start)
        self.estimator = Estimator.cold(defaults, seed=seed, replications=replications)
        self.history = BaselineHistory(defaults)
        self.called = call_times(replay)
        self.samples = Samples()
        self.predictions = {name: _Predictions() for name in PREDICTORS}
        self.ranges: dict[str, tuple[float, float]] = {}
        self.all_busy: list[np.ndarray] = []
        self.seed = seed

    def retrain(self, known_at: float) -> None:
        """Do what the nightly job does, with what was known at `known_at`."""
        labelled = self.samples.labelled(self.called, known_at=known_at)
        self.estimator.correction = fit_correction(*labelled, seed=self.seed)
        self.ranges = _baseline_ranges(self.predictions, self.called, known_at)

    def predict(self, moment: Moment) -> None:
        """Predict the tickets that joined or moved at this moment, with qserve and every baseline."""
        wanted = predicted_tickets(moment)
        if not wanted:
            return
        result, features = self.estimator.features(moment.snapshot)
        rows_of = {t.ticket_id: i for i, t in enumerate(moment.snapshot.waiting)}
        picked = np.array([rows_of[t] for t in wanted])
        tickets, at_join = np.array(wanted), np.arange(len(wanted)) < len(moment.joined)
        self.samples.add(features[picked], moment.now, tickets)
        self.all_busy.append(_all_busy(moment.snapshot, [moment.snapshot.waiting[i] for i in picked]))
        at = moment.now.timestamp()
        simulated = np.column_stack([result.p10_s[picked], result.p50_s[picked], result.p90_s[picked]])
        self.predictions[SIMULATION].add(at, tickets, at_join, simulated)
        if self.estimator.correction is not None:
            simulated = np.column_stack(self.estimator.correction.apply(features[picked]))
        self.predictions[QSERVE].add(at, tickets, at_join, simulated)
        for name, values in self.history.predict(moment.snapshot, wanted).items():
            middle = np.array([values[t] for t in wanted])
            self.predictions[name].add(at, tickets, at_join, _with_range(middle, self.ranges.get(name)))


def _all_busy(snapshot, tickets) -> np.ndarray:
    """Flag tickets whose every open counter is busy (the case the queue-length formula assumes)."""
    flags = []
    for ticket in tickets:
        serving = [c for c in snapshot.counters if c.open and ticket.service_id in c.service_ids]
        flags.append(bool(serving) and all(c.serving_service_id is not None for c in serving))
    return np.array(flags, dtype=bool)


def _default_start(replay: Replay) -> datetime:
    """Warm up on the first third of the log's days (at least one day), score the rest."""
    first = min(t.joined_at for t in replay.tickets)
    last = max(t.joined_at for t in replay.tickets)
    days = max(1, (last.date() - first.date()).days // 3)
    return datetime.combine(first.date() + timedelta(days=days), datetime.min.time(), tzinfo=first.tzinfo)


def _with_range(middle: np.ndarray, spread: tuple[float, float] | None) -> np.ndarray:
    """Give a point predictor the range its own past errors imply (none before there are any)."""
    if spread is None:
        return np.column_stack([middle, middle, middle])
    logged = to_log(middle)
    return np.column_stack([from_log(logged + spread[0]), middle, from_log(logged + spread[1])])


def _baseline_ranges(predictions: dict[str, _Predictions], called: np.ndarray, known_at: float) -> dict:
    """Return each baseline's 10% and 90% log-ratio errors over predictions resolved by `known_at`."""
    ranges = {}
    for name in BASELINES:
        times, tickets, _, values = predictions[name].arrays()
        if len(times) == 0:
            continue
        actual = called[tickets]
        known = np.isfinite(actual) & (actual <= known_at)
        if known.sum() >= 100:
            errors = to_log(actual[known] - times[known]) - to_log(values[known, 1])
            ranges[name] = tuple(np.quantile(errors[-20_000:], [0.1, 0.9]))
    return ranges


def _report(
    replay: Replay, predictions: dict[str, _Predictions], called: np.ndarray, start: datetime, all_busy
) -> dict:
    first = min(t.joined_at for t in replay.tickets)
    last = max(t.joined_at for t in replay.tickets)
    report = {
        "log": {"tickets": len(replay.tickets), "from": first.isoformat(), "to": last.isoformat()},
        "scored_from": start.isoformat(),
        "predictors": {},
    }
    for name, collected in predictions.items():
        times, tickets, at_join, values = collected.arrays()
        scored = (
            (times >= start.timestamp()) & np.isfinite(called[tickets]) if len(times) else np.zeros(0, bool)
        )
        report["predictors"][name] = {
            kind: _metrics(values[mask], called[tickets[mask]] - times[mask])
            for kind, mask in (("join", scored & at_join), ("update", scored & ~at_join))
        }
    report["targets"] = targets(report["predictors"])
    report["all_counters_busy"] = _when_all_busy(predictions, called, start, all_busy)
    return report


def _when_all_busy(
    predictions: dict[str, _Predictions], called: np.ndarray, start: datetime, all_busy
) -> dict:
    """Compare qserve and the queue-length formula where the formula's assumption holds: no counter idle."""
    result = {}
    ours, theirs = predictions[QSERVE].arrays(), predictions["queue_length"].arrays()
    times, tickets, at_join = ours[0], ours[1], ours[2]
    if len(times) == 0:
        return result
    scored = (times >= start.timestamp()) & np.isfinite(called[tickets]) & all_busy
    for kind, mask in (("join", scored & at_join), ("update", scored & ~at_join)):
        if mask.sum():
            actual = called[tickets[mask]] - times[mask]
            mae = float(np.mean(np.abs(ours[3][mask, 1] - actual)))
            formula = float(np.mean(np.abs(theirs[3][mask, 1] - actual)))
            result[kind] = {"n": int(mask.sum()), "qserve_mae_s": mae, "queue_length_mae_s": formula}
    return result


def _metrics(values: np.ndarray, actual: np.ndarray) -> dict:
    if len(actual) == 0:
        return {"n": 0}
    error = values[:, 1] - actual
    return {
        "n": int(len(actual)),
        "mae_s": float(np.mean(np.abs(error))),
        "p90_abs_error_s": float(np.quantile(np.abs(error), 0.9)),
        "mean_signed_error_s": float(np.mean(error)),
        "coverage_80": float(np.mean((values[:, 0] <= actual) & (actual <= values[:, 2]))),
        "width_80_s": float(np.mean(values[:, 2] - values[:, 0])),
    }


def targets(predictors: dict) -> dict:
    """Compare qserve with the best baseline on each metric, at join and at updates."""
    result = {}
    for kind in KINDS:
        ours = predictors[QSERVE][kind]
        if not ours.get("n"):
            continue
        best_mae = min(predictors[b][kind]["mae_s"] for b in BASELINES)
        best_p90 = min(predictors[b][kind]["p90_abs_error_s"] for b in BASELINES)
        result[kind] = {
            "mae_vs_best_baseline": ours["mae_s"] / best_mae if best_mae else None,
            "p90_vs_best_baseline": ours["p90_abs_error_s"] / best_p90 if best_p90 else None,
            "mae_vs_queue_length": ours["mae_s"] / predictors["queue_length"][kind]["mae_s"],
            "mae_vs_whitt_ql": ours["mae_s"] / predictors["whitt_ql"][kind]["mae_s"],
            "coverage_80": ours["coverage_80"],
        }
    return result


def format_table(report: dict) -> str:
    """Return the report as a plain-text table (seconds), one line per predictor."""
    header = f"{'predictor':<16}" + "".join(
        f"| {kind + ' n':>9} {'MAE':>6} {'P90err':>6} {'bias':>6} {'cover':>5} {'width':>6} "
        for kind in KINDS
    )
    lines = [header, "-" * len(header)]
    for name, kinds in report["predictors"].items():
        cells = []
        for kind in KINDS:
            m = kinds[kind]
            if not m.get("n"):
                cells.append(f"| {0:>9} " + " " * 35)
                continue
            cells.append(
                f"| {m['n']:>9} {m['mae_s']:>6.0f} {m['p90_abs_error_s']:>6.0f}"
                f" {m['mean_signed_error_s']:>+6.0f} {m['coverage_80']:>5.2f} {m['width_80_s']:>6.0f} "
            )
        lines.append(f"{name:<16}" + "".join(cells))
    for kind, t in report.get("targets", {}).items():
        lines.append(
            f"{kind}: qserve MAE {t['mae_vs_best_baseline']:.2f}x best baseline (target <= 0.85), "
            f"P90 {t['p90_vs_best_baseline']:.2f}x (<= 0.80), coverage {t['coverage_80']:.3f} (0.78-0.82); "
            f"MAE {t['mae_vs_whitt_ql']:.3f}x Whitt's queue-length predictor, "
            f"{t['mae_vs_queue_length']:.3f}x the literal formula"
        )
    for kind, busy in report.get("all_counters_busy", {}).items():
        ratio = (
            busy["qserve_mae_s"] / busy["queue_length_mae_s"] if busy["queue_length_mae_s"] else float("nan")
        )
        lines.append(
            f"{kind}, every counter busy (n={busy['n']}): qserve MAE {busy['qserve_mae_s']:.0f}s, "
            f"queue-length {busy['queue_length_mae_s']:.0f}s ({ratio:.3f}x)"
        )
    return "\n".join(lines)
