"""The estimate given at join is the learned one, and the estimator learns and exports in local time."""

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from qserve.db import read_session
from qserve.models import Ticket
from qserve.predict import Estimator
from qserve.predict.history import export_eventlog
from qserve.predict.service import LearnedEstimator
from qserve.services.calling import act_on_ticket, call_next
from qserve.services.refresh import refresh_location

HELSINKI = ZoneInfo("Europe/Helsinki")  # the factories' locations are in Helsinki


@pytest.fixture
def branch(make):
    location = make.location(services=1, counters=1)
    staff = make.user(organization_id=location["organization_id"], location_ids=[location["id"]])
    return location, staff["actor"], location["counter_ids"][0], location["service_ids"][0]


@pytest.fixture
def learned(app, clock, branch):
    """Install a learned estimator that knows this service takes 20 minutes, not the configured five."""
    service = branch[3]
    estimator = Estimator.cold({service: 300})
    for index in range(60):
        started = clock() - timedelta(days=1, minutes=25 * index)
        estimator.observe_finished(
            service_id=service, staff_id=None, started_at=started, finished_at=started + timedelta(minutes=20)
        )
    installed = app.extensions["qserve.estimator"] = LearnedEstimator(estimator)
    return installed


def joined_estimate(ticket_id):
    with read_session() as session:
        ticket = session.get(Ticket, ticket_id)
        return ticket.joined_estimate_p10_s, ticket.joined_estimate_p50_s, ticket.joined_estimate_p90_s


def test_the_estimate_given_at_join_is_the_learned_one(make, clock, branch, learned):
    location, actor, counter, service = branch
    make.ticket(location=location, now=clock.advance(seconds=10))
    call_next(counter_id=counter, actor=actor, now=clock.advance(seconds=10))
    second = make.ticket(location=location, now=clock.advance(seconds=10))
    low, middle, high = joined_estimate(second)
    assert middle > 2 * 300  # a twenty-minute service is under way; the queueing formula says 150 s
    refresh_location(location_id=location["id"], now=clock())
    with read_session() as session:
        stored = session.get(Ticket, second).estimate_p50_s
    assert stored == pytest.approx(middle, rel=0.2)  # the refresh a moment later agrees with it
    assert low <= middle <= high


def test_a_join_right_after_a_refresh_reads_the_estimate_the_refresh_prepared(make, clock, branch, learned):
    location, actor, counter, service = branch
    make.ticket(location=location, now=clock.advance(seconds=10))
    call_next(counter_id=counter, actor=actor, now=clock.advance(seconds=10))
    make.ticket(location=location, now=clock.advance(seconds=10))
    refresh_location(location_id=location["id"], now=clock())
    prepared = learned.newcomers[location["id"]].estimates[(service, 0)]
    third = make.ticket(location=location, now=clock.advance(seconds=5))
    assert joined_estimate(third) == (prepared.p10_s, prepared.p50_s, prepared.p90_s)
    fourth = make.ticket(location=location, now=clock.advance(seconds=5))  # no refresh since the third
    assert joined_estimate(fourth)[1] > prepared.p50_s + 10 * 60  # one more twenty-minute service ahead


@pytest.fixture
def refreshed(app, make, clock, branch, learned, monkeypatch):
    """A line of one served and one waiting, refreshed a moment ago; no refresh after that, and every
    simulation of the line recorded. Return the newcomer's prepared estimate, what one more ticket ahead
    adds to it and the simulations."""
    location, actor, counter, service = branch
    make.ticket(location=location, now=clock.advance(seconds=10))
    call_next(counter_id=counter, actor=actor, now=clock.advance(seconds=10))
    make.ticket(location=location, now=clock.advance(seconds=10))
    refresh_location(location_id=location["id"], now=clock())
    prepared = learned.newcomers[location["id"]].estimates[(service, 0)]
    step = learned.newcomers[location["id"]].marginal_s[service]
    monkeypatch.setattr(app.extensions["qserve.publisher"], "flush", lambda: None)  # no refresh meanwhile
    simulations = []
    real_predict = learned.estimator.predict
    monkeypatch.setattr(
        learned.estimator, "predict", lambda snap: simulations.append(snap) or real_predict(snap)
    )
    return prepared, step, simulations


def test_joins_after_a_refresh_are_answered_without_simulating_until_someone_is_called(
    make, clock, branch, refreshed
):
    location, actor, counter, _service = branch
    prepared, step, simulations = refreshed
    assert step == pytest.approx(20 * 60, rel=0.25)  # one more twenty-minute service per ticket ahead
    third = make.ticket(location=location, now=clock.advance(seconds=5))
    fourth = make.ticket(location=location, now=clock.advance(seconds=5))
    assert joined_estimate(third)[1] == prepared.p50_s
    assert joined_estimate(fourth)[1] == prepared.p50_s + int(step)
    assert simulations == []  # the line was never loaded and simulated for these joins

    call_next(counter_id=counter, actor=actor, now=clock.advance(seconds=5))  # the line moved: simulate
    make.ticket(location=location, now=clock.advance(seconds=5))
    assert len(simulations) == 1


def test_a_priority_ticket_in_line_leaves_the_check_of_the_refresh_to_the_detailed_counts(
    make, clock, branch, refreshed
):
    location = branch[0]
    prepared, step, simulations = refreshed
    make.ticket(location=location, now=clock.advance(seconds=5), priority=1)
    plain = make.ticket(location=location, now=clock.advance(seconds=5))
    # The census sees a priority ticket in line, so the joins since the refresh are counted by priority:
    # the priority ticket stands ahead of the plain newcomer, one service more.
    assert joined_estimate(plain)[1] == prepared.p50_s + int(step)
    assert simulations == []


def test_without_a_learned_estimator_the_queueing_estimate_is_given(app, make, clock, branch):
    from qserve.services.refresh import QueueingEstimator

    app.extensions["qserve.estimator"] = QueueingEstimator()
    location = branch[0]
    ticket = make.ticket(location=location, now=clock.advance(seconds=10))
    assert joined_estimate(ticket)[1] == 150  # half a configured service: the counter is free


def test_closed_tickets_export_in_the_locations_local_time(make, clock, branch):
    location, actor, counter, service = branch
    ticket = make.ticket(location=location, now=clock.advance(seconds=10))
    call_next(counter_id=counter, actor=actor, now=clock.advance(seconds=10))
    act_on_ticket(ticket_id=ticket, action="start", actor=actor, now=clock.advance(seconds=20))
    act_on_ticket(ticket_id=ticket, action="finish", actor=actor, now=clock.advance(minutes=5))
    with read_session() as session:
        (row,) = export_eventlog(session, location_id=location["id"])
    assert row.finished_at == clock()
    assert row.finished_at.utcoffset() == clock().astimezone(HELSINKI).utcoffset() == timedelta(hours=2)
    assert row.started_at.hour == clock().astimezone(HELSINKI).hour


def test_the_estimator_learns_durations_by_the_locations_hour(make, clock, branch, learned):
    location, actor, counter, service = branch
    ticket = make.ticket(location=location, now=clock.advance(seconds=10))
    call_next(counter_id=counter, actor=actor, now=clock.advance(seconds=10))
    act_on_ticket(ticket_id=ticket, action="start", actor=actor, now=clock.advance(seconds=20))
    started = clock()
    act_on_ticket(ticket_id=ticket, action="finish", actor=actor, now=clock.advance(minutes=5))
    with read_session() as session:
        row = session.get(Ticket, ticket)
        learned.observe(row)
        staff = row.served_by_id
    hours = {key[3] for key in learned.estimator.durations.cells if key[0] == "hour" and key[2] == staff}
    assert hours == {started.astimezone(HELSINKI).hour} != {started.hour}
