"""Joining while a location is closed: walk-ins are refused (or admitted within the early window before
opening), staff may still let someone in and bookings still check in, and a ticket taken while closed takes
the numbers of the day of the next opening, so the next morning's line never holds a number twice."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from qserve.db import read_session, transaction
from qserve.domain.actors import Actor
from qserve.domain.errors import LocationClosed
from qserve.models import Location, Ticket, TicketNumberCounter
from qserve.services.closing import close_ended_days
from qserve.services.joining import JoinRequest, join_queues

HELSINKI = ZoneInfo("Europe/Helsinki")
WEEKDAYS = {day: [["08:00", "18:00"]] for day in ("mon", "tue", "wed", "thu", "fri")}
MONDAY, TUESDAY = date(2026, 11, 23), date(2026, 11, 24)
STAFF = Actor(kind="staff")


def at(day: date, hour: int, minute: int = 0, second: float = 0) -> datetime:
    """Return a Helsinki wall-clock moment as UTC."""
    whole = datetime(day.year, day.month, day.day, hour, minute, tzinfo=HELSINKI)
    return whole.astimezone(UTC) + timedelta(seconds=second)


def office(make, hours: dict = WEEKDAYS, **settings) -> dict:
    """Create a location open on weekdays from 08:00 to 18:00 (or `hours`) with some settings."""
    location = make.location(opening_hours=hours)
    if settings:
        with transaction() as tx:
            tx.session.get(Location, location["id"]).settings = {"phone_region": "FI"} | settings
    return location


def join(location, now, **fields):
    """Join the first service alone; return the ticket's view or the error that refused it."""
    request = JoinRequest(
        location_slug=location["slug"], service_id=location["service_ids"][0], now=now, **fields
    )
    return join_queues([request])[0]


def stored(ticket_id: int) -> Ticket:
    with read_session() as session:
        return session.get(Ticket, ticket_id)


@pytest.mark.parametrize("channel", ["remote", "kiosk"])
def test_a_walk_in_at_three_in_the_morning_is_refused_and_told_when_the_location_opens(make, channel):
    location = office(make)
    refused = join(
        location, at(MONDAY, 3), channel=channel, details={"kiosk_id": 1} if channel == "kiosk" else None
    )
    assert isinstance(refused, LocationClosed)
    assert refused.opens_at == datetime(2026, 11, 23, 8, 0, tzinfo=HELSINKI)
    assert refused.extra == {"opens_at": "2026-11-23T08:00:00+02:00"}
    assert refused.message.endswith(" is closed now; it opens today at 08:00")
    with read_session() as session:
        assert session.scalars(select(Ticket).where(Ticket.location_id == location["id"])).all() == []
        assert session.scalars(select(TicketNumberCounter)).all() == []  # no number was spent


def test_a_location_without_opening_hours_is_always_open(make):
    location = make.location()
    assert join(location, at(MONDAY, 3))["number"] == "A001"


def test_walk_ins_join_within_the_early_window_before_opening_and_not_before_it(make):
    location = office(make, join_before_opening_s=15 * 60)
    assert isinstance(join(location, at(MONDAY, 7, 44)), LocationClosed)
    early = join(location, at(MONDAY, 7, 45))
    assert early["number"] == "A001" and stored(early["id"]).service_day == MONDAY
    assert join(location, at(MONDAY, 8, 1))["number"] == "A002"
    assert isinstance(join(location, at(MONDAY, 18, 0)), LocationClosed)  # closing time is closed


def test_an_early_join_across_midnight_takes_the_numbers_of_the_day_it_opens(make):
    every_day = {day: [["00:30", "12:00"]] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
    location = office(make, every_day, join_before_opening_s=45 * 60)
    assert join(location, at(MONDAY, 11))["number"] == "A001"
    early = join(location, at(MONDAY, 23, 50))
    assert early["number"] == "A001" and stored(early["id"]).service_day == TUESDAY
    assert join(location, at(TUESDAY, 0, 40))["number"] == "A002"


def test_one_batch_across_the_opening_moment_refuses_the_join_before_it_and_admits_the_one_after(make):
    """The batch reads the location's hours once; a join its span no longer holds reads them again."""
    location = office(make)
    service_id = location["service_ids"][0]
    requests = [
        JoinRequest(location_slug=location["slug"], service_id=service_id, now=at(MONDAY, 7, 59, 59.9)),
        JoinRequest(location_slug=location["slug"], service_id=service_id, now=at(MONDAY, 8, 0, 0.1)),
        JoinRequest(location_slug=location["slug"], service_id=service_id, now=at(MONDAY, 7, 59, 59.95)),
    ]
    before, after, also_before = join_queues(requests)
    assert isinstance(before, LocationClosed) and isinstance(also_before, LocationClosed)
    assert after["number"] == "A001"


def test_staff_issue_after_hours_and_the_ticket_takes_the_next_mornings_first_number(make):
    location = office(make)
    for minute in range(3):
        join(location, at(MONDAY, 10, minute))  # A001 to A003 of Monday, left in line at closing
    refused = join(location, at(MONDAY, 20, 30), channel="staff")  # claiming to be staff is not enough
    assert isinstance(refused, LocationClosed) and "opens tomorrow at 08:00" in refused.message
    evening = join(location, at(MONDAY, 20, 30), channel="staff", actor=STAFF)
    assert evening["number"] == "A001" and stored(evening["id"]).service_day == TUESDAY

    assert close_ended_days(at(MONDAY, 21)) == 3  # Monday's line is closed; the evening ticket stays
    assert close_ended_days(at(TUESDAY, 7)) == 0
    assert stored(evening["id"]).status == "waiting"

    morning = join(location, at(TUESDAY, 8, 5))
    assert morning["number"] == "A002" and morning["position"] == 2
    with read_session() as session:
        line = session.scalars(
            select(Ticket.number).where(Ticket.location_id == location["id"], Ticket.status == "waiting")
        ).all()
    assert sorted(line) == ["A001", "A002"]


def test_a_friday_evening_ticket_waits_for_mondays_numbers(make):
    location = office(make)
    friday = date(2026, 11, 27)
    evening = join(location, at(friday, 20, 30), channel="staff", actor=STAFF)
    assert stored(evening["id"]).service_day == date(2026, 11, 30)
    assert close_ended_days(at(date(2026, 11, 28), 12)) == 0


def test_a_booking_checks_in_before_opening_and_its_ticket_belongs_to_that_day(make):
    from qserve.appointments.services import check_in
    from tests.integration.appointments.helpers import booked, make_bookable, slot_times

    location = make_bookable(make, mode="hybrid")
    first = slot_times(location, day=TUESDAY)[0]  # a few minutes past eight
    assert at(TUESDAY, 8) <= first < at(TUESDAY, 8, 30)
    code = booked(location, first, name="Aino")
    assert isinstance(join(location, at(TUESDAY, 7, 30)), LocationClosed)  # a walk-in at the same moment
    ticket = stored(check_in(code=code, now=at(TUESDAY, 7, 30)))
    assert (ticket.channel, ticket.service_day, ticket.number) == ("appointment", TUESDAY, "A001")


def test_a_night_opening_numbers_on_past_midnight_and_starts_again_the_next_evening(make):
    nights = {
        day: [["00:00", "02:00"], ["20:00", "24:00"]]
        for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
    }
    location = office(make, nights)
    evening = join(location, at(MONDAY, 23, 50))
    after_midnight = join(location, at(TUESDAY, 0, 10))
    assert (evening["number"], after_midnight["number"]) == ("A001", "A002")  # not a second A001 in line
    assert stored(after_midnight["id"]).service_day == MONDAY
    next_evening = join(location, at(TUESDAY, 20, 5))
    assert next_evening["number"] == "A001" and stored(next_evening["id"]).service_day == TUESDAY


def test_round_the_clock_numbers_start_again_each_calendar_day(make):
    always = {day: [["00:00", "24:00"]] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
    location = office(make, always)
    assert join(location, at(MONDAY, 23, 59))["number"] == "A001"
    late = join(location, at(TUESDAY, 0, 1))
    assert late["number"] == "A001" and stored(late["id"]).service_day == TUESDAY
