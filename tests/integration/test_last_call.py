"""The last call: a location may stop taking walk-ins a while before it closes, so that those in line can
still be served. Walk-ins are refused then and told when they may join again; staff and bookings are not."""

from __future__ import annotations

from datetime import datetime

from qserve.domain.errors import LocationClosed
from tests.integration.test_joining_while_closed import HELSINKI, MONDAY, STAFF, TUESDAY, at, join, office

LUNCH = {day: [["08:00", "12:00"], ["13:00", "16:00"]] for day in ("mon", "tue", "wed", "thu", "fri")}


def test_walk_ins_stop_at_the_last_call_and_are_told_when_they_may_join_again(make):
    location = office(make, stop_joining_before_closing_s=30 * 60)  # open 08:00-18:00, last call 17:30
    assert join(location, at(MONDAY, 17, 29))["number"] == "A001"
    refused = join(location, at(MONDAY, 17, 30))
    assert isinstance(refused, LocationClosed) and refused.code == "location_closed"
    assert refused.message.endswith(" takes no more walk-ins now; it opens tomorrow at 08:00")
    assert refused.opens_at == datetime(2026, 11, 24, 8, 0, tzinfo=HELSINKI)
    assert refused.extra == {"opens_at": "2026-11-24T08:00:00+02:00"}
    assert join(location, at(MONDAY, 17, 45), channel="staff", actor=STAFF)["number"] == "A002"
    assert join(location, at(TUESDAY, 8))["number"] == "A001"  # the next morning, walk-ins again


def test_before_a_lunch_break_the_last_call_says_the_afternoon(make):
    location = office(make, LUNCH, stop_joining_before_closing_s=15 * 60)
    refused = join(location, at(MONDAY, 11, 50))
    assert isinstance(refused, LocationClosed)
    assert refused.message.endswith(" takes no more walk-ins now; it opens today at 13:00")
    assert join(location, at(MONDAY, 13, 0))["number"] == "A001"


def test_without_the_setting_walk_ins_join_until_closing(make):
    location = office(make)
    assert join(location, at(MONDAY, 17, 59))["number"] == "A001"
