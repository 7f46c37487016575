"""The booking horizon: a location's number of days past today, read as whole days of its time zone."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from qserve.appointments.slots import bookable, booking_horizon, horizon_days, last_bookable_day

HELSINKI = ZoneInfo("Europe/Helsinki")


@pytest.mark.parametrize(
    ("settings", "days"),
    [
        (None, 60),
        ({}, 60),
        ({"phone_region": "FI"}, 60),
        ({"booking_horizon_days": 14}, 14),
        ({"booking_horizon_days": "90"}, 90),
        ({"booking_horizon_days": 0}, 1),  # stored by hand out of bounds: held to them
        ({"booking_horizon_days": 1000}, 365),
        ({"booking_horizon_days": None}, 60),
        ({"booking_horizon_days": "soon"}, 60),
    ],
)
def test_a_location_books_its_own_number_of_days_ahead_sixty_unless_set(settings, days):
    assert horizon_days(settings) == days


@pytest.mark.parametrize(
    ("now", "zone", "days", "last_day", "ends_at"),
    [
        # 05:10 in Helsinki: the last day is today + 14, to its midnight (22:00 UTC in winter).
        (
            datetime(2026, 11, 23, 3, 10, tzinfo=UTC),
            "Europe/Helsinki",
            14,
            date(2026, 12, 7),
            "2026-12-07T22:00",
        ),
        # 23:30 UTC is already Tuesday in Helsinki: the days count from the location's today.
        (
            datetime(2026, 11, 23, 23, 30, tzinfo=UTC),
            "Europe/Helsinki",
            14,
            date(2026, 12, 8),
            "2026-12-08T22:00",
        ),
        # ... and still Monday in New York.
        (
            datetime(2026, 11, 23, 23, 30, tzinfo=UTC),
            "America/New_York",
            1,
            date(2026, 11, 24),
            "2026-11-25T05:00",
        ),
        # Clocks go forward on 28 March 2027 in between: the horizon is midnight in summer time.
        (
            datetime(2027, 3, 20, 10, 0, tzinfo=UTC),
            "Europe/Helsinki",
            10,
            date(2027, 3, 30),
            "2027-03-30T21:00",
        ),
    ],
)
def test_the_horizon_is_the_midnight_after_the_last_bookable_day(now, zone, days, last_day, ends_at):
    assert last_bookable_day(now, zone, days) == last_day
    assert booking_horizon(now, zone, days) == datetime.fromisoformat(ends_at).replace(tzinfo=UTC)


@pytest.mark.parametrize(
    ("starts_at", "expected"),
    [
        (datetime(2026, 11, 23, 5, 10, tzinfo=HELSINKI), False),  # now: begun
        (datetime(2026, 11, 23, 5, 15, tzinfo=HELSINKI), True),
        (datetime(2026, 12, 7, 0, 0, tzinfo=HELSINKI), True),  # the last day, before the hour it is now
        # The last day, long after the hour it is now (now + 14 days, the old horizon, refused it).
        (datetime(2026, 12, 7, 23, 55, tzinfo=HELSINKI), True),
        (datetime(2026, 12, 8, 0, 0, tzinfo=HELSINKI), False),  # the day after
    ],
)
def test_every_time_of_the_last_day_is_bookable_and_none_of_the_day_after(starts_at, expected):
    now = datetime(2026, 11, 23, 3, 10, tzinfo=UTC)  # 05:10 in Helsinki
    horizon = booking_horizon(now, "Europe/Helsinki", 14)
    assert bookable(starts_at, now, horizon) is expected
