"""A wait announced before a location opens counts from the opening: nobody is called before the doors open,
so an early joiner, a ticket staff let in after hours and the service lists of the early window all say so,
and the live refresh keeps saying so until the doors open."""

from __future__ import annotations

from datetime import timedelta

from qserve.db import read_session
from qserve.models import Location
from qserve.services.locations import services_with_waits
from qserve.services.refresh import refresh_location
from tests.integration.test_joining_while_closed import MONDAY, STAFF, at, join, office

OPENING = at(MONDAY, 8)


def test_an_early_joiner_is_told_a_wait_that_starts_when_the_doors_open(make):
    location = office(make, join_before_opening_s=30 * 60)
    early = join(location, at(MONDAY, 7, 45))
    wait = early["estimated_wait"]
    assert wait["p10_s"] >= 15 * 60  # a quarter of an hour until 08:00, then the line
    assert early["expected_call_at"] >= OPENING.isoformat()
    after = join(location, at(MONDAY, 8, 30))
    assert after["estimated_wait"]["p10_s"] < 15 * 60  # once open, no shift: the line alone


def test_staff_letting_someone_in_after_hours_announce_a_wait_from_the_next_opening(make):
    location = office(make)
    late = join(location, at(MONDAY, 20, 30), channel="staff", actor=STAFF)
    assert late["estimated_wait"]["p10_s"] >= 11.5 * 3600  # 20:30 until 08:00 on Tuesday


def test_the_service_lists_of_the_early_window_count_from_the_opening(make):
    location = office(make, join_before_opening_s=30 * 60)
    with read_session() as session:
        place = session.get(Location, location["id"])
        early = services_with_waits(session, place, language="en", now=at(MONDAY, 7, 40))
        open_now = services_with_waits(session, place, language="en", now=at(MONDAY, 9))
    assert all(service["estimated_wait"]["p10_s"] >= 20 * 60 for service in early)
    assert all(service["estimated_wait"]["p10_s"] < 20 * 60 for service in open_now)


def test_the_live_refresh_keeps_the_wait_counting_from_the_opening_until_the_doors_open(make):
    location = office(make, join_before_opening_s=30 * 60)
    early = join(location, at(MONDAY, 7, 40))
    token = early["token"]
    before = refresh_location(location_id=location["id"], now=at(MONDAY, 7, 50), tokens={token})
    (view,) = before["tickets"]
    assert view["estimated_wait"]["p10_s"] >= 10 * 60
    opened = refresh_location(location_id=location["id"], now=OPENING + timedelta(minutes=1), tokens={token})
    (view,) = opened["tickets"]
    assert view["estimated_wait"]["p10_s"] < 10 * 60
