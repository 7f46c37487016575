"""Calling the head of a long line reads only its head, and calls in the very order the whole line gives."""

import random
from datetime import timedelta

import pytest

from qserve.db import read_session, transaction
from qserve.domain.ordering import FairnessRule, queue_order
from qserve.models import Location, Ticket
from qserve.services import calling
from qserve.services.calling import call_next
from qserve.services.queue import head_candidates, waiting_candidates

RULES = [
    {"kind": "strict"},
    {"kind": "max_in_row", "max_in_row": 2},
    {"kind": "ageing", "credit_s": 300},
]


@pytest.fixture(params=RULES, ids=lambda rule: rule["kind"])
def mixed_line(request, make, clock):
    """A location whose two services hold 40 tickets: priorities 0-3, some bookings due, some not yet."""
    location = make.location(services=2, counters=2)
    with transaction() as tx:
        tx.session.get(Location, location["id"]).fairness = request.param
    shuffle = random.Random(7)
    start = clock()
    for index in range(40):
        booking = shuffle.random() < 0.2
        make.ticket(
            location=location,
            service_index=index % 2,
            now=clock.advance(seconds=shuffle.randint(1, 90)),
            priority=shuffle.choice([0, 0, 0, 1, 2, 3]),
            appointment_at=start + timedelta(minutes=shuffle.randint(0, 90)) if booking else None,
        )
    clock.advance(minutes=30)  # some bookings are due, some are not
    return location, FairnessRule.from_settings(request.param)


@pytest.mark.parametrize("limit", [1, 3, 8])
def test_the_head_holds_the_first_tickets_of_the_whole_order(mixed_line, clock, limit):
    location, rule = mixed_line
    services = location["service_ids"]
    with read_session() as session:
        whole = queue_order(waiting_candidates(session, service_ids=services), rule=rule, now=clock())
        head, complete = head_candidates(session, service_ids=services, now=clock(), limit=limit)
    assert not complete and len(head) < len(whole)
    assert queue_order(head, rule=rule, now=clock())[:limit] == whole[:limit]


def test_a_short_line_is_read_whole(make, clock):
    location = make.location(services=1, counters=1)
    made = [make.ticket(location=location, now=clock.advance(seconds=1)) for _ in range(3)]
    with read_session() as session:
        head, complete = head_candidates(session, service_ids=location["service_ids"], now=clock())
    assert complete and [c.ticket_id for c in head] == made


def test_calls_from_a_tiny_head_follow_the_whole_order_to_the_last_ticket(
    mixed_line, make, clock, monkeypatch
):
    location, rule = mixed_line
    monkeypatch.setattr(calling, "HEAD_SIZE", 2)  # every few calls, the head runs out and is read again
    staff = make.user(organization_id=location["organization_id"], location_ids=[location["id"]])
    counter = location["counter_ids"][0]
    called = []
    while True:
        with read_session() as session:
            moment = clock.advance(seconds=5)
            expected = queue_order(
                waiting_candidates(session, service_ids=location["service_ids"]),
                rule=rule,
                now=moment,
                priority_streak=calling.location_streak(session, location_id=location["id"]),
            )
        ticket_id = call_next(counter_id=counter, actor=staff["actor"], now=moment)
        if ticket_id is None:
            break
        assert ticket_id == expected[0].ticket_id
        called.append(ticket_id)
    with read_session() as session:
        issued = session.query(Ticket).filter(Ticket.location_id == location["id"]).count()
    assert len(called) == len(set(called)) == issued == 40
