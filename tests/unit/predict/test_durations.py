"""Duration learning: cold start, shrinkage toward the parent, online updates, the time left of a service."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from qserve.predict.durations import DurationModel, expected_remaining, sample_durations, sample_remaining
from qserve.predict.localtime import local

MONDAY_10 = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


def observe(model, seconds, *, staff=7, at=MONDAY_10, service=1, count=1):
    for _ in range(count):
        model.observe(
            service_id=service, staff_id=staff, started_at=at, finished_at=at + timedelta(seconds=seconds)
        )


def test_a_cold_model_uses_the_configured_default_duration():
    model = DurationModel({1: 420.0})
    assert model.params(1, 7, MONDAY_10)[0] == 420.0
    assert model.params(2, None, MONDAY_10)[0] == 300.0  # a service nobody configured


def test_the_first_observations_move_the_estimate_only_part_of_the_way():
    model = DurationModel({1: 300.0})
    observe(model, 600, count=2)
    mean = model.mean_s(1)
    assert 300 < mean < 600
    observe(model, 600, count=200)
    assert model.mean_s(1) == pytest.approx(600, rel=0.02)


def noisy(model, mean, *, staff, count, seed, at=MONDAY_10):
    drawn = mean * np.random.default_rng(seed).lognormal(-0.125, 0.5, count)
    for seconds in drawn:
        observe(model, seconds, staff=staff, at=at)
    return drawn.mean()


@pytest.mark.parametrize(("observations", "pulled"), [(3, (0.2, 0.9)), (300, (0.0, 0.05))])
def test_a_staff_member_with_little_data_is_shrunk_toward_the_service(observations, pulled):
    model = DurationModel({1: 240.0})
    noisy(model, 240, staff=1, count=300, seed=1)
    noisy(model, 400, staff=3, count=300, seed=2)  # staff really differ: the model learns to tell them apart
    service = model.mean_s(1)
    own = noisy(model, 400, staff=2, count=observations, seed=3)
    estimate = model.params(1, 2, MONDAY_10)[0]
    # how far the estimate is pulled from the staff member's own mean toward the service's
    assert pulled[0] <= (own - estimate) / (own - service) <= pulled[1]


def test_hours_that_do_not_differ_are_pooled():
    model = DurationModel({1: 300.0})
    for hour in range(8):
        noisy(model, 300, staff=1, count=60, seed=hour, at=MONDAY_10 + timedelta(hours=hour - 2))
    spread = [model.params(1, 1, MONDAY_10 + timedelta(hours=hour - 2))[0] for hour in range(8)]
    assert max(spread) - min(spread) < 15  # raw hourly means of 60 noisy durations differ by far more


def test_hour_and_weekday_cells_only_change_their_own_hour_and_day():
    model = DurationModel({1: 300.0})
    observe(model, 300, count=300)
    observe(model, 600, at=MONDAY_10 + timedelta(hours=5), count=300)  # Monday afternoons are slow
    afternoon = model.params(1, 7, MONDAY_10 + timedelta(hours=5))[0]
    morning = model.params(1, 7, MONDAY_10)[0]
    tuesday_afternoon = model.params(1, 7, MONDAY_10 + timedelta(days=1, hours=5))[0]
    assert afternoon > 550 and morning < 400
    assert afternoon == pytest.approx(tuesday_afternoon, rel=0.05)  # one weekday's data: mostly the hour's


def test_old_observations_fade_so_a_changed_service_is_learned_again():
    model = DurationModel({1: 300.0})
    observe(model, 300, count=1000)
    observe(model, 600, count=800, at=MONDAY_10 + timedelta(days=120))  # four half-lives later
    assert model.mean_s(1) > 570


def test_impossible_durations_are_ignored_or_capped():
    model = DurationModel({1: 300.0})
    observe(model, 0)
    assert model.observed_count(1) == 0
    observe(model, 10 * 24 * 3600)
    assert model.mean_s(1) < 4 * 3600


def test_the_learned_variation_follows_the_data():
    rng = np.random.default_rng(1)
    model = DurationModel({1: 300.0})
    for seconds in rng.exponential(300, 3000):
        observe(model, max(seconds, 1.0))
    mean, cv2 = model.params(1, 7, MONDAY_10)
    assert mean == pytest.approx(300, rel=0.06)
    assert cv2 == pytest.approx(1.0, rel=0.15)  # exponential: the standard deviation equals the mean


def test_sampled_durations_keep_the_mean_whatever_the_variation():
    normals = np.random.default_rng(2).standard_normal(200_000)
    for cv2 in (0.1, 0.5, 1.5):
        assert sample_durations(300.0, cv2, normals).mean() == pytest.approx(300, rel=0.02)


@pytest.mark.parametrize("elapsed", [0.0, 120.0, 300.0, 900.0])
def test_the_time_left_of_a_running_service_matches_the_conditional_mean(elapsed):
    uniforms = np.random.default_rng(3).random(200_000)
    drawn = sample_remaining(300.0, 0.5, elapsed, uniforms)
    assert (drawn >= 0).all()
    assert drawn.mean() == pytest.approx(expected_remaining(300.0, 0.5, elapsed), rel=0.03)


def test_a_long_running_service_is_expected_to_run_longer_still():
    # A lognormal's hazard falls: the longer someone has been at the counter, the longer they still take.
    assert expected_remaining(300.0, 1.0, 1200.0) > expected_remaining(300.0, 1.0, 60.0)


def test_hours_are_the_locations_wall_clock_whatever_the_offset():
    helsinki = ZoneInfo("Europe/Helsinki")  # UTC+2 in winter, UTC+3 in summer
    model = DurationModel({1: 300.0})
    for day in (0, 182):  # the same 15:00 local in winter and in summer
        afternoon = local(datetime(2026, 1, 5, 15, tzinfo=helsinki) + timedelta(days=day), helsinki)
        observe(model, 300, count=300, at=afternoon - timedelta(hours=5))
        observe(model, 600, count=300, at=afternoon)
    summer_afternoon = local(datetime(2026, 7, 13, 15, 30, tzinfo=helsinki), helsinki)
    summer_morning = local(datetime(2026, 7, 13, 10, 30, tzinfo=helsinki), helsinki)
    assert model.params(1, 7, summer_afternoon)[0] > 550 and model.params(1, 7, summer_morning)[0] < 400
    assert {key[3] for key in model.cells if key[0] == "hour"} == {10, 15}


def test_local_times_keep_exact_differences_across_a_change_of_summer_time():
    helsinki = ZoneInfo("Europe/Helsinki")
    before = local(datetime(2026, 3, 29, 0, 30, tzinfo=UTC), helsinki)  # 02:30 +02:00
    after = local(datetime(2026, 3, 29, 1, 30, tzinfo=UTC), helsinki)  # 04:30 +03:00
    assert (before.hour, after.hour) == (2, 4) and after - before == timedelta(hours=1)
