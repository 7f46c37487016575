"""Erlang C staffing advice against textbook values."""

from datetime import UTC, datetime, timedelta

import pytest

from qserve.insights.metrics import Visit
from qserve.insights.staffing import counters_needed, erlang_c, hourly_staffing, service_level


@pytest.mark.parametrize(
    ("load", "counters", "expected"), [(2, 3, 4 / 9), (2, 4, 4 / 23), (0, 1, 0.0), (3, 3, 1.0)]
)
def test_erlang_c_gives_the_probability_of_waiting(load, counters, expected):
    assert erlang_c(load, counters) == pytest.approx(expected)


def test_service_level_with_three_counters_matches_the_formula():
    # A = 60/h * 120 s = 2 Erlangs; 1 - 4/9 * exp(-(3 - 2) * 20 / 120)
    assert service_level(60, 120, 3, 20) == pytest.approx(0.623786, abs=1e-6)  # exp(-1/6) = 0.846482


@pytest.mark.parametrize(
    ("arrivals", "service_s", "target_s", "expected"),
    [(60, 120, 20, 4), (0, 300, 600, 0), (6, 600, 600, 2), (30, 300, 300, 4)],
)
def test_counters_needed_is_the_fewest_that_meet_the_goal(arrivals, service_s, target_s, expected):
    needed = counters_needed(arrivals, service_s, target_s)
    assert needed == expected
    assert service_level(arrivals, service_s, needed, target_s) >= 0.8 or arrivals == 0
    if needed > 1:
        assert service_level(arrivals, service_s, needed - 1, target_s) < 0.8


def test_hourly_advice_averages_arrivals_and_open_counters_over_days():
    monday = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)  # 10:00 in Helsinki
    visits = []
    for day in range(2):
        start = monday + timedelta(days=day)
        for i in range(6):
            joined = start + timedelta(minutes=10 * i)
            visits.append(
                Visit(1, 1, "done", joined, joined, joined, joined + timedelta(minutes=10), 1 + i % 2)
            )
    (row,) = hourly_staffing(visits, "Europe/Helsinki", target_wait_s=600)
    assert row["hour"] == 10
    assert row["arrivals_per_hour"] == 6
    assert row["counters_open"] == 2
    assert row["counters_needed"] == counters_needed(6, 600, 600)
