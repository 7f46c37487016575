"""Opening hours as a location stores them: {"mon": [["08:00", "16:00"], ...], "exceptions": {date: [...]}}.

One reading for every place that needs a day's opening intervals (the phone's "open until", bookable slots):
"24:00" closes at the end of the day, and a malformed interval is skipped rather than breaking a page."""

from __future__ import annotations

from datetime import date, time

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def clock(text: str) -> time:
    """Read "HH:MM" as a time of day; "24:00" (or later) is the day's last instant."""
    hours, minutes = (int(part) for part in str(text).split(":", 1))
    return time.max if hours >= 24 else time(hours, minutes)


def intervals_on(opening_hours: dict, day: date) -> list[tuple[time, time]]:
    """Return a day's opening intervals, sorted; a dated exception replaces the weekday's hours."""
    exceptions = opening_hours.get("exceptions") or {}
    raw = exceptions.get(day.isoformat(), opening_hours.get(DAYS[day.weekday()], []))
    intervals = []
    for pair in raw or []:
        try:
            start, end = clock(pair[0]), clock(pair[1])
        except (ValueError, TypeError, IndexError):
            continue  # a malformed interval is ignored rather than breaking the customer's page
        if end > start:
            intervals.append((start, end))
    return sorted(intervals)
