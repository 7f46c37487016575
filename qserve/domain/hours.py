"""Opening hours as a location stores them: {"mon": [["08:00", "16:00"], ...], "exceptions": {date: [...]}}.

One reading for every place that needs opening intervals (the phone's "open until" and "opens at", bookable
slots, the end of a location's day):
"24:00" closes at the end of the day, and a malformed interval is skipped rather than breaking a page."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
LOOK_AROUND_DAYS = 14  # how far back a last closing and ahead a next opening are looked for


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


def closure_around(
    opening_hours: dict, time_zone: str, now: datetime
) -> tuple[datetime | None, datetime | None]:
    """Return when a location last closed and when it opens next, as of `now`; (None, None) while it is
    open. Back-to-back intervals (open until 24:00, again from 00:00) are one opening."""
    zone = ZoneInfo(time_zone)
    local = now.astimezone(zone)
    openings: list[list[datetime]] = []
    for offset in range(-LOOK_AROUND_DAYS, LOOK_AROUND_DAYS + 1):
        day = local.date() + timedelta(days=offset)
        for start, end in intervals_on(opening_hours, day):
            opens = datetime.combine(day, start, zone)
            closes = (
                datetime.combine(day + timedelta(days=1), time.min, zone)
                if end == time.max
                else datetime.combine(day, end, zone)
            )
            if openings and opens <= openings[-1][1]:
                openings[-1][1] = max(openings[-1][1], closes)
            else:
                openings.append([opens, closes])
    if any(opens <= local < closes for opens, closes in openings):
        return None, None
    closed = [closes for _opens, closes in openings if closes <= local]
    upcoming = [opens for opens, _closes in openings if opens > local]
    return (max(closed) if closed else None), (min(upcoming) if upcoming else None)
