"""The estimator on a real database: snapshots, learning from finished tickets, export and training."""

from datetime import timedelta

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from qserve.db import read_session
from qserve.domain.ordering import FairnessKind
from qserve.models import Location, Ticket
from qserve.predict import Estimator
from qserve.predict.accuracy import accuracy_by_service
from qserve.predict.cli import predict
from qserve.predict.eventlog import read_eventlog
from qserve.predict.history import export_eventlog, load_history
from qserve.predict.jobs import estimator_path, train_estimator
from qserve.predict.reading import counter_states, location_snapshot
from qserve.predict.service import LearnedEstimator
from qserve.predict.training import fit_from_eventlog
from qserve.services.calling import act_on_ticket, call_next
from qserve.services.counters import open_counter


@pytest.fixture
def branch(make):
    location = make.location(services=1, counters=1)
    staff = make.user(organization_id=location["organization_id"], location_ids=[location["id"]])
    return location, staff["actor"], location["counter_ids"][0], location["service_ids"][0]


def serve(ticket_id, actor, clock, minutes):
    act_on_ticket(ticket_id=ticket_id, action="start", actor=actor, now=clock.advance(seconds=20))
    act_on_ticket(ticket_id=ticket_id, action="finish", actor=actor, now=clock.advance(minutes=minutes))


def waiting_estimates(learned, location_id, now):
    with read_session() as session:
        location = session.get(Location, location_id)
        waiting = list(session.scalars(select(Ticket).where(Ticket.status == "waiting").order_by(Ticket.id)))
        return learned.estimate(session, location, waiting, {}, now)


def test_the_snapshot_shows_the_open_counter_and_whom_it_serves(make, clock, branch):
    location, actor, counter, service = branch
    tickets = [make.ticket(location=location, now=clock.advance(seconds=10)) for _ in range(3)]
    call_next(counter_id=counter, actor=actor, now=clock.advance(seconds=10))
    with read_session() as session:
        place = session.get(Location, location["id"])
        waiting = list(session.scalars(select(Ticket).where(Ticket.status == "waiting").order_by(Ticket.id)))
        snapshot = location_snapshot(session, place, waiting, clock())
    (desk,) = [c for c in snapshot.counters if c.counter_id == counter]
    assert desk.open and desk.service_ids == {service} and desk.serving_service_id == service
    assert [t.ticket_id for t in snapshot.waiting] == tickets[1:]


def test_counter_states_show_each_counter_open_or_closed_with_whom_it_serves(make, clock):
    location = make.location(services=2, counters=4)
    a, b = location["service_ids"]
    serving, calling, idle, closed = location["counter_ids"]
    staff = {
        counter: make.user(organization_id=location["organization_id"], location_ids=[location["id"]])
        for counter in (serving, calling, idle)
    }
    for counter, member in staff.items():
        chosen = [a] if counter == idle else None
        open_counter(counter_id=counter, actor=member["actor"], now=clock(), service_ids=chosen)
    make.ticket(location=location, service_index=1, now=clock.advance(seconds=10))
    make.ticket(location=location, service_index=0, now=clock.advance(seconds=10))
    first = call_next(counter_id=serving, actor=staff[serving]["actor"], now=clock.advance(seconds=10))
    started = clock.advance(seconds=20)
    act_on_ticket(ticket_id=first, action="start", actor=staff[serving]["actor"], now=started)
    call_next(counter_id=calling, actor=staff[calling]["actor"], now=clock.advance(seconds=10))

    with read_session() as session:
        states = counter_states(session, location["id"])

    assert [state.counter_id for state in states] == sorted(location["counter_ids"])
    by_id = {state.counter_id: state for state in states}
    assert by_id[serving].open and by_id[serving].staff_id == staff[serving]["id"]
    assert by_id[serving].service_ids == {a, b}
    assert (by_id[serving].serving_service_id, by_id[serving].serving_started_at) == (b, started)
    assert (by_id[calling].serving_service_id, by_id[calling].serving_started_at) == (a, None)
    assert by_id[idle].service_ids == {a} and by_id[idle].serving_service_id is None
    assert not by_id[closed].open and by_id[closed].staff_id is None
    assert by_id[closed].serving_service_id is None


def test_a_finished_ticket_updates_the_next_estimates(make, clock, branch):
    location, actor, counter, service = branch
    learned = LearnedEstimator(Estimator.cold({service: 300}))
    first = make.ticket(location=location, now=clock.advance(seconds=10))
    behind = [make.ticket(location=location, now=clock.advance(seconds=10)) for _ in range(4)]
    call_next(counter_id=counter, actor=actor, now=clock.advance(seconds=10))
    serve(first, actor, clock, minutes=25)  # a much longer service than the configured five minutes
    before = waiting_estimates(learned, location["id"], clock())
    with read_session() as session:
        learned.observe(session.get(Ticket, first))
    after = waiting_estimates(learned, location["id"], clock())
    assert set(after) == set(behind)
    assert after[behind[-1]].p50_s > before[behind[-1]].p50_s * 1.3


def test_closed_tickets_export_as_an_event_log_that_trains_an_estimator_for_these_ids(make, clock, branch):
    location, actor, counter, service = branch
    for _ in range(6):
        ticket = make.ticket(location=location, now=clock.advance(seconds=30))
        call_next(counter_id=counter, actor=actor, now=clock.advance(seconds=5))
        serve(ticket, actor, clock, minutes=8)
    cancelled = make.ticket(location=location, now=clock.advance(seconds=5))
    act_on_ticket(
        ticket_id=cancelled, action="cancel", actor=actor, now=clock.advance(minutes=1), reason="left"
    )
    with read_session() as session:
        rows = export_eventlog(session, location_id=location["id"])
    assert [r.outcome for r in rows] == ["served"] * 6 + ["cancelled"]
    assert (
        rows[0].service == str(service)
        and rows[0].counter == str(counter)
        and rows[0].staff == str(actor.user_id)
    )
    assert rows[-1].called_at is None and rows[-1].finished_at == clock()
    estimator = fit_from_eventlog(rows)
    assert estimator.durations.mean_s(service) == pytest.approx(8 * 60, rel=0.1)


def test_the_training_job_saves_an_estimator_the_app_loads(make, clock, branch, app, tmp_path):
    location, actor, counter, service = branch
    app.config["MODEL_PATH"] = str(tmp_path / "models" / "estimator.pkl")
    for _ in range(3):
        ticket = make.ticket(location=location, now=clock.advance(seconds=30))
        call_next(counter_id=counter, actor=actor, now=clock.advance(seconds=5))
        serve(ticket, actor, clock, minutes=4)
    assert train_estimator(clock() + timedelta(hours=1)) == 3
    with read_session() as session:
        learned = LearnedEstimator.load_or_cold(estimator_path(), session)
        ((rows, rule),) = load_history(session)
    assert learned.estimator.trained_at == clock() + timedelta(hours=1)
    assert learned.estimator.durations.observed_count(service) == pytest.approx(3, abs=0.01)  # fading
    assert len(rows) == 3 and rule.kind == FairnessKind.STRICT


def test_managers_see_predicted_against_actual_waits_per_service(make, clock, branch):
    location, actor, counter, service = branch
    tickets = [make.ticket(location=location, now=clock.advance(seconds=10)) for _ in range(3)]
    for ticket in tickets:
        call_next(counter_id=counter, actor=actor, now=clock.advance(seconds=5))
        serve(ticket, actor, clock, minutes=6)
    with read_session() as session:
        (summary,) = accuracy_by_service(session, location_id=location["id"])
    assert summary["service_id"] == service and summary["tickets"] == 3
    assert summary["mean_actual_s"] > 0 and 0 <= summary["coverage_80"] <= 1


def test_the_export_command_writes_the_history_of_one_location(
    make, clock, branch, database_url, monkeypatch, tmp_path
):
    location, actor, counter, _service = branch
    ticket = make.ticket(location=location, now=clock.advance(seconds=30))
    call_next(counter_id=counter, actor=actor, now=clock.advance(seconds=5))
    serve(ticket, actor, clock, minutes=3)
    monkeypatch.setenv("QSERVE_DATABASE_URL", database_url)
    out = tmp_path / "history.csv"
    result = CliRunner().invoke(predict, ["export", "--location", location["slug"], "--out", str(out)])
    assert result.exit_code == 0, result.output
    (row,) = read_eventlog(out)
    assert row.ticket_id == str(ticket) and row.outcome == "served"
    missing = CliRunner().invoke(predict, ["export", "--location", "nowhere", "--out", str(out)])
    assert missing.exit_code != 0 and "no location 'nowhere'" in missing.output
