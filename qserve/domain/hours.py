"""Opening hours as a location stores them: {"mon": [["08:00", "16:00"], ...], "exceptions": {date: [...]}}.

One reading for every place that needs opening intervals (the phone's "open until" and "opens at", bookable
slots, the end of a location's day, whether walk-ins may join and which day a ticket taken while closed
belongs to):
"24:00" closes at the end of the day, and a malformed interval is skipped rather than breaking a page."""

from __future__ import annotations

from dataclasses import dataclass, field
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


def has_hours(opening_hours: dict | None) -> bool:
    """Tell whether a location has opening hours at all (without them it is always open)."""
    return bool(opening_hours) and any(key in opening_hours for key in DAYS)


@dataclass(frozen=True)
class Span:
    """A stretch of time a location stays open, or stays closed: from `start` until `end` (either None when
    not within LOOK_AROUND_DAYS). A closed span's end is the next opening. `horizon` is where the hours were
    looked at up to: an unknown end is at least that far."""

    is_open: bool
    start: datetime | None
    end: datetime | None
    horizon: datetime | None = field(default=None, compare=False)

    def holds_at(self, moment: datetime) -> bool:
        """Tell whether a moment falls in this span as read (so what it says still holds then)."""
        limit = self.end or self.horizon
        return (self.start is None or self.start <= moment) and (limit is None or moment < limit)

    @property
    def next_opening(self) -> datetime | None:
        """Return when a closed location opens next (None while open, or when not known)."""
        return None if self.is_open else self.end

    def admits_walk_ins(
        self, moment: datetime, early: timedelta, last_call: timedelta = timedelta(0)
    ) -> bool:
        """Tell whether walk-ins may join at a moment of this span: while open until `last_call` before it
        closes, or within `early` of the next opening."""
        if self.is_open:
            return self.end is None or self.end - moment > last_call
        return self.end is not None and self.end - moment <= early


def _openings(opening_hours: dict, zone: ZoneInfo, local: datetime) -> list[list[datetime]]:
    """Return the openings around a local moment, [opens, closes], in order; back-to-back intervals (open
    until 24:00, again from 00:00) are one opening."""
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
    return openings


def span_at(opening_hours: dict, time_zone: str, now: datetime) -> Span:
    """Return the open or closed span of a location's hours that `now` falls in, its bounds in the
    location's zone."""
    zone = ZoneInfo(time_zone)
    local = now.astimezone(zone)
    openings = _openings(opening_hours, zone, local)
    horizon = datetime.combine(local.date() + timedelta(days=LOOK_AROUND_DAYS + 1), time.min, zone)
    for opens, closes in openings:
        if opens <= local < closes:
            return Span(True, opens, closes, horizon)
    closed = [closes for _opens, closes in openings if closes <= local]
    upcoming = [opens for opens, _closes in openings if opens > local]
    return Span(False, max(closed) if closed else None, min(upcoming) if upcoming else None, horizon)


def closure_around(
    opening_hours: dict, time_zone: str, now: datetime
) -> tuple[datetime | None, datetime | None]:
    """Return when a location last closed and when it opens next, as of `now`; (None, None) while it is
    open."""
    span = span_at(opening_hours, time_zone, now)
    return (None, None) if span.is_open else (span.start, span.end)
