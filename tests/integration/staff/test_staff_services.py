"""The staff package's use cases on a real database (SQLite, and PostgreSQL when reachable)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from qserve.db import read_session
from qserve.domain.errors import Conflict, Forbidden, ValidationFailed
from qserve.models import Location, Ticket, TicketEvent
from qserve.services import calling
from qserve.staff.services import call_back_parked, recent_calls, update_notes


@pytest.fixture
def desk(make, clock):
    """Return a location, a staff member working there and three waiting tickets."""
    location = make.location(services=2, counters=2)
    user = make.user(organization_id=location["organization_id"], location_ids=[location["id"]])
    tickets = [make.ticket(location=location, now=clock.advance(seconds=10)) for _ in range(3)]
    return {"location": location, "actor": user["actor"], "tickets": tickets}


def _ticket(ticket_id: int) -> Ticket:
    with read_session() as session:
        return session.get(Ticket, ticket_id)


def _actions(ticket_id: int) -> list[str]:
    with read_session() as session:
        return [
            e.action
            for e in session.query(TicketEvent).filter_by(ticket_id=ticket_id).order_by(TicketEvent.id)
        ]


def _calls(location: dict, now) -> list[str]:
    with read_session() as session:
        place = session.get(Location, location["id"])
        return [call["number"] for call in recent_calls(session, location=place, now=now)]


def test_notes_are_saved_trimmed(desk):
    ticket_id = desk["tickets"][0]
    update_notes(ticket_id=ticket_id, notes="  Bring the signed form.  ", actor=desk["actor"])
    assert _ticket(ticket_id).notes == "Bring the signed form."


def test_notes_longer_than_the_column_are_refused(desk):
    with pytest.raises(ValidationFailed) as error:
        update_notes(ticket_id=desk["tickets"][0], notes="x" * 2001, actor=desk["actor"])
    assert error.value.field == "notes"


def test_staff_of_another_location_cannot_write_notes(desk, make):
    elsewhere = make.location()
    stranger = make.user(organization_id=desk["location"]["organization_id"], location_ids=[elsewhere["id"]])
    with pytest.raises(Forbidden):
        update_notes(ticket_id=desk["tickets"][0], notes="hello", actor=stranger["actor"])


def test_a_parked_ticket_is_called_back_to_the_counter_in_one_step(desk, clock):
    counter_id = desk["location"]["counter_ids"][0]
    ticket_id = calling.call_next(counter_id=counter_id, actor=desk["actor"], now=clock.advance(seconds=5))
    calling.act_on_ticket(
        ticket_id=ticket_id, action="park", actor=desk["actor"], now=clock.advance(seconds=5)
    )
    call_back_parked(
        ticket_id=ticket_id, counter_id=counter_id, actor=desk["actor"], now=clock.advance(seconds=60)
    )
    ticket = _ticket(ticket_id)
    assert (ticket.status, ticket.counter_id, ticket.called_at) == ("called", counter_id, clock.now)
    assert _actions(ticket_id) == ["issue", "call", "park", "resume", "call"]


def test_calling_back_waits_until_the_counter_is_free(desk, clock):
    counter_id = desk["location"]["counter_ids"][0]
    first = calling.call_next(counter_id=counter_id, actor=desk["actor"], now=clock.advance(seconds=5))
    calling.act_on_ticket(ticket_id=first, action="park", actor=desk["actor"], now=clock.advance(seconds=5))
    calling.call_next(counter_id=counter_id, actor=desk["actor"], now=clock.advance(seconds=5))
    with pytest.raises(Conflict, match="finish or park A002 first"):
        call_back_parked(ticket_id=first, counter_id=counter_id, actor=desk["actor"], now=clock.now)
    assert _ticket(first).status == "parked"


def test_only_a_parked_ticket_can_be_called_back(desk, clock):
    with pytest.raises(Conflict, match="no longer on hold"):
        call_back_parked(
            ticket_id=desk["tickets"][0],
            counter_id=desk["location"]["counter_ids"][0],
            actor=desk["actor"],
            now=clock.now,
        )


def test_recent_calls_are_distinct_tickets_newest_first(desk, clock):
    counters = desk["location"]["counter_ids"]
    first = calling.call_next(counter_id=counters[0], actor=desk["actor"], now=clock.advance(seconds=5))
    calling.call_next(counter_id=counters[1], actor=desk["actor"], now=clock.advance(seconds=5))
    calling.act_on_ticket(ticket_id=first, action="recall", actor=desk["actor"], now=clock.advance(seconds=5))
    assert _calls(desk["location"], clock.now) == ["A001", "A002"]


def test_an_undone_call_leaves_the_display(desk, clock):
    counter_id = desk["location"]["counter_ids"][0]
    calling.call_next(counter_id=counter_id, actor=desk["actor"], now=clock.advance(seconds=5))
    second = calling.call_next(counter_id=counter_id, actor=desk["actor"], now=clock.advance(seconds=5))
    calling.act_on_ticket(
        ticket_id=second, action="requeue", actor=desk["actor"], now=clock.advance(seconds=2)
    )
    assert _calls(desk["location"], clock.now) == ["A001"]


def test_yesterdays_calls_are_not_shown(desk, clock):
    calling.call_next(counter_id=desk["location"]["counter_ids"][0], actor=desk["actor"], now=clock.now)
    assert _calls(desk["location"], clock.now + timedelta(days=1)) == []
