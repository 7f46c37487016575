"""The figures of a report summary, in the order the dashboard, the PDF and the comparison show them.

Each is written by qserve.formats in the reader's language; the CSV export keeps the raw values.
"""

from __future__ import annotations

from qserve.formats import Figures

# (word in dashboard_texts, key in a summary, how to write it for a reader: (Figures, value) -> text)
SUMMARY_ROWS = (
    ("tickets", "tickets", Figures.number),
    ("served", "served", Figures.number),
    ("median_wait", "median_wait_s", Figures.minutes),
    ("p90_wait", "p90_wait_s", Figures.minutes),
    ("within_target", "within_target", Figures.percent),
    ("median_service", "median_service_s", Figures.minutes),
    ("no_show_rate", "no_show_rate", Figures.percent),
    ("cancel_rate", "cancel_rate", Figures.percent),
    ("feedback_count", "feedback_count", Figures.number),
    ("mean_rating", "mean_rating", lambda figures, value: figures.number(value, 2)),
    ("recommendation_score", "recommendation_score", Figures.score),
)
