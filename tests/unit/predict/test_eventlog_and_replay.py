"""Event logs read and written, and the replay that rebuilds what qserve knew at each moment from them."""

import io
from datetime import UTC, datetime, timedelta

import pytest

from qserve.predict.baselines import BaselineHistory, erlang_c_wait_s, whitt_wait_s
from qserve.predict.eventlog import EventLogError, EventLogRow, read_eventlog, write_eventlog
from qserve.predict.replay import Replay

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
HEADER = "ticket_id,service,priority,joined_at,called_at,started_at,finished_at,outcome,counter,staff\n"


def at(minutes):
    return T0 + timedelta(minutes=minutes)


def row(
    ticket_id, joined, called=None, finished=None, *, outcome="served", service="A", counter="1", staff="S1"
):
    started = called + timedelta(seconds=20) if called and outcome == "served" else None
    return EventLogRow(
        str(ticket_id),
        service,
        0,
        joined,
        called,
        started,
        finished,
        outcome,
        counter if called else None,
        staff if called else None,
    )


def test_a_log_written_and_read_back_is_the_same():
    rows = [row(1, at(0), at(1), at(6)), row(2, at(2), finished=at(20), outcome="abandoned")]
    buffer = io.StringIO()
    assert write_eventlog(rows, buffer) == 2
    assert read_eventlog(io.StringIO(buffer.getvalue())) == rows


def test_times_without_an_offset_are_utc_and_empty_cells_are_none():
    text = HEADER + "7,Loans,1,2026-01-05T09:00:00,,,,cancelled,,\n"
    (only,) = read_eventlog(io.StringIO(text))
    assert only.joined_at == T0 and only.called_at is None and only.counter is None and only.priority == 1


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("7,A,0,2026-01-05T09:00:00,,,,teleported,,\n", "outcome"),
        ("7,A,high,2026-01-05T09:00:00,,,,served,,\n", "priority"),
        ("7,A,0,yesterday,,,,served,,\n", "joined_at"),
        ("7,A,0,,,,,served,,\n", "joined_at is empty"),
    ],
)
def test_a_bad_row_is_reported_with_its_line(line, message):
    with pytest.raises(EventLogError, match=f"line 2: .*{message}"):
        read_eventlog(io.StringIO(HEADER + line))


def test_a_log_missing_a_column_is_refused():
    with pytest.raises(EventLogError, match="missing columns: staff"):
        read_eventlog(io.StringIO(HEADER.replace(",staff", "")))


def test_integer_names_are_kept_as_ids_and_other_names_are_numbered():
    numeric = Replay([row(1, at(0), at(1), at(5), service="12", counter="40", staff="9")])
    named = Replay([row(1, at(0), at(1), at(5), service="Loans", counter="Desk", staff="Ann")])
    assert (numeric.tickets[0].service_id, numeric.tickets[0].counter_id, numeric.tickets[0].staff_id) == (
        12,
        40,
        9,
    )
    assert (named.tickets[0].service_id, named.tickets[0].counter_id, named.tickets[0].staff_id) == (1, 1, 1)


def test_the_replay_predicts_at_join_and_when_a_place_in_line_moves():
    rows = [row(1, at(0), at(0), at(10)), row(2, at(1), at(10), at(15)), row(3, at(2), at(15), at(20))]
    moments = list(Replay(rows).moments())
    joins = [(m.now, m.joined) for m in moments if m.joined]
    updates = [(m.now, m.updated) for m in moments if m.updated]
    assert joins == [(at(0), (0,)), (at(1), (1,)), (at(2), (2,))]
    assert updates == [(at(10), (2,))]  # ticket 2 was called at minute 10: ticket 3 moved up


def test_a_ticket_called_the_second_it_joins_is_predicted_before_the_call():
    moments = list(Replay([row(1, at(0), at(0), at(10))]).moments())
    assert moments[0].joined == (0,) and [t.ticket_id for t in moments[0].snapshot.waiting] == [0]


def test_the_snapshot_knows_who_is_served_and_which_counter_is_away():
    rows = [
        row(1, at(0), at(0), at(5), counter="1"),
        row(2, at(0), at(0), at(30), counter="2"),
        row(3, at(6), at(40), at(45), counter="1"),  # counter 1 stays free from minute 5 to 40: a break
        row(4, at(12), at(41), at(50), counter="2"),
    ]
    moment = next(m for m in Replay(rows).moments() if m.now == at(12))
    counters = {c.counter_id: c for c in moment.snapshot.counters}
    assert counters[2].open and counters[2].serving_service_id == 1
    assert not counters[1].open  # free for 7 minutes while ticket 3 waited
    assert [t.ticket_id for t in moment.snapshot.waiting] == [2, 3]


def test_customers_who_gave_up_leave_the_line_when_they_left():
    rows = [row(1, at(0), at(30), at(35)), row(2, at(1), finished=at(8), outcome="abandoned")]
    snapshots = {m.now: m.snapshot for m in Replay(rows).moments()}
    assert [t.ticket_id for t in snapshots[at(1)].waiting] == [0, 1]


def test_erlang_c_matches_its_closed_form():
    # M/M/2 with load 0.75: P(wait) = 9/14, mean wait = P(wait) / (c mu - lambda)
    assert erlang_c_wait_s(1.5 / 300, 1 / 300, 2) == pytest.approx((9 / 14) / (2 / 300 - 1.5 / 300))
    assert erlang_c_wait_s(0.0, 1 / 300, 2) == 0.0


def test_the_baselines_use_only_what_happened_before():
    rows = [row(1, at(0), at(0), at(10)), row(2, at(1), at(10), at(20)), row(3, at(2), at(20), at(30))]
    history = BaselineHistory({1: 600.0})
    replay = Replay(rows)
    moment = next(m for m in replay.moments((history,)) if m.now == at(10) and m.updated)
    predicted = history.predict(moment.snapshot, [2])
    assert predicted["les"][2] == pytest.approx(9 * 60 - 8 * 60)  # ticket 2 waited 9 min; ticket 3 waited 8
    assert predicted["queue_length"][2] == pytest.approx(580)  # first in line, one counter, served 580 s
    assert predicted["hol"][2] == 0.0  # ticket 3 is the head of the line itself


def test_times_keep_their_offset_so_hours_are_the_locations():
    text = HEADER + "7,Loans,0,2026-07-06T09:00:00+03:00,2026-07-06T09:20:00+03:00,,,no_show,1,S1\n"
    (only,) = read_eventlog(io.StringIO(text))
    assert only.joined_at.hour == 9 and only.joined_at == datetime(2026, 7, 6, 6, 0, tzinfo=UTC)
    buffer = io.StringIO()
    write_eventlog([only], buffer)
    assert "2026-07-06T09:00:00+03:00" in buffer.getvalue()


@pytest.mark.parametrize(
    ("position", "free", "expected"),
    [(1, 1, 0.0), (2, 1, 300.0), (3, 0, 900.0), (1, 0, 300.0)],
    ids=["a free counter takes it", "one ahead goes to the free counter", "all busy", "next, all busy"],
)
def test_whitts_queue_length_predictor_waits_only_when_no_counter_is_free_for_the_ticket(
    position, free, expected
):
    assert whitt_wait_s(position, free, 2, 600.0) == pytest.approx(expected)


def test_the_literal_formula_and_whitts_predictor_differ_only_while_a_counter_is_free():
    rows = [row(1, at(0), at(0), at(5)), row(2, at(10), at(10), at(15))]  # the counter is free at minute 10
    history = BaselineHistory({1: 600.0})
    moment = next(m for m in Replay(rows).moments((history,)) if m.now == at(10))
    predicted = history.predict(moment.snapshot, [1])
    assert predicted["whitt_ql"][1] == 0.0 and predicted["queue_length"][1] == pytest.approx(280)
