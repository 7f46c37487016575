"""Calibration and correction: the announced 80% range holds 80% of outcomes, and the learned correction is
only used when it beats the simulation."""

import numpy as np
import pytest

from qserve.predict.correction import (
    HIGH,
    LOW,
    MIDDLE,
    WAITED,
    Calibration,
    Correction,
    common_shift,
    conformal_quantile,
    fit_correction,
)
from qserve.predict.features import FEATURES, from_log, to_log


def test_the_conformal_quantile_takes_the_finite_sample_correction():
    scores = np.arange(1.0, 11.0)  # 1 .. 10
    assert conformal_quantile(scores, 0.8) == 9.0  # ceil(11 * 0.8) = 9th smallest
    assert conformal_quantile(scores, 0.95) == 10.0
    assert conformal_quantile(np.array([]), 0.8) == 0.0


def simulated(rows, rng, *, spread=0.2, bias=0.0, noise=0.6):
    """Make rows of features whose simulated range is too narrow, and the actual waits."""
    features = np.zeros((rows, len(FEATURES)))
    middle = rng.uniform(np.log(120), np.log(3600), rows)
    features[:, MIDDLE] = middle
    features[:, LOW] = middle - spread
    features[:, HIGH] = middle + spread
    features[:, WAITED] = rng.choice([0.0, 5.0], rows)
    actual = middle + bias + rng.normal(0, noise, rows)
    return features, from_log(actual)


def over_days(rows, days=20):
    """Return prediction times spread over some days, in POSIX seconds."""
    return np.linspace(0.0, days * 86400.0, rows)


def coverage(correction, features, actual):
    low, _, high = correction.apply(features)
    return np.mean((low <= actual) & (actual <= high))


@pytest.mark.parametrize("noise", [0.2, 0.6, 1.2])
def test_a_too_narrow_range_is_widened_to_hold_80_percent_of_new_outcomes(noise):
    rng = np.random.default_rng(4)
    features, actual = simulated(4000, rng, noise=noise)
    low, middle, high = features[:, LOW], features[:, MIDDLE], features[:, HIGH]
    calibration = Calibration.fit(low, middle, high, to_log(actual), features[:, WAITED] == 0)
    fresh, fresh_actual = simulated(20000, rng, noise=noise)
    assert coverage(Correction(None, calibration), fresh, fresh_actual) == pytest.approx(0.8, abs=0.02)


def idle_counters(features, actual, rng):
    """Let a third of customers find a free counter: the simulation says zero, and most are called at once."""
    idle = rng.random(len(actual)) < 0.3
    features[idle, LOW] = features[idle, MIDDLE] = to_log(np.zeros(idle.sum()))
    features[idle, HIGH] = to_log(np.full(idle.sum(), 60.0))
    actual[idle] = np.where(rng.random(idle.sum()) < 0.9, 0.0, rng.uniform(0, 300, idle.sum()))
    return features, actual


@pytest.mark.parametrize(("spread", "noise"), [(0.2, 0.6), (1.5, 0.3)], ids=["too narrow", "too wide"])
def test_waits_and_medians_of_zero_do_not_make_the_range_cover_more_than_80_percent(spread, noise):
    # A range too wide must narrow, but never past a median of zero: the move accounts for that.
    rng = np.random.default_rng(5)
    features, actual = idle_counters(*simulated(4000, rng, spread=spread, noise=noise), rng)
    low, middle, high = features[:, LOW], features[:, MIDDLE], features[:, HIGH]
    calibration = Calibration.fit(low, middle, high, to_log(actual), features[:, WAITED] == 0)
    fresh, fresh_actual = idle_counters(*simulated(20000, rng, spread=spread, noise=noise), rng)
    assert coverage(Correction(None, calibration), fresh, fresh_actual) == pytest.approx(0.8, abs=0.02)


def test_the_range_never_crosses_the_announced_median():
    rng = np.random.default_rng(6)
    features, actual = simulated(2000, rng, spread=2.0, noise=0.05)  # far too wide: calibration narrows it
    correction = fit_correction(features, actual, over_days(2000))
    low, middle, high = correction.apply(features)
    assert np.all(low <= middle) and np.all(middle <= high)
    assert np.mean(high - low) < np.mean(from_log(features[:, HIGH]) - from_log(features[:, LOW]))


def test_a_correction_that_cannot_beat_the_simulation_is_not_used():
    rng = np.random.default_rng(7)
    features, actual = simulated(6000, rng)  # the simulation is unbiased: nothing to learn
    correction = fit_correction(features, actual, over_days(6000))
    assert correction.models is None and correction.calibration is not None


def test_a_systematic_error_the_features_explain_is_learned():
    rng = np.random.default_rng(8)
    features, _ = simulated(6000, rng)
    busy = rng.random(6000) < 0.5
    features[:, FEATURES.index("counters_returning")] = busy
    actual = from_log(features[:, MIDDLE] + np.where(busy, 0.7, 0.0) + rng.normal(0, 0.2, 6000))
    correction = fit_correction(features, actual, over_days(6000))
    assert correction.models is not None
    _, middle, _ = correction.apply(features)
    assert np.mean(np.abs(middle - actual)) < 0.7 * np.mean(np.abs(from_log(features[:, MIDDLE]) - actual))


def test_too_little_history_gives_no_correction():
    rng = np.random.default_rng(9)
    features, actual = simulated(50, rng)
    assert fit_correction(features, actual, over_days(50)) is None


def spread_with_the_wait(rows, rng):
    """Make short waits predicted well and long waits poorly, with one simulated range width for all."""
    features, _ = simulated(rows, rng, spread=0.3)
    middle = features[:, MIDDLE]
    noise = np.where(middle > np.median(middle), 0.9, 0.15)
    return features, from_log(middle + rng.normal(0, 1, rows) * noise)


def test_each_band_of_the_predicted_wait_holds_80_percent_of_its_outcomes():
    rng = np.random.default_rng(10)
    features, actual = spread_with_the_wait(4000, rng)
    low, middle, high = features[:, LOW], features[:, MIDDLE], features[:, HIGH]
    calibration = Calibration.fit(low, middle, high, to_log(actual), features[:, WAITED] == 0)
    fresh, fresh_actual = spread_with_the_wait(20000, rng)
    long = fresh[:, MIDDLE] > np.median(fresh[:, MIDDLE])
    for band in (long, ~long):
        assert coverage(Correction(None, calibration), fresh[band], fresh_actual[band]) == pytest.approx(
            0.8, abs=0.03
        )
    single = Calibration.fit(low, middle, high, to_log(actual), features[:, WAITED] == 0, bands=1)
    assert coverage(Correction(None, single), fresh[long], fresh_actual[long]) < 0.7  # one move for all fails


@pytest.mark.parametrize(("moves", "shift"), [(0.0, 0.29), (1.0, -0.71)])
def test_the_moves_of_a_group_shift_together_until_the_group_covers_what_is_aimed_at(moves, shift):
    actual = np.random.default_rng(11).normal(0, 1, 20000)  # the range -1..1 holds 68% before moving
    ends, middle = np.ones(20000), np.zeros(20000)
    found = common_shift(-ends, middle, ends, actual, np.full(20000, moves), coverage=0.8)
    assert found == pytest.approx(shift, abs=0.03)  # |x| < 1.28 holds 80% of a standard normal
