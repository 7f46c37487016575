"""Call order: due appointments, priority under the location's fairness rule, then first come first served."""

from datetime import UTC, datetime, timedelta

import pytest

from qserve.domain.ordering import (
    Candidate,
    FairnessKind,
    FairnessRule,
    choose_next,
    priority_streak,
    queue_order,
)

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def ticket(ticket_id, minute, priority=0, appointment_minute=None):
    appointment = T0 + timedelta(minutes=appointment_minute) if appointment_minute is not None else None
    return Candidate(ticket_id, 1, priority, appointment or T0 + timedelta(minutes=minute), appointment)


def ids(order):
    return [c.ticket_id for c in order]


def test_first_come_first_served_without_priorities():
    tickets = [ticket(3, 2), ticket(1, 0), ticket(2, 1)]
    assert ids(queue_order(tickets, rule=FairnessRule(), now=T0 + timedelta(hours=1))) == [1, 2, 3]


def test_strict_priority_always_goes_first():
    tickets = [ticket(1, 0), ticket(2, 1), ticket(3, 5, priority=1), ticket(4, 6, priority=2)]
    assert ids(queue_order(tickets, rule=FairnessRule(), now=T0)) == [4, 3, 1, 2]


@pytest.mark.parametrize(
    ("streak", "expected"),
    [(0, [10, 11, 1, 12, 2]), (1, [10, 1, 11, 12, 2]), (2, [1, 10, 11, 2, 12])],
)
def test_at_most_n_priority_tickets_in_a_row(streak, expected):
    tickets = [ticket(1, 0), ticket(2, 1), ticket(10, 2, 1), ticket(11, 3, 1), ticket(12, 4, 1)]
    rule = FairnessRule(kind=FairnessKind.MAX_IN_ROW, max_in_row=2)
    assert ids(queue_order(tickets, rule=rule, now=T0, priority_streak=streak)) == expected


def test_ageing_credit_lets_a_long_wait_beat_a_fresh_priority_ticket():
    rule = FairnessRule(kind=FairnessKind.AGEING, credit_s=600)
    tickets = [ticket(1, 0), ticket(2, 15, priority=1), ticket(3, 5, priority=1)]
    # ticket 3 counts as queued at minute -5, ticket 1 at 0, ticket 2 at 5
    assert ids(queue_order(tickets, rule=rule, now=T0 + timedelta(minutes=20))) == [3, 1, 2]


def test_due_appointments_go_before_everyone_in_slot_order():
    tickets = [
        ticket(1, 0, priority=3),
        ticket(2, 0, appointment_minute=30),
        ticket(3, 0, appointment_minute=20),
    ]
    now = T0 + timedelta(minutes=31)
    assert ids(queue_order(tickets, rule=FairnessRule(), now=now)) == [3, 2, 1]


def test_an_appointment_not_yet_due_waits_by_its_slot_time():
    tickets = [ticket(1, 0), ticket(2, 0, appointment_minute=10), ticket(3, 15)]
    assert ids(queue_order(tickets, rule=FairnessRule(), now=T0 + timedelta(minutes=5))) == [1, 2, 3]


def test_nobody_waiting_means_nobody_is_chosen():
    assert choose_next([], rule=FairnessRule(), now=T0) is None


def test_the_streak_counts_priority_calls_until_the_first_normal_one():
    assert priority_streak([2, 1, 0, 1]) == 2
    assert priority_streak([0, 1]) == 0


def test_rules_come_from_settings_with_safe_defaults():
    assert FairnessRule.from_settings(None).kind == FairnessKind.STRICT
    rule = FairnessRule.from_settings({"kind": "max_in_row", "max_in_row": 0})
    assert rule.max_in_row == 1
