"""A walk-in's wait in hybrid mode counts the booked customers who will be called ahead of it at their slots,
though they have not checked in yet, each by the location's share of bookings kept on time."""

from __future__ import annotations

from datetime import timedelta

import pytest

from qserve.appointments.services import check_in, expire_no_shows
from qserve.db import read_session
from qserve.predict.bookings import PRIOR_KEPT, PRIOR_WEIGHT, kept_share
from qserve.services.counters import open_counter
from tests.integration.appointments.helpers import MONDAY_MORNING, booked
from tests.integration.appointments.test_appointment_wait import (
    DURATION_S,
    hybrid,
    refreshed_view_of,
    slot_at,
    view_of,
)


@pytest.fixture(autouse=True)
def no_refresh_after_commit(app, monkeypatch):
    """The refresh after each commit reads the wall clock, not the test's."""
    monkeypatch.setattr(app.extensions["qserve.publisher"], "flush", lambda: None)


def open_branch(make):
    """A hybrid location whose one counter is open: its staff call walk-ins and bookings alike."""
    location = hybrid(make)
    staff = make.user(organization_id=location["organization_id"], location_ids=[location["id"]])
    open_counter(counter_id=location["counter_ids"][0], actor=staff["actor"], now=MONDAY_MORNING)
    return location


def walk_in_wait(make, location, *, now) -> int:

    return view_of(make.ticket(location=location, now=now), now=now)["estimated_wait"]["p50_s"]


def test_a_walk_in_also_waits_for_the_bookings_due_before_its_turn(make):
    quiet, busy = open_branch(make), open_branch(make)
    for location in (quiet, busy):
        for minute in (1, 2, 3):
            make.ticket(location=location, now=MONDAY_MORNING + timedelta(minutes=minute))
    for index in (0, 1):  # 09:05 and 09:10, while the three walk-ins ahead are served
        booked(busy, slot_at(busy, index))
    booked(busy, slot_at(busy, 0) + timedelta(hours=5))  # long after this walk-in's turn
    now = MONDAY_MORNING + timedelta(minutes=4)

    alone, behind_bookings = walk_in_wait(make, quiet, now=now), walk_in_wait(make, busy, now=now)

    assert behind_bookings - alone == pytest.approx(2 * DURATION_S * PRIOR_KEPT, rel=0.3)


def test_a_booking_checked_in_is_counted_once(make):
    location = open_branch(make)
    make.ticket(location=location, now=MONDAY_MORNING + timedelta(minutes=1))
    code = booked(location, slot_at(location, 0))
    now = MONDAY_MORNING + timedelta(minutes=2)
    walk_in = make.ticket(location=location, now=now)
    expected = refreshed_view_of(location, walk_in, now=now)["estimated_wait"]["p50_s"]

    check_in(code=code, now=now, channel="phone")  # from likely to sure: no second place ahead
    arrived = refreshed_view_of(location, walk_in, now=now)["estimated_wait"]["p50_s"]
    assert 0 <= arrived - expected <= DURATION_S * (1 - PRIOR_KEPT) + 60


def test_a_booking_whose_grace_ran_out_no_longer_counts(make):
    quiet, busy = open_branch(make), open_branch(make)
    slot = slot_at(busy, 0)
    booked(busy, slot)
    now = slot + timedelta(minutes=11)  # the default grace is 10 minutes: a later arrival joins at the back
    for location in (quiet, busy):
        for second in (1, 2, 3):
            make.ticket(location=location, now=now - timedelta(seconds=second))
    assert walk_in_wait(make, busy, now=now) == pytest.approx(walk_in_wait(make, quiet, now=now), rel=0.05)


def test_the_share_of_bookings_kept_is_learned_from_the_locations_recent_bookings(make):
    location = open_branch(make)
    slots = [slot_at(location, index) for index in range(4)]
    codes = [booked(location, slot) for slot in slots]
    for code, slot in zip(codes[:2], slots, strict=False):
        check_in(code=code, now=slot - timedelta(minutes=5), channel="phone")
    expire_no_shows(now=slots[-1] + timedelta(hours=2))
    with read_session() as session:
        before = kept_share(session, location["id"], slots[0] - timedelta(minutes=1))
        share = kept_share(session, location["id"], slots[-1] + timedelta(hours=2))
    assert before == PRIOR_KEPT
    assert share == pytest.approx((2 + PRIOR_KEPT * PRIOR_WEIGHT) / (4 + PRIOR_WEIGHT))


def test_the_share_of_bookings_kept_is_read_once_in_ten_minutes_not_at_every_refresh(make, monkeypatch):
    from qserve.models import Location
    from qserve.predict import bookings

    location = open_branch(make)
    booked(location, slot_at(location, 2))
    reads = []
    real = bookings.kept_share
    monkeypatch.setattr(bookings, "kept_share", lambda *args: reads.append(args[2]) or real(*args))
    with read_session() as session:
        place = session.get(Location, location["id"])
        for minutes in (0, 1, 9, 11):
            bookings.expected_bookings(session, place, MONDAY_MORNING + timedelta(minutes=minutes))
    assert reads == [MONDAY_MORNING, MONDAY_MORNING + timedelta(minutes=11)]
