"""Composition: the vectorised forward simulation follows the real call-next rules, and the waits it composes
react to counters, priorities, no-shows, leaving and future arrivals the way they should."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from qserve.domain.ordering import Candidate, FairnessKind, FairnessRule, choose_next
from qserve.predict.compose import forecast
from qserve.predict.durations import DurationModel
from qserve.predict.forward import Counters, ServiceRates, simulate_calls
from qserve.predict.outcomes import OutcomeModel
from qserve.predict.plan import build_plan
from qserve.predict.snapshot import CounterState, ExpectedBooking, QueueSnapshot, WaitingTicket

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
RULES = [
    FairnessRule(),
    FairnessRule(kind=FairnessKind.MAX_IN_ROW, max_in_row=2),
    FairnessRule(kind=FairnessKind.AGEING, credit_s=300),
]


def reference_calls(candidates, skills, free_at, durations, rule, streak):
    """Call tickets one by one with choose_next itself: the slow, obviously right simulation."""
    waiting, free_at, calls = list(candidates), list(free_at), {}
    while waiting:
        counter = min(range(len(free_at)), key=lambda k: (free_at[k], k))
        now = free_at[counter]
        if now == np.inf:
            break
        mine = [c for c in waiting if c.service_id in skills[counter]]
        chosen = choose_next(mine, rule=rule, now=NOW + timedelta(seconds=now), priority_streak=streak)
        if chosen is None:
            free_at[counter] = np.inf
            continue
        waiting.remove(chosen)
        calls[chosen.ticket_id] = now
        streak = streak + 1 if chosen.priority > 0 else 0
        free_at[counter] = now + durations[counter][chosen.service_id]
    return calls


def random_office(seed):
    rng = np.random.default_rng(seed)
    services = [1, 2, 3]
    skills = [
        frozenset(rng.choice(services, size=int(rng.integers(1, 4)), replace=False).tolist())
        for _ in range(4)
    ]
    skills[0] = frozenset(services)  # someone serves everything, so nobody waits forever
    candidates = []
    for ticket_id in range(40):
        joined = NOW - timedelta(seconds=int(rng.integers(0, 3600)))
        appointment = NOW + timedelta(seconds=int(rng.integers(-300, 1800))) if rng.random() < 0.1 else None
        priority = int(rng.choice([0, 0, 0, 1, 2]))
        candidates.append(
            Candidate(ticket_id, int(rng.choice(services)), priority, appointment or joined, appointment)
        )
    # Real-valued times: exact ties between counters would be broken by rounding, differently in each.
    durations = [{s: float(rng.uniform(60, 600)) for s in services} for _ in skills]
    free_at = [float(rng.uniform(0, 300)) for _ in skills]
    return services, skills, candidates, durations, free_at


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.kind)
@pytest.mark.parametrize("seed", range(6))
def test_the_vectorised_simulation_calls_in_the_order_choose_next_would(rule, seed):
    services, skills, candidates, durations, free_at = random_office(seed)
    plan = build_plan(candidates, [], services=services, rule=rule, now=NOW)
    counters = Counters(
        free_at=np.array([free_at]),
        serves=np.array([[s in skill for s in services] for skill in skills]),
        duration_mean=np.array([[d[s] for s in services] for d in durations]),
        duration_cv2=np.zeros((len(skills), len(services))),
    )
    nothing = np.zeros(len(services))
    rates = ServiceRates(walk_up_s=nothing, no_show=nothing, hold_s=nothing, abandon_per_s=nothing)
    calls = simulate_calls(plan, counters, rates, rng=np.random.default_rng(0), streak=1)[0]
    expected = reference_calls(candidates, skills, free_at, durations, rule, streak=1)
    assert {c.ticket_id: pytest.approx(calls[i]) for i, c in enumerate(candidates)} == expected


def office(waiting=6, counters=2, **counter_overrides):
    desks = tuple(
        CounterState(k, frozenset({1}), True, staff_id=k, **counter_overrides) for k in range(1, counters + 1)
    )
    tickets = tuple(WaitingTicket(i, 1, 0, NOW - timedelta(minutes=30 - i)) for i in range(1, waiting + 1))
    return QueueSnapshot(NOW, desks, tickets)


def medians(snapshot, durations=None, outcomes=None):
    durations = durations or DurationModel({1: 300.0})
    result = forecast(snapshot, durations, outcomes or OutcomeModel(), replications=400)
    return dict(zip(result.ticket_ids, result.p50_s, strict=True)), result


def test_waits_grow_with_the_place_in_line_and_the_range_brackets_the_median():
    waits, result = medians(office(waiting=8))
    assert [waits[i] for i in range(1, 9)] == sorted(waits[i] for i in range(1, 9))
    assert waits[1] == 0 and waits[2] == 0  # two idle counters take the first two at once
    assert np.all(result.p10_s <= result.p50_s) and np.all(result.p50_s <= result.p90_s)
    assert waits[8] == pytest.approx(3 * 300, rel=0.2)  # three rounds of two counters


def test_a_second_open_counter_roughly_halves_the_wait_at_the_back():
    one = medians(office(waiting=10, counters=1))[0][10]
    two = medians(office(waiting=10, counters=2))[0][10]
    assert two == pytest.approx(one / 2, rel=0.25)


def test_customers_being_served_hold_the_counter_for_their_remaining_time():
    fresh = medians(office(waiting=1, counters=1, serving_service_id=1, serving_started_at=NOW))[0][1]
    nearly_done = office(
        waiting=1, counters=1, serving_service_id=1, serving_started_at=NOW - timedelta(minutes=9)
    )
    assert fresh == pytest.approx(300 * 0.89, rel=0.2)  # a lognormal's median is below its mean
    assert medians(nearly_done)[0][1] < fresh


def test_a_counter_on_a_break_serves_again_when_it_comes_back():
    back = NOW + timedelta(minutes=20)
    snapshot = QueueSnapshot(
        NOW, (CounterState(1, frozenset({1}), False, reopens_at=back),), office(2).waiting
    )
    waits = medians(snapshot)[0]
    assert waits[1] == pytest.approx(1200)


def test_no_shows_and_customers_leaving_shorten_the_wait_of_those_behind():
    base = medians(office(waiting=12, counters=1))[0][12]
    outcomes = OutcomeModel()
    for minute in range(200):
        joined = NOW - timedelta(days=1, minutes=minute)
        outcome = "no_show" if minute % 2 else "served"
        outcomes.observe_outcome(
            service_id=1,
            outcome=outcome,
            joined_at=joined,
            called_at=joined,
            closed_at=joined + timedelta(seconds=30),
        )
        outcomes.observe_outcome(
            service_id=1, outcome="abandoned", joined_at=joined, closed_at=joined + timedelta(minutes=20)
        )
    assert medians(office(waiting=12, counters=1), outcomes=outcomes)[0][12] < 0.75 * base


def test_priority_customers_expected_to_arrive_delay_normal_tickets_under_strict_priority():
    quiet = medians(office(waiting=10, counters=1))[0][10]
    outcomes = OutcomeModel()
    for day in range(5):  # about six priority arrivals an hour, every hour
        for minute in range(0, 24 * 60, 10):
            joined = NOW - timedelta(days=day + 1, minutes=minute)
            outcomes.observe_outcome(
                service_id=1,
                outcome="served",
                joined_at=joined,
                priority=1,
                called_at=joined,
                closed_at=joined,
            )
    busy = medians(office(waiting=10, counters=1), outcomes=outcomes)[0][10]
    assert busy > quiet * 1.2


def booked_at(*minutes, chance=1.0, service_id=1):
    return tuple(ExpectedBooking(100 + m, service_id, NOW + timedelta(minutes=m), chance) for m in minutes)


def test_booked_customers_due_before_a_walk_ins_turn_go_ahead_of_it_by_their_chance_of_coming():
    """Six walk-ins, one counter, 300 s each: the last is called after about 25 minutes. Two bookings due
    at 5 and 10 minutes are called at their slots, ahead of it; one due in two hours cannot move it."""
    walk_ins = office(waiting=6, counters=1)
    quiet = medians(walk_ins)[0][6]
    sure = medians(replace(walk_ins, booked=booked_at(5, 10)))[0][6]
    likely = medians(replace(walk_ins, booked=booked_at(5, 10, chance=0.5)))[0][6]
    assert sure == pytest.approx(quiet + 2 * 300, rel=0.15)
    assert quiet < likely < sure
    # (another stand-in ticket changes the random draws, not the expected wait)
    assert medians(replace(walk_ins, booked=booked_at(120)))[0][6] == pytest.approx(quiet, rel=0.05)
    assert medians(replace(walk_ins, booked=booked_at(5, chance=0.0)))[0][6] == pytest.approx(quiet, rel=0.05)


def test_a_booking_for_a_service_no_counter_serves_moves_nobody():
    walk_ins = office(waiting=6, counters=1)
    assert medians(replace(walk_ins, booked=booked_at(5, 10, service_id=2)))[0] == medians(walk_ins)[0]


def test_a_service_no_open_counter_serves_cannot_be_reached():
    snapshot = QueueSnapshot(NOW, (CounterState(1, frozenset({2}), True),), office(2).waiting)
    result = forecast(snapshot, DurationModel({1: 300.0}), OutcomeModel(), replications=50)
    assert not result.reachable.any()


def newcomer_and_joined(snapshot, service_id, priority, durations):
    """Return a newcomer's simulated call times (as a ghost) and those of the same ticket really in line."""
    outcomes = OutcomeModel()
    ghost = forecast(snapshot, durations, outcomes, replications=3000, newcomers=[(service_id, priority)])
    joined = QueueSnapshot(
        NOW,
        snapshot.counters,
        (*snapshot.waiting, WaitingTicket(99, service_id, priority, NOW)),
        snapshot.rule,
    )
    real = forecast(joined, durations, outcomes, replications=3000)
    return ghost, real


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.kind)
@pytest.mark.parametrize(("service_id", "priority"), [(1, 0), (2, 0), (1, 1)])
def test_a_newcomer_is_predicted_as_if_it_had_joined(rule, service_id, priority):
    busy = {"serving_service_id": 1, "serving_started_at": NOW - timedelta(minutes=2)}
    desks = (
        CounterState(1, frozenset({1, 2}), True, staff_id=1, **busy),
        CounterState(2, frozenset({1}), True, staff_id=2, **busy),
    )
    tickets = tuple(
        WaitingTicket(i, 1 + i % 2, int(i % 4 == 0), NOW - timedelta(minutes=20 - i)) for i in range(1, 9)
    )
    snapshot = QueueSnapshot(NOW, desks, tickets, rule)
    ghost, real = newcomer_and_joined(snapshot, service_id, priority, DurationModel({1: 300.0, 2: 500.0}))
    for quantile in ("p10_s", "p50_s", "p90_s"):
        assert getattr(ghost.newcomers, quantile)[0] == pytest.approx(
            getattr(real, quantile)[-1], rel=0.1, abs=20
        )


def test_newcomers_take_no_counter_time_from_the_tickets_in_line():
    snapshot = office(waiting=5, counters=1, serving_service_id=1, serving_started_at=NOW)
    durations = DurationModel({1: 300.0})
    alone = forecast(snapshot, durations, OutcomeModel(), replications=2000)
    many = [(1, 0), (1, 1), (1, 2), (2, 0)]
    with_newcomers = forecast(snapshot, durations, OutcomeModel(), replications=2000, newcomers=many)
    assert with_newcomers.p50_s == pytest.approx(alone.p50_s, rel=0.1)
    assert with_newcomers.newcomers.ticket_ids == sorted(with_newcomers.newcomers.ticket_ids)
    p50 = dict(zip(many, with_newcomers.newcomers.p50_s, strict=True))
    assert p50[(1, 2)] <= p50[(1, 1)] < p50[(1, 0)]  # strict priority: higher levels jump the line
    assert not with_newcomers.newcomers.reachable[-1]  # nobody serves service 2


def test_a_newcomer_finding_a_free_counter_is_called_at_once():
    result = forecast(
        office(waiting=1, counters=2), DurationModel({1: 300.0}), OutcomeModel(), newcomers=[(1, 0)]
    )
    assert result.newcomers.p90_s[0] == 0.0
