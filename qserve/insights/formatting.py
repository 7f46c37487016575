"""How figures are written on the dashboard, in CSV-free views and in PDF reports."""

from __future__ import annotations

DASH = "–"


def minutes(seconds: float | None) -> str:
    """Write seconds as minutes with one decimal, e.g. '7.5 min'."""
    return DASH if seconds is None else f"{seconds / 60:.1f} min"


def percent(share: float | None) -> str:
    """Write a share (0..1) as a whole percentage."""
    return DASH if share is None else f"{share * 100:.0f} %"


def number(value: float | None, digits: int = 0) -> str:
    """Write a number with a fixed number of decimals."""
    return DASH if value is None else f"{value:.{digits}f}"


def score(value: float | None) -> str:
    """Write a recommendation score with its sign."""
    return DASH if value is None else f"{value:+.0f}"


# (label, key in a summary, formatter) in the order the dashboard, the PDF and the comparison show them.
SUMMARY_ROWS = (
    ("Tickets", "tickets", number),
    ("Served", "served", number),
    ("Median wait", "median_wait_s", minutes),
    ("P90 wait", "p90_wait_s", minutes),
    ("Within target wait", "within_target", percent),
    ("Median service time", "median_service_s", minutes),
    ("No-show rate", "no_show_rate", percent),
    ("Cancellation rate", "cancel_rate", percent),
    ("Feedback answers", "feedback_count", number),
    ("Average rating (1-5)", "mean_rating", lambda v: number(v, 2)),
    ("Recommendation score", "recommendation_score", score),
)
