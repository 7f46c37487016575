"""Opening hours at joining time: whether a location takes walk-ins at a moment, and which service day a
ticket taken then belongs to. One reading for the join path (qserve.services.admission), the phone's join
pages and the kiosk, so that what a page offers is what a join is then allowed.

A location without opening hours is always open. With hours, walk-ins join while it is open (until its
`stop_joining_before_closing_s` setting before it closes: the last call) and, when its
`join_before_opening_s` setting says so, that long before it opens; staff letting someone in and bookings
checking in are never held to the hours. A ticket taken while the location is closed (staff after hours,
an early joiner) belongs to the day of the next opening and takes that day's numbers.
"""

from __future__ import annotations

import copy
from datetime import date, datetime, timedelta

from qserve.domain.errors import LocationClosed
from qserve.domain.hours import Span, has_hours, span_at
from qserve.domain.numbering import service_day
from qserve.models import Location

# The span last read for each location, with the hours and zone it was read from: reading the hours costs a
# join a fifth of its time, and a span holds for hours. An entry serves only while those are unchanged (so a
# location edited by an admin, or another database's location of the same id, is read anew).
_SPANS: dict[int, tuple[dict, str, Span]] = {}
ONE_OPENING = timedelta(days=1)  # an opening longer than this (round the clock) numbers by the calendar


def hours_span(location: Location, now: datetime) -> Span | None:
    """Return the open or closed span of a location's hours that `now` falls in; None without hours."""
    hours, zone = location.opening_hours, location.time_zone
    if not has_hours(hours):
        return None
    cached = _SPANS.get(location.id)
    if cached is not None and cached[2].holds_at(now) and cached[1] == zone and cached[0] == hours:
        return cached[2]
    span = span_at(hours, zone, now)
    _SPANS[location.id] = (copy.deepcopy(hours), zone, span)
    return span


def join_before_opening(location: Location) -> timedelta:
    """Return how long before opening walk-ins may already join (a location setting; none by default)."""
    return timedelta(seconds=int((location.settings or {}).get("join_before_opening_s") or 0))


def last_call(location: Location) -> timedelta:
    """Return how long before closing walk-ins stop joining (a location setting; none by default): those in
    line by then can still be served before the doors close."""
    return timedelta(seconds=int((location.settings or {}).get("stop_joining_before_closing_s") or 0))


def admits_walk_ins(location: Location, span: Span | None, now: datetime) -> bool:
    """Tell whether walk-ins may join a location at `now`, given the span of its hours (hours_span)."""
    return span is None or span.admits_walk_ins(now, join_before_opening(location), last_call(location))


def walk_in_refusal(location: Location, span: Span | None, now: datetime) -> LocationClosed | None:
    """Return the refusal a walk-in joining at `now` gets, or None while walk-ins may join. It says whether
    the location is closed or open but past its last call, and when walk-ins may join again: the next
    opening (after this one closes, past the last call; None when not known). The join raises it; the
    phone's pages and the kiosk read it to say so beforehand."""
    if span is None or admits_walk_ins(location, span, now):
        return None
    opens_at = span.next_opening
    if span.is_open and span.end is not None:  # past the last call: the opening after this one
        opens_at = span_at(location.opening_hours, location.time_zone, span.end).next_opening
    return LocationClosed(location.name, opens_at=opens_at, now=now, last_call=span.is_open)


def refuse_walk_in_while_closed(location: Location, span: Span | None, now: datetime) -> None:
    """Raise LocationClosed, saying when walk-ins may join again, unless they may join at `now`."""
    refusal = walk_in_refusal(location, span, now)
    if refusal is not None:
        raise refusal


def until_opening_s(location: Location, now: datetime) -> int:
    """Return how many seconds a location still has until it opens: 0 while it is open, without hours, or
    when no opening is known. Nobody is called before then, so a wait announced now counts from then."""
    span = hours_span(location, now)
    opening = span.next_opening if span is not None else None
    return max(0, int((opening - now).total_seconds())) if opening is not None else 0


def ticket_day(location: Location, span: Span | None, now: datetime) -> date:
    """Return the service day of a ticket taken at `now`, whose numbers it takes: the calendar day in the
    location's zone; while the location is closed, the day of its next opening (kept as the calendar day
    when none is known); while an opening that began the evening before runs past midnight (a night
    pharmacy open 20:00-02:00), the day it began, so that its numbers run on rather than start again at
    A001 beside the evening's. An opening that has lasted a day or more (round the clock) counts by the
    calendar."""
    if span is not None and span.is_open and span.start is not None and now - span.start < ONE_OPENING:
        return span.start.date()  # the span's bounds are in the location's zone
    return service_day(now, location.time_zone, next_opening=span.next_opening if span else None)
