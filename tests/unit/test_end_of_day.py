"""When a location's day has ended: closed for the night (not a lunch break) and an hour past closing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from qserve.services.closing import day_closed_before

HELSINKI = ZoneInfo("Europe/Helsinki")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri")
OFFICE = {day: [["08:00", "12:00"], ["13:00", "18:00"]] for day in WEEKDAYS}


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """Return a moment of the week of Monday 23 November 2026 in Helsinki (day 0 = Monday), as UTC."""
    return datetime(2026, 11, 23 + day, hour, minute, tzinfo=HELSINKI).astimezone(UTC)


def place(hours: dict, **settings) -> SimpleNamespace:
    return SimpleNamespace(opening_hours=hours, time_zone="Europe/Helsinki", settings=settings)


@pytest.mark.parametrize(
    ("hours", "now", "closed"),
    [
        (OFFICE, at(0, 10), None),  # open
        (OFFICE, at(0, 12, 30), None),  # lunch
        (OFFICE, at(0, 13, 30), None),  # lunch over an hour ago, but the day went on
        (OFFICE, at(0, 18, 59), None),  # the hour after closing: staff still serve whoever is left
        (OFFICE, at(0, 19, 0), at(0, 18)),
        (OFFICE, at(1, 7, 59), at(0, 18)),  # the next morning, before opening
        (OFFICE, at(5, 11), at(4, 18)),  # Saturday: closed since Friday evening
        ({"mon": [["08:00", "24:00"]], "tue": [["08:00", "18:00"]]}, at(1, 0, 30), None),
        ({"mon": [["08:00", "24:00"]], "tue": [["08:00", "18:00"]]}, at(1, 1, 0), at(1, 0)),
        ({"mon": [["00:00", "24:00"]], "tue": [["00:00", "24:00"]]}, at(1, 3), None),  # round the clock
        (OFFICE | {"exceptions": {"2026-11-23": [["08:00", "10:00"]]}}, at(0, 11), at(0, 10)),
    ],
)
def test_a_day_ends_an_hour_after_the_location_closes_for_the_night(hours, now, closed):
    assert day_closed_before(place(hours), now) == closed


def test_the_hour_after_closing_is_a_setting():
    assert day_closed_before(place(OFFICE, end_of_day_grace_s=0), at(0, 18, 1)) == at(0, 18)
    assert day_closed_before(place(OFFICE, end_of_day_grace_s=3 * 3600), at(0, 20)) is None


def test_without_opening_hours_a_day_is_a_day():
    now = at(2, 9)
    assert day_closed_before(place({}), now) == now - timedelta(days=1)
