"""An appointment before its slot, as its customer is told: its place once the slot starts, and its wait."""

from datetime import UTC, datetime, timedelta

import pytest

from qserve.domain.ordering import Candidate, Place, places_at_slots
from qserve.services.estimates import slot_waits

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
STEP_S = 300  # one service, one counter, five minutes a customer


def walk_in(ticket_id, minute):
    return Candidate(ticket_id, 1, 0, NOW + timedelta(minutes=minute))


def booked(ticket_id, slot_minute, priority=0, service_id=1):
    slot = NOW + timedelta(minutes=slot_minute)
    return Candidate(ticket_id, service_id, priority, slot, slot)


def waits(candidates):
    found = slot_waits(candidates, now=NOW, duration_s={1: STEP_S, 2: STEP_S}, counters={1: 1, 2: 1})
    return {ticket_id: (wait.p10_s, wait.p50_s, wait.p90_s) for ticket_id, wait in found.items()}


def test_an_appointment_stands_behind_earlier_slots_of_its_service_alone():
    line = [walk_in(1, -10), walk_in(2, -5), booked(10, 20), booked(11, -2, priority=1), booked(12, 30)]
    line.append(booked(13, 10, service_id=2))
    assert places_at_slots(line) == {
        11: Place(1, 0, 0, 0),
        10: Place(2, 1, 1, 1),
        12: Place(3, 2, 2, 1),
        13: Place(1, 0, 0, 0),
    }


def test_an_appointment_waits_until_its_slot_whatever_the_walk_ins_ahead():
    alone = waits([booked(10, 15)])
    assert alone == waits([walk_in(1, -30), walk_in(2, -20), walk_in(3, -1), booked(10, 15)])
    low, middle, high = alone[10]
    assert 15 * 60 <= low <= middle == 15 * 60 + STEP_S // 2 <= high <= 15 * 60 + 2 * STEP_S


@pytest.mark.parametrize(
    ("first", "second", "second_called_s"),
    [
        (10, 30, 30 * 60 + STEP_S // 2),  # the earlier one is served long before the later slot starts
        (10, 10, 10 * 60 + STEP_S * 3 // 2),  # the same slot: one is called after the other
        (
            -3,
            1,
            1 * 60 + STEP_S * 3 // 2,
        ),  # one due, called now, still at the counter when the other's starts
    ],
)
def test_an_appointment_waits_for_the_appointments_still_before_it_at_its_slot(
    first, second, second_called_s
):
    found = waits([booked(10, first), booked(11, second)])
    assert found[11][1] == second_called_s
    assert (10 in found) == (first > 0)  # a due appointment is the app's estimator's to estimate
