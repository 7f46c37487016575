"""The estimator the app holds: cold start, online learning, predictions for every waiting ticket, files."""

from datetime import UTC, datetime, timedelta

import pytest

from qserve.predict import CounterState, Estimator, QueueSnapshot, WaitEstimate, WaitingTicket

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


def snapshot(waiting=5, services=frozenset({1})):
    counters = (CounterState(1, services, True, staff_id=3, serving_service_id=1, serving_started_at=NOW),)
    tickets = tuple(WaitingTicket(100 + i, 1, 0, NOW - timedelta(minutes=10 - i)) for i in range(waiting))
    return QueueSnapshot(NOW, counters, tickets)


def finish(estimator, seconds, count=30):
    for i in range(count):
        started = NOW - timedelta(days=1, minutes=i * 20)
        estimator.observe_finished(
            service_id=1, staff_id=3, started_at=started, finished_at=started + timedelta(seconds=seconds)
        )


def test_a_cold_estimator_predicts_every_waiting_ticket_from_the_default_duration():
    estimates = Estimator.cold({1: 300}).predict(snapshot())
    assert set(estimates) == {100, 101, 102, 103, 104}
    assert all(isinstance(e, WaitEstimate) and e.p10_s <= e.p50_s <= e.p90_s for e in estimates.values())
    assert estimates[104].p50_s == pytest.approx(5 * 300, rel=0.2)


def test_finished_tickets_move_the_next_estimates():
    estimator = Estimator.cold({1: 300})
    before = estimator.predict(snapshot())[104].p50_s
    finish(estimator, 600)
    after = estimator.predict(snapshot())[104].p50_s
    assert after > 1.5 * before


def test_the_same_snapshot_gets_the_same_estimates():
    estimator = Estimator.cold({1: 300})
    assert estimator.predict(snapshot()) == estimator.predict(snapshot())


def test_nobody_waiting_means_no_estimates():
    assert Estimator.cold({1: 300}).predict(snapshot(waiting=0)) == {}


def test_a_ticket_no_open_counter_serves_gets_a_wide_guess_from_its_place_in_line():
    estimates = Estimator.cold({1: 300}).predict(snapshot(waiting=2, services=frozenset({2})))
    assert estimates[101].p50_s == 600 and estimates[101].p90_s > 1200


def test_called_and_closed_tickets_feed_recent_waits_and_outcome_rates():
    estimator = Estimator.cold({1: 300})
    estimator.observe_called(service_id=1, joined_at=NOW - timedelta(minutes=12), called_at=NOW)
    estimator.observe_outcome(service_id=1, outcome="no_show", joined_at=NOW, called_at=NOW, closed_at=NOW)
    assert estimator.outcomes.last_wait_s(1) == 720
    assert estimator.outcomes.service(1).no_shows == 1
    with pytest.raises(ValueError, match="outcome"):
        estimator.observe_outcome(service_id=1, outcome="teleported", joined_at=NOW)


def test_an_estimator_saved_to_a_file_predicts_the_same_after_loading(tmp_path):
    estimator = Estimator.cold({1: 300})
    finish(estimator, 450)
    estimator.save(tmp_path / "estimator.pkl")
    loaded = Estimator.load(tmp_path / "estimator.pkl")
    assert loaded.predict(snapshot()) == estimator.predict(snapshot())


def test_loading_something_else_is_refused(tmp_path):
    import pickle

    (tmp_path / "other.pkl").write_bytes(pickle.dumps({"not": "an estimator"}))
    with pytest.raises(ValueError, match="not a qserve estimator"):
        Estimator.load(tmp_path / "other.pkl")


def test_estimates_read_as_the_api_object():
    assert WaitEstimate(60, 120, 300).as_dict() == {"p10_s": 60, "p50_s": 120, "p90_s": 300}


def test_accuracy_is_summarised_per_service():
    from qserve.predict.accuracy import Announced, summarise

    (only,) = summarise([Announced(4, 60, 120, 300, 100.0), Announced(4, 60, 120, 300, 400.0)])
    assert only["tickets"] == 2 and only["mae_s"] == 150.0 and only["mean_signed_error_s"] == -130.0
    assert only["coverage_80"] == 0.5


def test_training_on_no_history_gives_a_cold_estimator():
    from qserve.predict.training import fit_from_history

    estimator = fit_from_history([], default_durations_s={1: 240.0})
    assert estimator.correction is None and estimator.durations.mean_s(1) == 240.0


def test_with_no_counter_open_a_ticket_moved_back_is_estimated_by_its_new_place():
    from datetime import UTC, datetime, timedelta

    from qserve.domain.ordering import FairnessRule
    from qserve.predict.estimator import Estimator
    from qserve.predict.snapshot import CounterState, QueueSnapshot, WaitingTicket

    now = datetime(2026, 11, 23, 10, tzinfo=UTC)
    closed = (CounterState(1, frozenset({1}), False),)
    # ticket 2 joined second but asked for more time: it is queued behind 3 and 4
    queued = {1: 1, 2: 9, 3: 3, 4: 4}
    waiting = tuple(WaitingTicket(i, 1, 0, now - timedelta(minutes=10 - queued[i])) for i in (1, 2, 3, 4))
    estimates = Estimator.cold({1: 300.0}).predict(QueueSnapshot(now, closed, waiting, FairnessRule()))
    by_p50 = sorted(estimates, key=lambda ticket_id: estimates[ticket_id].p50_s)
    assert by_p50 == [1, 3, 4, 2]


@pytest.mark.parametrize(("service_id", "priority"), [(1, 0), (1, 1), (2, 0)])
def test_a_newcomer_has_the_features_the_ticket_has_once_it_joined(service_id, priority):
    from qserve.predict.features import FEATURES, newcomer_features

    estimator = Estimator.cold({1: 300, 2: 500})
    before = snapshot(waiting=6, services=frozenset({1, 2}))
    result = estimator.simulate(before, newcomers=[(service_id, priority)])
    ghost = newcomer_features(
        before, result, [(service_id, priority)], estimator.durations, estimator.outcomes
    )
    joined = QueueSnapshot(
        NOW, before.counters, (*before.waiting, WaitingTicket(999, service_id, priority, NOW))
    )
    _, real = estimator.features(joined)
    exact = [FEATURES.index(name) for name in FEATURES if not name.startswith("log_sim")]
    assert ghost[0, exact] == pytest.approx(real[-1, exact])


def test_the_estimates_of_newcomers_come_with_those_of_the_tickets_in_line():
    estimator = Estimator.cold({1: 300})
    estimates, joining = estimator.predict_with_newcomers(snapshot(waiting=3), [(1, 0), (1, 0)])
    assert set(estimates) == {100, 101, 102} and set(joining) == {(1, 0)}
    assert joining[(1, 0)].p50_s == pytest.approx(4 * 300, rel=0.25)  # behind the one served and three
    empty = estimator.predict_with_newcomers(snapshot(waiting=0), [(1, 0)])
    assert empty[0] == {} and empty[1][(1, 0)].p50_s == pytest.approx(300 * 0.89, rel=0.25)
