"""Opening hours of a location: whether it is open now, when it closes today and, while it is closed, when it
opens next, in its own time zone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from qserve.domain.hours import closure_around, has_hours, intervals_on


@dataclass(frozen=True)
class DayHours:
    """What today's opening hours say at one moment."""

    known: bool  # False when the location has no opening hours configured
    is_open: bool = False
    closes_at: datetime | None = (
        None  # end of today's last opening interval still ahead; None: closed for today
    )
    opens_at: datetime | None = None  # while closed: when it next opens (None: not within LOOK_AROUND_DAYS)
    # While open with a break ahead today (lunch): when this opening ends, and when the next one today begins.
    break_at: datetime | None = None
    back_at: datetime | None = None

    def may_run_past_closing(self, now: datetime, wait_s: float) -> bool:
        """Tell whether a wait starting now may end after today's closing time."""
        if not self.known:
            return False
        return self.closes_at is None or now + timedelta(seconds=wait_s) > self.closes_at


def day_hours(opening_hours: dict | None, time_zone: str, now: datetime) -> DayHours:
    """Describe today's hours at a location at the moment `now` (an aware datetime)."""
    if not has_hours(opening_hours):
        return DayHours(known=False)
    zone = ZoneInfo(time_zone)
    local = now.astimezone(zone)
    intervals = intervals_on(opening_hours, local.date())
    is_open = any(start <= local.time() < end for start, end in intervals)
    ends = [end for _start, end in intervals if end > local.time()]
    closes_at = datetime.combine(local.date(), max(ends), zone) if ends else None
    opens_at = None if is_open else closure_around(opening_hours, time_zone, now)[1]
    break_at = back_at = None
    if is_open:
        current_end = next(end for start, end in intervals if start <= local.time() < end)
        later = [start for start, _end in intervals if start > current_end]
        if later:  # a break today: "open until 12:00, then again 13:00-18:00"
            break_at = datetime.combine(local.date(), current_end, zone)
            back_at = datetime.combine(local.date(), min(later), zone)
    return DayHours(
        known=True,
        is_open=is_open,
        closes_at=closes_at,
        opens_at=opens_at,
        break_at=break_at,
        back_at=back_at,
    )
