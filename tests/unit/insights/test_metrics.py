"""Dashboard figures on a fixed set of visits, against values worked out by hand."""

from datetime import UTC, datetime, timedelta

import pytest

from qserve.insights.metrics import (
    Rating,
    Visit,
    arrivals_heatmap,
    estimate_accuracy,
    percentile,
    recommendation_score,
    summarize,
    summarize_by,
)

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # Monday 11:00 in Helsinki


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


VISITS = [
    # waits 120, 360, 1200, 1800 s; service 300, 600, 240 s
    Visit(1, 10, "done", at(0), at(2), at(3), at(8), 1, 7, 60),
    Visit(1, 10, "done", at(0), at(6), None, at(16), 2, 8, 300),
    Visit(1, 11, "done", at(10), at(30), at(31), at(35), 1, 7, 900),
    Visit(1, 11, "no_show", at(20), at(50), None, None, 1, None, None),
    Visit(1, 10, "cancelled", at(25)),
]
RATINGS = [Rating(1, 10, 7, 5, 10), Rating(1, 10, 8, 4, 9), Rating(1, 11, 7, 2, 3), Rating(1, 11, 7, 5, None)]


def test_summary_matches_the_figures_worked_out_by_hand():
    summary = summarize(VISITS, RATINGS, target_wait_s=600)
    assert summary["tickets"] == 5
    assert summary["served"] == 3
    assert summary["median_wait_s"] == 780  # (360 + 1200) / 2
    assert summary["p90_wait_s"] == pytest.approx(1620)  # rank 2.7 between 1200 and 1800
    assert summary["median_service_s"] == 300
    assert summary["no_show_rate"] == 0.2
    assert summary["cancel_rate"] == 0.2
    assert summary["within_target"] == 0.5  # 120 and 360 of four called visits
    assert summary["mean_rating"] == 4.0
    assert summary["recommendation_count"] == 3
    assert summary["recommendation_score"] == pytest.approx(100 / 3)  # 2 promoters - 1 detractor of 3


def test_figures_per_staff_member_count_only_their_visits():
    by_staff = summarize_by(VISITS, RATINGS, lambda row: row.served_by_id, target_wait_s=600)
    assert set(by_staff) == {7, 8}
    assert by_staff[7]["served"] == 2
    assert by_staff[7]["median_service_s"] == 270  # 300 and 240
    assert by_staff[7]["mean_rating"] == 4.0  # 5, 2, 5
    assert by_staff[8]["mean_rating"] == 4.0


def test_arrivals_are_counted_in_the_location_local_hour_and_weekday():
    grid = arrivals_heatmap(VISITS, "Europe/Helsinki")
    assert grid[0][11] == 5
    assert sum(map(sum, grid)) == 5
    assert arrivals_heatmap(VISITS, "Europe/Warsaw")[0][10] == 5


def test_estimate_accuracy_compares_the_estimate_at_join_with_the_real_wait():
    accuracy = estimate_accuracy(VISITS)
    assert accuracy["count"] == 3
    assert accuracy["pairs"] == [(60, 120), (300, 360), (900, 1200)]
    assert accuracy["mean_abs_error_s"] == 140
    assert accuracy["median_error_s"] == 60
    assert accuracy["within_tolerance"] == 1.0


@pytest.mark.parametrize(
    ("values", "q", "expected"),
    [([], 50, None), ([5], 90, 5), ([1, 2, 3, 4], 50, 2.5), ([10, 20, 30, 40, 50], 90, 46)],
)
def test_percentiles_interpolate_between_ranks(values, q, expected):
    assert percentile(values, q) == expected


@pytest.mark.parametrize(
    ("scores", "expected"), [([], None), ([10, 10], 100), ([0, 6, 7, 8], -50), ([9, 7, 3, 10], 25)]
)
def test_recommendation_score_is_promoters_minus_detractors(scores, expected):
    assert recommendation_score(scores) == expected
