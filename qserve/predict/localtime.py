"""Local time for the estimator: hours of the day and weekdays are those of the location's wall clock.

Times handed to the estimator carry the location's offset (fixed, so that differences between two times
stay exact across a change to or from summer time); an event log's times keep the offset they were
written with, and times without one are taken as local wall time.
"""

from __future__ import annotations

from datetime import UTC, datetime, timezone, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


@lru_cache(maxsize=256)
def zone(name: str | None) -> tzinfo:
    """Return the time zone of a name (UTC when it is empty or unknown)."""
    try:
        return ZoneInfo(name) if name else UTC
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def local(moment: datetime | None, place: tzinfo) -> datetime | None:
    """Return an aware moment as wall time in `place`, with that instant's offset as a fixed zone."""
    if moment is None:
        return None
    shifted = moment.astimezone(place)
    return shifted.replace(tzinfo=timezone(shifted.utcoffset()))
