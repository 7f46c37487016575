"""Joining while a location is closed: which span of its hours a moment falls in, whether walk-ins may join
then (with the early window before opening), which service day a ticket taken then belongs to, and the error
that refuses a walk-in."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from qserve.domain.errors import LocationClosed, ServiceClosed
from qserve.domain.hours import Span, has_hours, span_at
from qserve.domain.numbering import service_day

HELSINKI = ZoneInfo("Europe/Helsinki")
WEEKDAYS = {day: [["08:00", "18:00"]] for day in ("mon", "tue", "wed", "thu", "fri")}
EARLY_BIRD = {day: [["00:30", "12:00"]] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
NO_EARLY = timedelta(0)


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """Return a moment of the week of Monday 23 November 2026 in Helsinki (day 0 = Monday), as UTC."""
    return datetime(2026, 11, 23, hour, minute, tzinfo=HELSINKI).astimezone(UTC) + timedelta(days=day)


def local(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, 23 + day, hour, minute, tzinfo=HELSINKI)


@pytest.mark.parametrize(
    ("hours", "now", "span"),
    [
        (WEEKDAYS, at(0, 10), Span(True, local(0, 8), local(0, 18))),
        (WEEKDAYS, at(0, 3), Span(False, local(-3, 18), local(0, 8))),  # Monday night: since Friday
        (WEEKDAYS, at(0, 20, 30), Span(False, local(0, 18), local(1, 8))),
        (WEEKDAYS, at(4, 19), Span(False, local(4, 18), local(7, 8))),  # Friday evening: until Monday
        (EARLY_BIRD, at(0, 23, 50), Span(False, local(0, 12), local(1, 0, 30))),
        ({"mon": [], "tue": []}, at(0, 10), Span(False, None, None)),  # hours, but never open
    ],
)
def test_a_moment_falls_in_an_open_or_a_closed_span_of_the_hours(hours, now, span):
    assert span_at(hours, "Europe/Helsinki", now) == span


def test_only_weekday_keys_make_opening_hours():
    assert not has_hours({}) and not has_hours(None) and not has_hours({"exceptions": {}})
    assert has_hours({"mon": []}) and has_hours(WEEKDAYS)


@pytest.mark.parametrize(
    ("now", "early", "admitted"),
    [
        (at(0, 10), NO_EARLY, True),  # open
        (at(0, 3), NO_EARLY, False),  # 03:00: a customer at home cannot take a ticket for the morning
        (at(0, 7, 59), NO_EARLY, False),
        (at(0, 7, 45), timedelta(minutes=15), True),  # inside the early window
        (at(0, 7, 44), timedelta(minutes=15), False),
        (at(0, 18), timedelta(minutes=15), False),  # closing time is closed
        (at(0, 3), timedelta(hours=6), True),
    ],
)
def test_walk_ins_join_while_open_and_within_the_early_window_before_opening(now, early, admitted):
    assert span_at(WEEKDAYS, "Europe/Helsinki", now).admits_walk_ins(now, early) is admitted


def test_a_location_that_never_opens_within_the_look_around_admits_nobody_early():
    now = at(0, 10)
    assert not span_at({"mon": []}, "Europe/Helsinki", now).admits_walk_ins(now, timedelta(days=30))


@pytest.mark.parametrize(
    ("hours", "now", "day"),
    [
        (WEEKDAYS, at(0, 10), date(2026, 11, 23)),  # open: the calendar day
        (WEEKDAYS, at(0, 20, 30), date(2026, 11, 24)),  # after closing: the next morning's numbers
        (WEEKDAYS, at(0, 7), date(2026, 11, 23)),  # before opening: the same day
        (WEEKDAYS, at(4, 20, 30), date(2026, 11, 30)),  # Friday evening: Monday's numbers
        (EARLY_BIRD, at(0, 23, 50), date(2026, 11, 24)),  # early for 00:30: across midnight
        ({"mon": [], "tue": []}, at(0, 20, 30), date(2026, 11, 23)),  # no next opening known
    ],
)
def test_a_ticket_taken_while_closed_belongs_to_the_day_of_the_next_opening(hours, now, day):
    span = span_at(hours, "Europe/Helsinki", now)
    assert service_day(now, "Europe/Helsinki", next_opening=span.next_opening) == day


def test_the_refusal_says_when_the_location_opens_in_its_own_time():
    now = at(0, 3)
    error = LocationClosed("Helsinki Centre", opens_at=local(0, 8), now=now)
    assert isinstance(error, ServiceClosed) and (error.code, error.http_status) == ("location_closed", 409)
    assert error.message == "Helsinki Centre is closed now; it opens today at 08:00"
    assert error.extra == {"opens_at": "2026-11-23T08:00:00+02:00"}
    tomorrow = LocationClosed("Helsinki Centre", opens_at=local(1, 8), now=at(0, 20, 30))
    assert tomorrow.message == "Helsinki Centre is closed now; it opens tomorrow at 08:00"
    monday = LocationClosed("Helsinki Centre", opens_at=local(7, 8), now=at(4, 20))
    assert monday.message == "Helsinki Centre is closed now; it opens on Monday at 08:00"
    unknown = LocationClosed("Helsinki Centre", opens_at=None, now=now)
    assert (unknown.message, unknown.extra) == ("Helsinki Centre is closed now", {"opens_at": None})


def test_a_span_read_once_serves_its_location_until_it_ends_or_the_hours_change():
    from qserve.services.opening import hours_span

    location = SimpleNamespace(id=-1, opening_hours=dict(WEEKDAYS), time_zone="Europe/Helsinki")
    assert hours_span(location, at(0, 3)).next_opening == local(0, 8)
    assert hours_span(location, at(0, 7, 59)).next_opening == local(0, 8)
    assert hours_span(location, at(0, 8)).is_open  # the span ended: read again
    location.opening_hours = dict(EARLY_BIRD)  # an admin changed the hours
    assert hours_span(location, at(0, 13)).next_opening == local(1, 0, 30)
    location.time_zone = "Europe/Warsaw"
    assert hours_span(location, at(0, 13)).next_opening == datetime(
        2026, 11, 24, 0, 30, tzinfo=ZoneInfo("Europe/Warsaw")
    )


def test_a_closed_span_without_a_known_opening_is_read_again_once_the_opening_comes_into_view():
    from qserve.services.opening import hours_span

    holiday = {"mon": [], "exceptions": {"2026-12-21": [["08:00", "12:00"]]}}  # open one morning, far ahead
    location = SimpleNamespace(id=-2, opening_hours=holiday, time_zone="Europe/Helsinki")
    assert hours_span(location, at(0, 10)).next_opening is None
    assert hours_span(location, at(21, 10)).next_opening == datetime(2026, 12, 21, 8, 0, tzinfo=HELSINKI)
    assert hours_span(location, at(28, 9)).is_open
