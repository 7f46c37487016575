"""Check-in turns a booking into a ticket placed by its slot; lateness, expiry and mode switches."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from qserve.appointments.jobs import JOBS
from qserve.appointments.services import (
    cancel_appointment,
    check_in,
    check_in_ticket,
    get_appointment,
    switch_mode,
)
from qserve.db import read_session
from qserve.domain.errors import Conflict
from qserve.kiosk.checkin import check_in_at_kiosk
from qserve.models import Ticket
from qserve.services.calling import call_next
from tests.integration.appointments.helpers import MONDAY_MORNING, booked, make_bookable, slot_times
from tests.integration.kiosk.kiosk_helpers import make_kiosk

DAY = date(2026, 11, 23)


def load(ticket_id):
    with read_session() as session:
        return session.get(Ticket, ticket_id)


@pytest.fixture
def staff(make):
    def for_location(location):
        return make.user(organization_id=location["organization_id"], location_ids=[location["id"]])["actor"]

    return for_location


def test_check_in_makes_a_ticket_that_call_next_serves_first_once_due(make, staff):
    location = make_bookable(make, mode="hybrid", settings={"appointments": {"hybrid_share": 1.0}})
    actor, counter = staff(location), location["counter_ids"][0]
    slot = slot_times(location)[2]  # 09:15 local
    code = booked(location, slot, name="Aino", phone="+358401234567")
    walk_ins = [make.ticket(location=location, now=MONDAY_MORNING + timedelta(minutes=m)) for m in (1, 2)]
    ticket_id = check_in(code=code, now=slot - timedelta(minutes=5))
    ticket = load(ticket_id)
    assert (ticket.channel, ticket.appointment_at, ticket.queued_at, ticket.phone) == (
        "appointment",
        slot,
        slot,
        "+358401234567",
    )
    booking = get_appointment(code=code)
    assert (booking["status"], booking["ticket_id"]) == ("checked_in", ticket_id)
    assert (
        call_next(counter_id=counter, actor=actor, now=slot - timedelta(minutes=4)) == walk_ins[0]
    )  # not due yet
    late_walk_in = make.ticket(location=location, now=slot - timedelta(minutes=3))
    assert (
        call_next(counter_id=counter, actor=actor, now=slot + timedelta(seconds=1)) == ticket_id
    )  # due: first
    assert call_next(counter_id=counter, actor=actor, now=slot + timedelta(minutes=5)) == walk_ins[1]
    assert call_next(counter_id=counter, actor=actor, now=slot + timedelta(minutes=6)) == late_walk_in


def test_checking_in_twice_gives_the_same_ticket(make):
    location = make_bookable(make)
    slot = slot_times(location)[0]
    code = booked(location, slot)
    assert check_in(code=code, now=slot) == check_in(code=code.replace("-", "").lower(), now=slot)


def test_checking_in_at_a_kiosk_gives_the_ticket_in_the_language_chosen_there(make):
    location = make_bookable(make)
    kiosk_id = make_kiosk(location)
    at_kiosk, by_phone = slot_times(location)[:2]
    code = booked(location, at_kiosk, language="en")

    ticket_id = check_in_at_kiosk(
        location_slug=location["slug"], kiosk_id=kiosk_id, code=code, language="sv", now=at_kiosk
    )

    assert load(ticket_id).language == "sv"
    assert load(check_in(code=booked(location, by_phone, language="en"), now=by_phone)).language == "en"


def test_a_code_from_another_location_is_not_found_there(make):
    location, other = make_bookable(make), make_bookable(make)
    code = booked(location, slot_times(location)[0])
    with pytest.raises(Exception) as refused:
        check_in(code=code, now=MONDAY_MORNING, location_slug=other["slug"])
    assert refused.value.code == "booking_not_found"  # a NotFound of its own: pages say "check the code"


def test_a_cancelled_booking_at_the_kiosk_is_refused_as_not_booked_not_as_unknown(make):
    location = make_bookable(make)
    kiosk_id = make_kiosk(location)
    slot = slot_times(location)[0]
    code = booked(location, slot)
    cancel_appointment(code=code, now=MONDAY_MORNING)
    with pytest.raises(Conflict) as refused:  # the kiosk says "cancelled or missed", not "no such code"
        check_in_at_kiosk(
            location_slug=location["slug"], kiosk_id=kiosk_id, code=code, language="fi", now=slot
        )
    assert refused.value.code == "check_in_not_booked"


def test_arriving_too_early_is_refused_and_keeps_the_booking(make):
    location = make_bookable(make)
    slot = slot_times(location)[-1]
    code = booked(location, slot)
    with pytest.raises(Conflict):
        check_in(code=code, now=slot - timedelta(hours=2))
    assert get_appointment(code=code)["status"] == "booked"


def test_late_within_grace_keeps_the_slot_and_later_joins_as_a_walk_in(make):
    location = make_bookable(make, counters=2, settings={"appointments": {"grace_s": 600, "late": "walk_in"}})
    slot = slot_times(location)[0]
    on_time, late = booked(location, slot), booked(location, slot)
    kept = load(check_in(code=on_time, now=slot + timedelta(minutes=9)))
    walked = load(check_in(code=late, now=slot + timedelta(minutes=20)))
    assert kept.appointment_at == slot
    assert (walked.appointment_at, walked.queued_at) == (None, slot + timedelta(minutes=20))


def test_the_ticket_a_check_in_returns_names_the_booked_time_a_late_arrival_lost(make):
    """The view is built inside the check-in's own transaction, before it commits: it must already know
    what the booking became (its slot kept, or lost to a late arrival), and say so again when asked twice."""
    location = make_bookable(make, counters=2, settings={"appointments": {"grace_s": 600, "late": "walk_in"}})
    slot = slot_times(location)[0]
    on_time, late = booked(location, slot), booked(location, slot)
    kept = check_in_ticket(code=on_time, now=slot + timedelta(minutes=9))
    walked = check_in_ticket(code=late, now=slot + timedelta(minutes=20), channel="phone")
    assert (kept["appointment_at"], kept["late_booking_at"]) == (slot.isoformat(), None)
    assert walked["appointment_at"] is None
    assert datetime.fromisoformat(walked["late_booking_at"]) == slot
    again = check_in_ticket(code=late, now=slot + timedelta(minutes=21))
    assert (again["id"], again["late_booking_at"]) == (walked["id"], walked["late_booking_at"])


def test_late_beyond_grace_is_a_no_show_when_the_location_says_so(make):
    location = make_bookable(make, settings={"appointments": {"grace_s": 300, "late": "no_show"}})
    slot = slot_times(location)[0]
    code = booked(location, slot)
    with pytest.raises(Conflict):
        check_in(code=code, now=slot + timedelta(minutes=6))
    assert get_appointment(code=code)["status"] == "no_show"


def test_the_no_show_job_expires_bookings_that_never_checked_in(make):
    location = make_bookable(make, counters=2, settings={"appointments": {"expire_s": 1800}})
    slot = slot_times(location)[0]
    missed, arrived = booked(location, slot), booked(location, slot)
    check_in(code=arrived, now=slot)
    ((name, every_s, job),) = JOBS
    assert (name, every_s) == ("appointment-no-shows", 60)
    assert job(slot + timedelta(minutes=29)) == 0
    assert job(slot + timedelta(minutes=31)) == 1
    assert job(slot + timedelta(minutes=32)) == 0  # idempotent
    assert [get_appointment(code=c)["status"] for c in (missed, arrived)] == ["no_show", "checked_in"]


def test_switching_modes_while_customers_wait_loses_nobody(make, staff):
    location = make_bookable(make, mode="queue", counters=1)
    actor, counter = staff(location), location["counter_ids"][0]
    waiting = [make.ticket(location=location, now=MONDAY_MORNING + timedelta(seconds=s)) for s in range(3)]
    switch_mode(location_slug=location["slug"], mode="appointments")
    slot = slot_times(location)[0]
    code = booked(location, slot)
    switch_mode(location_slug=location["slug"], mode="hybrid", hybrid_share=0.5)
    switch_mode(location_slug=location["slug"], mode="queue")  # bookings made meanwhile are honoured
    appointment_ticket = check_in(code=code, now=slot - timedelta(minutes=1))
    called = []
    now = slot + timedelta(seconds=1)
    while (ticket_id := call_next(counter_id=counter, actor=actor, now=now)) is not None:
        called.append(ticket_id)
        now += timedelta(minutes=1)
    assert called == [appointment_ticket, *waiting]
    assert slot_times(location) == []  # queue mode: no new slots


def test_a_late_arrival_after_the_grace_waits_behind_the_walk_ins_already_in_line(make, staff):
    location = make_bookable(
        make,
        mode="hybrid",
        settings={"appointments": {"grace_s": 300, "late": "walk_in", "hybrid_share": 1.0}},
    )
    actor, counter = staff(location), location["counter_ids"][0]
    slot = slot_times(location)[0]
    code = booked(location, slot)
    ahead = make.ticket(location=location, now=slot + timedelta(minutes=1))
    late = check_in(code=code, now=slot + timedelta(minutes=8), channel="phone")
    assert get_appointment(code=code)["status"] == "checked_in"
    assert call_next(counter_id=counter, actor=actor, now=slot + timedelta(minutes=9)) == ahead
    assert call_next(counter_id=counter, actor=actor, now=slot + timedelta(minutes=10)) == late


def test_with_a_no_show_policy_an_arrival_within_the_grace_still_keeps_its_slot(make):
    location = make_bookable(make, settings={"appointments": {"grace_s": 300, "late": "no_show"}})
    slot = slot_times(location)[0]
    code = booked(location, slot)
    assert load(check_in(code=code, now=slot + timedelta(minutes=5))).appointment_at == slot


def test_an_early_arrival_stands_at_its_slot_time_and_an_idle_counter_serves_it_before_the_slot(make, staff):
    """Before its slot a checked-in booking stands in line at its slot time (domain.ordering): every walk-in
    already waiting came before that time and is called first, but a counter with nobody else to call serves
    it early rather than stand idle (as Qmatic's appointment queues sort by the booked time)."""
    location = make_bookable(make, mode="hybrid", settings={"appointments": {"hybrid_share": 1.0}})
    actor, counter = staff(location), location["counter_ids"][0]
    slot = slot_times(location)[6]  # half an hour ahead
    early = check_in(code=booked(location, slot), now=slot - timedelta(minutes=30))
    walk_in = make.ticket(location=location, now=slot - timedelta(minutes=25))

    assert call_next(counter_id=counter, actor=actor, now=slot - timedelta(minutes=20)) == walk_in
    assert call_next(counter_id=counter, actor=actor, now=slot - timedelta(minutes=10)) == early
