"""Print the wait-prediction benchmark: every simulated scenario scored by `evaluate`, and the time to
predict every waiting ticket of a location with 300 waiting, on one core.

    python bench/predict/run_benchmark.py            # all scenarios, 21 days each (about 4 CPU minutes)
    python bench/predict/run_benchmark.py --days 7 --scenario mmc --scenario full --json out.json
    python bench/predict/run_benchmark.py --timing-only   # the 300-waiting latency alone (about 20 s)
"""

from __future__ import annotations

import os

for _variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")  # one core, before numpy starts its thread pools

import argparse  # noqa: E402
import json  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
from datetime import timedelta  # noqa: E402

import numpy as np  # noqa: E402

from qserve.domain.ordering import FairnessKind, FairnessRule  # noqa: E402
from qserve.predict.correction import MIDDLE, Correction, train_quantile_models  # noqa: E402
from qserve.predict.evaluate import evaluate_log, format_table  # noqa: E402
from qserve.predict.scenarios import SCENARIOS  # noqa: E402
from qserve.predict.simulate import START, simulate  # noqa: E402
from qserve.predict.snapshot import CounterState, QueueSnapshot, WaitingTicket  # noqa: E402
from qserve.predict.training import fit_from_eventlog  # noqa: E402

TIMING_TARGET_MS = 50.0


def run_scenarios(names: list[str], *, days: int, seed: int) -> dict:
    """Simulate and evaluate each scenario; print its table as it finishes."""
    reports = {}
    for name in names:
        started = time.process_time()
        rows = simulate(name, days=days, seed=seed)
        report = evaluate_log(rows, rule=SCENARIOS[name].rule, seed=seed)
        report["cpu_s"] = time.process_time() - started
        reports[name] = report
        print(
            f"\n== {name}: {SCENARIOS[name].description} ({days} days, {len(rows)} tickets, "
            f"{report['cpu_s']:.0f} CPU s)"
        )
        print(format_table(report), flush=True)
    return reports


def big_snapshot(waiting: int, *, seed: int) -> QueueSnapshot:
    """Return the 'full' office at 11:00 on a Monday with `waiting` tickets in line and every counter busy."""
    rng = np.random.default_rng(seed)
    now = START + timedelta(days=7, hours=11)
    skills = [
        frozenset({1}),
        frozenset({1, 2}),
        frozenset({1, 2}),
        frozenset({2, 3}),
        frozenset({1, 2, 3}),
        frozenset({1, 3}),
    ]
    counters = tuple(
        CounterState(
            k + 1,
            services,
            True,
            staff_id=k + 1,
            serving_service_id=min(services),
            serving_started_at=now - timedelta(seconds=int(rng.integers(10, 600))),
        )
        for k, services in enumerate(skills)
    )
    tickets = tuple(
        WaitingTicket(
            10_000 + i,
            int(rng.choice([1, 2, 3], p=[0.55, 0.3, 0.15])),
            int(rng.random() < 0.1),
            now - timedelta(seconds=5 * (waiting - i)),
        )
        for i in range(waiting)
    )
    return QueueSnapshot(now, counters, tickets, FairnessRule(FairnessKind.MAX_IN_ROW, max_in_row=2), 1)


def time_predictions(*, waiting: int, seed: int, repeats: int = 31) -> dict:
    """Train on a short 'full' log, then time predict() on a 300-waiting snapshot, with and without models."""
    estimator = fit_from_eventlog(
        simulate("full", days=5, seed=seed + 1), rule=SCENARIOS["full"].rule, sample_every=2, seed=seed
    )
    snapshot = big_snapshot(waiting, seed=seed)
    timings = {}
    _, features = estimator.features(snapshot)
    calibration = estimator.correction.calibration if estimator.correction else None
    # Models of the production size, fitted to noisy waits around the simulation (only their speed matters).
    noisy = features[:, MIDDLE] + np.random.default_rng(seed).normal(0, 0.4, len(features))
    boosted = Correction(train_quantile_models(features, noisy, seed=seed), calibration)
    # What a refresh of the app computes: every waiting ticket, and a newcomer of each service and priority.
    newcomers = [(service, priority) for service in (1, 2, 3) for priority in (0, 1)]
    for label, correction in (
        ("simulation + calibration", Correction(None, calibration)),
        ("simulation + boosted correction", boosted),
    ):
        estimator.correction = correction
        for task, run in (
            ("predict", lambda: estimator.predict(snapshot)),
            ("refresh", lambda: estimator.predict_with_newcomers(snapshot, newcomers)[0]),
        ):
            run()  # warm up
            wall, cpu = [], []
            for _ in range(repeats):
                started, started_cpu = time.perf_counter(), time.process_time()
                estimates = run()
                wall.append((time.perf_counter() - started) * 1000)
                cpu.append((time.process_time() - started_cpu) * 1000)
            assert len(estimates) == waiting
            timings[f"{task}: {label}"] = {
                "median_ms": statistics.median(wall),
                "cpu_median_ms": statistics.median(cpu),
                "cpu_best_ms": min(cpu),
            }
            what = f"{waiting} waiting" + (f" + {len(newcomers)} newcomers" if task == "refresh" else "")
            print(
                f"{task} {what} ({label}): median {statistics.median(wall):.1f} ms wall, "
                f"{statistics.median(cpu):.1f} ms CPU, best {min(cpu):.1f} ms CPU "
                f"(target < {TIMING_TARGET_MS:.0f} ms)",
                flush=True,
            )
    return timings


def summary(reports: dict) -> list[str]:
    """Return one line per scenario against the issue's targets."""
    lines = ["", "== targets (qserve / best baseline; coverage of the 80% range)"]
    for name, report in reports.items():
        cells = []
        for kind, t in report["targets"].items():
            cells.append(
                f"{kind}: MAE {t['mae_vs_best_baseline']:.2f}x P90 {t['p90_vs_best_baseline']:.2f}x "
                f"cover {t['coverage_80']:.3f} vs Whitt {t['mae_vs_whitt_ql']:.3f}x "
                f"vs literal {t['mae_vs_queue_length']:.3f}x"
            )
        lines.append(f"{name:<9} " + " | ".join(cells))
    return lines


def main() -> None:
    """Run the benchmark from the command line."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--days", type=int, default=21)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--scenario", action="append", choices=sorted(SCENARIOS), help="repeat; default all")
    parser.add_argument("--waiting", type=int, default=300)
    parser.add_argument("--json", help="write every report to this file")
    parser.add_argument("--timing-only", action="store_true", help="only time the 300-waiting prediction")
    arguments = parser.parse_args()
    reports = {}
    if not arguments.timing_only:
        names = arguments.scenario or list(SCENARIOS)
        reports = run_scenarios(names, days=arguments.days, seed=arguments.seed)
        print("\n".join(summary(reports)))
        print()
    timings = time_predictions(waiting=arguments.waiting, seed=arguments.seed)
    if arguments.json:
        with open(arguments.json, "w", encoding="utf-8") as handle:
            json.dump({"scenarios": reports, "timing": timings}, handle, indent=2)


if __name__ == "__main__":
    main()
