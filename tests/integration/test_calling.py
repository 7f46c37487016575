"""Staff actions: call next under the rules, recall, start, finish, no-show, park, transfer, cancel."""

import pytest
from sqlalchemy import select

from qserve.db import read_session, transaction
from qserve.domain.errors import Conflict, Forbidden, InvalidTransition, ValidationFailed
from qserve.models import Location, Ticket, TicketEvent
from qserve.services.calling import act_on_ticket, call_next, call_ticket


def load(ticket_id):
    with read_session() as session:
        return session.get(Ticket, ticket_id)


@pytest.fixture
def desk(make):
    location = make.location()
    staff = make.user(organization_id=location["organization_id"], location_ids=[location["id"]])
    return location, staff["actor"], location["counter_ids"][0]


def test_call_next_takes_the_first_come_and_opens_the_counter(make, clock, desk):
    location, actor, counter = desk
    first = make.ticket(location=location, now=clock.advance(seconds=1))
    make.ticket(location=location, now=clock.advance(seconds=1))
    called = call_next(counter_id=counter, actor=actor, now=clock.advance(seconds=1))
    ticket = load(called)
    assert called == first
    assert (ticket.status, ticket.counter_id, ticket.served_by_id, ticket.called_at) == (
        "called",
        counter,
        actor.user_id,
        clock(),
    )
    assert ticket.counter.is_open and ticket.counter.staff_id == actor.user_id


def test_call_next_returns_none_when_nobody_waits(desk, clock):
    _location, actor, counter = desk
    assert call_next(counter_id=counter, actor=actor, now=clock()) is None


def test_calling_next_finishes_the_customer_still_at_the_counter(make, clock, desk):
    location, actor, counter = desk
    first = make.ticket(location=location, now=clock())
    make.ticket(location=location, now=clock())
    call_next(counter_id=counter, actor=actor, now=clock.advance(seconds=5))
    call_next(counter_id=counter, actor=actor, now=clock.advance(seconds=5))
    assert load(first).status == "done"


def test_max_in_row_fairness_lets_a_normal_ticket_through(make, clock, desk):
    location, actor, counter = desk
    with transaction() as tx:
        tx.session.get(Location, location["id"]).fairness = {"kind": "max_in_row", "max_in_row": 2}
    normal = make.ticket(location=location, now=clock.advance(seconds=1))
    urgent = [make.ticket(location=location, now=clock.advance(seconds=1), priority=1) for _ in range(3)]
    order = [call_next(counter_id=counter, actor=actor, now=clock.advance(seconds=1)) for _ in range(4)]
    assert order == [urgent[0], urgent[1], normal, urgent[2]]


def test_the_whole_visit_is_logged_with_who_when_and_where(make, clock, desk):
    location, actor, counter = desk
    ticket_id = make.ticket(location=location, now=clock())
    call_next(counter_id=counter, actor=actor, now=clock.advance(minutes=3))
    act_on_ticket(ticket_id=ticket_id, action="recall", actor=actor, now=clock.advance(seconds=30))
    act_on_ticket(ticket_id=ticket_id, action="start", actor=actor, now=clock.advance(seconds=30))
    act_on_ticket(ticket_id=ticket_id, action="finish", actor=actor, now=clock.advance(minutes=5))
    ticket = load(ticket_id)
    assert (ticket.status, ticket.recall_count) == ("done", 1)
    with read_session() as session:
        log = session.scalars(
            select(TicketEvent).where(TicketEvent.ticket_id == ticket_id).order_by(TicketEvent.id)
        ).all()
    assert [(e.action, e.to_status) for e in log] == [
        ("issue", "waiting"),
        ("call", "called"),
        ("recall", "called"),
        ("start", "serving"),
        ("finish", "done"),
    ]
    assert all(e.counter_id == counter and e.actor_user_id == actor.user_id for e in log[1:])


def test_no_show_waits_for_the_grace_time_and_can_be_reactivated(make, clock, desk):
    location, actor, counter = desk
    with transaction() as tx:
        tx.session.get(Location, location["id"]).settings = {"no_show_grace_s": 60}
    ticket_id = make.ticket(location=location, now=clock())
    call_next(counter_id=counter, actor=actor, now=clock())
    with pytest.raises(Conflict):
        act_on_ticket(ticket_id=ticket_id, action="no-show", actor=actor, now=clock.advance(seconds=30))
    act_on_ticket(ticket_id=ticket_id, action="no-show", actor=actor, now=clock.advance(seconds=31))
    assert load(ticket_id).status == "no_show"
    act_on_ticket(ticket_id=ticket_id, action="reactivate", actor=actor, now=clock.advance(seconds=60))
    assert load(ticket_id).status == "waiting"
    assert call_next(counter_id=counter, actor=actor, now=clock()) == ticket_id


def test_park_and_resume_keep_the_original_place(make, clock, desk):
    location, actor, counter = desk
    first = make.ticket(location=location, now=clock.advance(seconds=1))
    second = make.ticket(location=location, now=clock.advance(seconds=1))
    call_next(counter_id=counter, actor=actor, now=clock.advance(seconds=1))
    act_on_ticket(
        ticket_id=first, action="park", actor=actor, now=clock.advance(seconds=1), reason="fetching ID"
    )
    assert load(first).status == "parked"
    act_on_ticket(ticket_id=first, action="resume", actor=actor, now=clock.advance(seconds=1))
    assert call_next(counter_id=counter, actor=actor, now=clock.advance(seconds=1)) == first
    assert load(second).status == "waiting"


@pytest.mark.parametrize(("keep_place", "expected_first"), [(True, "transferred"), (False, "other")])
def test_transfer_keeps_the_place_or_goes_to_the_back(make, clock, desk, keep_place, expected_first):
    location, actor, counter = desk
    transferred = make.ticket(location=location, now=clock.advance(seconds=1))
    other = make.ticket(location=location, service_index=1, now=clock.advance(seconds=1))
    call_next(counter_id=counter, actor=actor, now=clock.advance(seconds=1))
    act_on_ticket(
        ticket_id=transferred,
        action="transfer",
        actor=actor,
        now=clock.advance(seconds=1),
        service_id=location["service_ids"][1],
        keep_place=keep_place,
    )
    ticket = load(transferred)
    assert (ticket.status, ticket.service_id, ticket.number) == (
        "waiting",
        location["service_ids"][1],
        "A001",
    )
    expected = {"transferred": transferred, "other": other}[expected_first]
    assert call_next(counter_id=counter, actor=actor, now=clock.advance(seconds=1)) == expected


def test_staff_cancel_needs_a_reason_and_records_who(make, clock, desk):
    location, actor, _counter = desk
    ticket_id = make.ticket(location=location, now=clock())
    with pytest.raises(ValidationFailed):
        act_on_ticket(ticket_id=ticket_id, action="cancel", actor=actor, now=clock())
    act_on_ticket(ticket_id=ticket_id, action="cancel", actor=actor, now=clock(), reason="left the building")
    ticket = load(ticket_id)
    assert (ticket.cancelled_by, ticket.cancel_reason) == (f"staff:{actor.user_id}", "left the building")


def test_calling_a_ticket_out_of_order_records_the_reason(make, clock, desk):
    location, actor, counter = desk
    make.ticket(location=location, now=clock.advance(seconds=1))
    later = make.ticket(location=location, now=clock.advance(seconds=1))
    call_ticket(ticket_id=later, counter_id=counter, actor=actor, now=clock(), reason="wheelchair user")
    with read_session() as session:
        event = session.scalars(
            select(TicketEvent).where(TicketEvent.ticket_id == later, TicketEvent.action == "call")
        ).one()
    assert event.details == {"out_of_order": "wheelchair user"}


def test_a_transition_that_is_not_allowed_is_refused(make, clock, desk):
    location, actor, _counter = desk
    ticket_id = make.ticket(location=location, now=clock())
    with pytest.raises(InvalidTransition):
        act_on_ticket(ticket_id=ticket_id, action="finish", actor=actor, now=clock())


def test_staff_of_one_location_cannot_act_on_another_locations_tickets(make, clock, desk):
    location, _actor, _counter = desk
    elsewhere = make.location(organization_id=location["organization_id"])
    stranger = make.user(organization_id=location["organization_id"], location_ids=[elsewhere["id"]])["actor"]
    ticket_id = make.ticket(location=location, now=clock())
    with pytest.raises(Forbidden):
        act_on_ticket(ticket_id=ticket_id, action="cancel", actor=stranger, now=clock(), reason="x")
    with pytest.raises(Forbidden):
        call_next(counter_id=location["counter_ids"][0], actor=stranger, now=clock())
