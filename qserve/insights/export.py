"""CSV export of report figures: one row per location, service and staff member."""

from __future__ import annotations

import csv
import io

COLUMNS = (
    "tickets",
    "served",
    "median_wait_s",
    "p90_wait_s",
    "median_service_s",
    "no_show_rate",
    "cancel_rate",
    "within_target",
    "feedback_count",
    "mean_rating",
    "recommendation_count",
    "recommendation_score",
)


def _cell(value: object) -> object:
    if isinstance(value, float):
        return round(value, 4)
    return "" if value is None else value


def report_csv(reports: list[dict]) -> str:
    """Return the reports as CSV text with a header row."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(("location", "scope", "name", *COLUMNS))
    for report in reports:
        rows = [("all", report["name"], report["summary"])]
        rows += [("service", s["name"], s) for s in report["services"]]
        rows += [("staff", s["name"], s) for s in report["staff"]]
        for scope, name, figures in rows:
            writer.writerow((report["slug"], scope, name, *(_cell(figures[c]) for c in COLUMNS)))
    return out.getvalue()
