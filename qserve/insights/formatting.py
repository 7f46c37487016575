"""How figures are written on the dashboard, in CSV-free views and in PDF reports."""

from __future__ import annotations

DASH = "–"


def minutes(seconds: float | None) -> str:
    """Write seconds as minutes with one decimal, e.g. '7.5 min'."""
    # Adding 0.0 turns a -0.0 (a few seconds early, rounded) into 0.0: nobody is "-0.0 min" off.
    return DASH if seconds is None else f"{round(seconds / 60, 1) + 0.0:.1f} min"


def percent(share: float | None) -> str:
    """Write a share (0..1) as a whole percentage."""
    return DASH if share is None else f"{share * 100:.0f} %"


def number(value: float | None, digits: int = 0) -> str:
    """Write a number with a fixed number of decimals."""
    return DASH if value is None else f"{value:.{digits}f}"


def score(value: float | None) -> str:
    """Write a recommendation score with its sign."""
    return DASH if value is None else f"{value:+.0f}"


# (word in dashboard_texts, key in a summary, formatter) in the order the dashboard, the PDF and the
# comparison show them.
SUMMARY_ROWS = (
    ("tickets", "tickets", number),
    ("served", "served", number),
    ("median_wait", "median_wait_s", minutes),
    ("p90_wait", "p90_wait_s", minutes),
    ("within_target", "within_target", percent),
    ("median_service", "median_service_s", minutes),
    ("no_show_rate", "no_show_rate", percent),
    ("cancel_rate", "cancel_rate", percent),
    ("feedback_count", "feedback_count", number),
    ("mean_rating", "mean_rating", lambda v: number(v, 2)),
    ("recommendation_score", "recommendation_score", score),
)
