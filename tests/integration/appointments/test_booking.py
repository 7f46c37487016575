"""Booking, moving and cancelling slots, with capacity that holds under races, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from datetime import date, datetime, timedelta

import pytest

from qserve.appointments.reports import appointment_counts
from qserve.appointments.services import (
    book_appointment,
    cancel_appointment,
    get_appointment,
    list_slots,
    reschedule_appointment,
)
from qserve.domain.errors import Conflict, ValidationFailed
from tests.integration.appointments.helpers import MONDAY_MORNING, make_bookable

DAY = date(2026, 11, 23)


def first_slot(location, now=MONDAY_MORNING, service_index=0):
    slots = list_slots(
        location_slug=location["slug"], service_id=location["service_ids"][service_index], day=DAY, now=now
    )
    return slots[0]


def book(location, starts_at, now=MONDAY_MORNING, service_index=0, **contact):
    return book_appointment(
        location_slug=location["slug"],
        service_id=location["service_ids"][service_index],
        starts_at=starts_at,
        now=now,
        **contact,
    )


def at(slot):
    return datetime.fromisoformat(slot["starts_at"])


def test_slots_start_after_now_in_the_locations_own_time(make):
    location = make_bookable(make)
    slot = first_slot(location)
    assert at(slot) == MONDAY_MORNING + timedelta(minutes=5)  # 09:05 in Helsinki; 09:00 has begun
    assert (slot["capacity"], slot["available"]) == (1, 1)


def test_a_booking_takes_its_place_and_a_cancellation_gives_it_back(make):
    location = make_bookable(make)
    slot = first_slot(location)
    booking = book(location, at(slot), name="Aino", phone="+358401234567", language="fi")
    assert booking["status"] == "booked" and len(booking["code"]) == 9
    assert first_slot(location)["available"] == 0
    with pytest.raises(Conflict):
        book(location, at(slot))
    cancel_appointment(code=booking["code"], now=MONDAY_MORNING)
    assert get_appointment(code=booking["code"])["status"] == "cancelled"
    assert book(location, at(slot))["status"] == "booked"


def test_only_generated_future_slots_can_be_booked(make):
    location = make_bookable(make)
    with pytest.raises(ValidationFailed) as not_a_slot:
        book(location, MONDAY_MORNING + timedelta(minutes=7))
    with pytest.raises(ValidationFailed):
        book(location, MONDAY_MORNING - timedelta(minutes=5))
    assert not_a_slot.value.field == "starts_at"


def test_a_queue_only_location_offers_no_slots(make):
    location = make_bookable(make, mode="queue")
    assert (
        list_slots(
            location_slug=location["slug"], service_id=location["service_ids"][0], day=DAY, now=MONDAY_MORNING
        )
        == []
    )


def test_rescheduling_moves_the_place_and_keeps_the_code(make):
    location = make_bookable(make)
    slots = list_slots(
        location_slug=location["slug"], service_id=location["service_ids"][0], day=DAY, now=MONDAY_MORNING
    )
    booking = book(location, at(slots[0]))
    moved = reschedule_appointment(code=booking["code"].lower(), starts_at=at(slots[3]), now=MONDAY_MORNING)
    assert (moved["code"], moved["starts_at"]) == (booking["code"], slots[3]["starts_at"])
    assert book(location, at(slots[0]))["status"] == "booked"  # the old place is free again
    with pytest.raises(Conflict):
        book(location, at(slots[3]))


def test_managers_count_bookings_by_status(make):
    location = make_bookable(make, counters=2)
    slot = at(first_slot(location))
    kept, dropped = book(location, slot), book(location, slot)
    cancel_appointment(code=dropped["code"], now=MONDAY_MORNING)
    counts = appointment_counts(location_slug=location["slug"], day=DAY)
    assert counts == {"booked": 1, "checked_in": 0, "cancelled": 1, "no_show": 0}
    assert kept["status"] == "booked"


def race(app, attempts):
    """Run the attempts at the same moment on their own threads; return what each got."""
    barrier = threading.Barrier(len(attempts))
    results: list = [None] * len(attempts)

    def run(index, attempt):
        with app.app_context():
            barrier.wait()
            try:
                results[index] = attempt()
            except Conflict as error:
                results[index] = error

    threads = [threading.Thread(target=run, args=(i, a)) for i, a in enumerate(attempts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_two_customers_booking_the_last_place_at_once_exactly_one_gets_it(app, make):
    location = make_bookable(make, counters=2)
    slots = list_slots(
        location_slug=location["slug"], service_id=location["service_ids"][0], day=DAY, now=MONDAY_MORNING
    )
    for slot in slots[:5]:
        book(location, at(slot))  # one of the two places already taken: one is left
        results = race(app, [lambda s=slot: book(location, at(s)) for _ in range(2)])
        won = [r for r in results if isinstance(r, dict)]
        assert len(won) == 1, results
        assert sum(isinstance(r, Conflict) for r in results) == 1


def test_eight_customers_racing_for_two_places_leave_exactly_two_bookings(app, make):
    location = make_bookable(make, counters=2)
    slot = at(first_slot(location))
    results = race(app, [lambda: book(location, slot) for _ in range(8)])
    assert sum(isinstance(r, dict) for r in results) == 2
    assert first_slot(location)["available"] == 0


def test_the_on_site_cap_holds_across_services_under_a_race(app, make):
    location = make_bookable(make, counters=2, settings={"appointments": {"on_site_cap": 1}})
    slot = at(first_slot(location))
    results = race(app, [lambda i=i: book(location, slot, service_index=i % 2) for i in range(4)])
    assert sum(isinstance(r, dict) for r in results) == 1


def test_the_on_site_cap_holds_for_overlapping_slots_of_services_of_different_lengths(make):
    from qserve.db import transaction
    from qserve.models import Service

    location = make_bookable(make, counters=2, settings={"appointments": {"on_site_cap": 1}})
    with transaction() as tx:
        tx.session.get(Service, location["service_ids"][1]).default_duration_s = 600
    long_visit = MONDAY_MORNING + timedelta(minutes=10)  # 09:10-09:20 in Helsinki
    book(location, long_visit, service_index=1)
    free = {
        at(slot): slot["available"]
        for slot in list_slots(
            location_slug=location["slug"], service_id=location["service_ids"][0], day=DAY, now=MONDAY_MORNING
        )
    }
    minutes = {m: free[MONDAY_MORNING + timedelta(minutes=m)] for m in (5, 10, 15, 20)}
    assert minutes == {5: 1, 10: 0, 15: 0, 20: 1}
    with pytest.raises(Conflict):
        book(location, MONDAY_MORNING + timedelta(minutes=15))  # starts inside the long visit
    book(location, MONDAY_MORNING + timedelta(minutes=5))  # ends as the long visit starts
    book(location, MONDAY_MORNING + timedelta(minutes=20))  # starts as it ends


def test_a_booking_moved_to_an_overlapping_time_does_not_count_itself_against_the_cap(make):
    from qserve.db import transaction
    from qserve.models import Service

    location = make_bookable(make, counters=2, settings={"appointments": {"on_site_cap": 1}})
    with transaction() as tx:
        tx.session.get(Service, location["service_ids"][1]).default_duration_s = 600
    booking = book(location, MONDAY_MORNING + timedelta(minutes=10), service_index=1)
    moved = reschedule_appointment(
        code=booking["code"], starts_at=MONDAY_MORNING + timedelta(minutes=20), now=MONDAY_MORNING
    )
    assert moved["starts_at"] == (MONDAY_MORNING + timedelta(minutes=20)).isoformat()
    book(location, MONDAY_MORNING + timedelta(minutes=15))  # the old time is free again
    with pytest.raises(Conflict):
        book(location, MONDAY_MORNING + timedelta(minutes=25))


def test_overlapping_bookings_of_different_lengths_racing_for_the_cap_leave_exactly_one(app, make):
    from qserve.db import transaction
    from qserve.models import Service

    location = make_bookable(make, counters=2, settings={"appointments": {"on_site_cap": 1}})
    with transaction() as tx:
        tx.session.get(Service, location["service_ids"][1]).default_duration_s = 600
    long_visit, short_visit = MONDAY_MORNING + timedelta(minutes=10), MONDAY_MORNING + timedelta(minutes=15)
    attempts = [lambda: book(location, long_visit, service_index=1), lambda: book(location, short_visit)] * 2
    results = race(app, attempts)
    assert sum(isinstance(r, dict) for r in results) == 1, results
