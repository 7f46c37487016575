"""Render the JSON that run_benchmark.py writes (--json) as Markdown tables, for BENCHMARK.md.

python bench/predict/tables.py out.json
"""

from __future__ import annotations

import json
import sys

KINDS = ("join", "update")


def scenario_table(report: dict) -> list[str]:
    """Return one scenario's predictors as a Markdown table (seconds)."""
    lines = [
        "| predictor | join MAE | join P90 err | join bias | join cover | join width "
        "| update MAE | update P90 err | update bias | update cover | update width |",
        "|---|" + "---:|" * 10,
    ]
    for name, kinds in report["predictors"].items():
        cells = []
        for kind in KINDS:
            m = kinds[kind]
            cells += [
                f"{m['mae_s']:.0f}",
                f"{m['p90_abs_error_s']:.0f}",
                f"{m['mean_signed_error_s']:+.0f}",
                f"{m['coverage_80']:.3f}",
                f"{m['width_80_s']:.0f}",
            ]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    counts = ", ".join(f"{kind} n = {report['predictors']['qserve'][kind]['n']}" for kind in KINDS)
    lines.append(f"\nScored predictions: {counts}.")
    return lines


def targets_table(scenarios: dict) -> list[str]:
    """Return every scenario's ratios against the targets as a Markdown table."""
    lines = [
        "| scenario | kind | MAE / best baseline (<= 0.85) | P90 / best baseline (<= 0.80) "
        "| coverage (0.78-0.82) | MAE / Whitt QL | MAE / literal formula |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for name, report in scenarios.items():
        for kind, t in report["targets"].items():
            lines.append(
                f"| {name} | {kind} | {t['mae_vs_best_baseline']:.2f} | {t['p90_vs_best_baseline']:.2f} "
                f"| {t['coverage_80']:.3f} | {t['mae_vs_whitt_ql']:.3f} | {t['mae_vs_queue_length']:.3f} |"
            )
    return lines


def main() -> None:
    """Print the tables of one benchmark JSON file."""
    with open(sys.argv[1], encoding="utf-8") as handle:
        data = json.load(handle)
    print("\n".join(targets_table(data["scenarios"])))
    for name, report in data["scenarios"].items():
        print(f"\n### {name}\n")
        print("\n".join(scenario_table(report)))
    print("\n| latency, 300 waiting | median wall ms | median CPU ms | best CPU ms |\n|---|---:|---:|---:|")
    for label, timing in data.get("timing", {}).items():
        best = timing.get("cpu_best_ms", float("nan"))
        print(f"| {label} | {timing['median_ms']:.1f} | {timing['cpu_median_ms']:.1f} | {best:.1f} |")


if __name__ == "__main__":
    main()
