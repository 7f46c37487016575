"""Ticket numbers and service days."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

PREFIX_PATTERN = re.compile(r"^[A-Z]{1,3}$")


def service_day(moment: datetime, time_zone: str, *, next_opening: datetime | None = None) -> date:
    """Return the service day a ticket taken at a moment belongs to, whose numbers it takes: its calendar
    day in the location's time zone, or, taken while the location is closed, the day of its next opening
    (so a ticket taken in the evening for the morning never shares a number with the morning's)."""
    if moment.tzinfo is None:
        raise ValueError("moment must be timezone-aware")
    return (next_opening or moment).astimezone(ZoneInfo(time_zone)).date()


def format_number(prefix: str, sequence: int) -> str:
    """Format a display number such as A007 from a prefix and a daily sequence."""
    return f"{prefix}{sequence:03d}"


def spoken_number(number: str) -> str:
    """Spell a display number for speech: 'A007' becomes 'A 7'."""
    match = re.match(r"^([A-Z]*)0*(\d+)$", number)
    if not match:
        return number
    prefix, digits = match.groups()
    return f"{' '.join(prefix)} {int(digits)}".strip()


def day_bounds(day: date, time_zone: str) -> tuple[datetime, datetime]:
    """Return the UTC start and end of a local calendar day."""
    zone = ZoneInfo(time_zone)
    start = datetime.combine(day, datetime.min.time(), zone)
    end = datetime.combine(day + timedelta(days=1), datetime.min.time(), zone)
    return start.astimezone(ZoneInfo("UTC")), end.astimezone(ZoneInfo("UTC"))
