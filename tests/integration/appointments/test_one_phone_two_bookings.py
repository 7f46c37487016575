"""A customer's bookings under one phone number each check in; the one-ticket-per-phone rule holds joins."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from qserve.appointments.services import book_appointment, check_in, get_appointment
from qserve.db import read_session
from qserve.domain.errors import Conflict
from qserve.models import Ticket
from qserve.services.admission import JoinRequest
from qserve.services.joining import join_queues
from tests.integration.appointments.helpers import MONDAY_MORNING, make_bookable, slot_times

PHONE = "+358401234567"
DAY = date(2026, 11, 23)


def book(location, starts_at, *, service_index=0, phone=PHONE) -> str:
    return book_appointment(
        location_slug=location["slug"],
        service_id=location["service_ids"][service_index],
        starts_at=starts_at,
        now=MONDAY_MORNING,
        name="Aino",
        phone=phone,
    )["code"]


def phone_of(ticket_id):
    with read_session() as session:
        return session.get(Ticket, ticket_id).phone


def test_the_second_booking_of_one_phone_checks_in_while_the_first_ones_ticket_waits(make):
    location = make_bookable(make)
    slots = slot_times(location)
    first, second = slots[0], slots[12]  # an hour apart: the first still waits when the second checks in
    first_code, second_code = book(location, first), book(location, second)

    first_ticket = check_in(code=first_code, now=first - timedelta(minutes=5))
    second_ticket = check_in(code=second_code, now=first + timedelta(minutes=1), channel="phone")

    assert first_ticket != second_ticket
    assert phone_of(first_ticket) == phone_of(second_ticket) == PHONE
    assert [get_appointment(code=c)["status"] for c in (first_code, second_code)] == ["checked_in"] * 2


def test_bookings_of_one_phone_for_two_services_both_check_in_at_once(make):
    location = make_bookable(make, counters=2)
    slot = slot_times(location, 0)[0]
    codes = [book(location, slot, service_index=0), book(location, slot, service_index=1)]

    tickets = [check_in(code=code, now=slot) for code in codes]

    assert len(set(tickets)) == 2


def test_a_walk_in_ticket_of_the_same_phone_does_not_stop_a_booking_checking_in(make):
    location = make_bookable(make, mode="hybrid", settings={"appointments": {"hybrid_share": 0.5}})
    slot = slot_times(location)[0]
    code = book(location, slot)
    walk_in = make.ticket(location=location, now=slot - timedelta(minutes=20), phone=PHONE)

    assert check_in(code=code, now=slot) != walk_in


def test_a_walk_in_join_with_the_phone_of_a_checked_in_booking_is_still_refused(make):
    location = make_bookable(make, mode="hybrid", settings={"appointments": {"hybrid_share": 0.5}})
    slot = slot_times(location)[0]
    check_in(code=book(location, slot), now=slot - timedelta(minutes=5))

    with pytest.raises(Conflict) as refused:
        make.ticket(location=location, now=slot - timedelta(minutes=4), phone="040 123 4567")
    assert refused.value.field == "phone"


def test_a_join_that_only_claims_to_be_a_check_in_is_held_to_the_phone_rule(make):
    location = make_bookable(make, mode="hybrid", settings={"appointments": {"hybrid_share": 0.5}})
    make.ticket(location=location, now=MONDAY_MORNING, phone=PHONE)
    claimed = JoinRequest(
        location_slug=location["slug"],
        service_id=location["service_ids"][0],
        now=MONDAY_MORNING + timedelta(minutes=1),
        channel="appointment",  # with no booking named: an ordinary join
        phone=PHONE,
    )

    (outcome,) = join_queues([claimed])

    assert isinstance(outcome, Conflict) and outcome.field == "phone"
