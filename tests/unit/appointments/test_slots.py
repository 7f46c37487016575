"""Slot generation, arrival policy, booking codes and calendar files: pure rules."""

from __future__ import annotations

import os
import time as systime
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from qserve.appointments.capacity import CODE_ALPHABET, display_code, new_code, normalize_code
from qserve.appointments.ics import booking_calendar
from qserve.appointments.slots import (
    ArrivalPolicy,
    SlotRules,
    arrival_outcome,
    booking_share,
    generate_slots,
    local_instant,
    windows_of,
)
from qserve.domain.errors import ValidationFailed

WEEKDAYS = {day: [["08:00", "12:00"]] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}


def rules(**overrides) -> SlotRules:
    return SlotRules(
        **(
            {"time_zone": "Europe/Helsinki", "opening_hours": WEEKDAYS, "duration_s": 1800, "counters": 2}
            | overrides
        )
    )


def local_times(slots, zone: str) -> list[str]:
    return [slot.starts_at.astimezone(ZoneInfo(zone)).strftime("%H:%M") for slot in slots]


@pytest.fixture
def server_in_another_zone(monkeypatch):
    """Run the test on a server whose own clock is set to Los Angeles."""
    monkeypatch.setenv("TZ", "America/Los_Angeles")
    systime.tzset()
    yield
    monkeypatch.delenv("TZ")
    systime.tzset()


def test_slots_follow_the_locations_zone_not_the_servers(server_in_another_zone):
    slots = generate_slots(rules(), date(2026, 11, 23))
    assert os.environ["TZ"] == "America/Los_Angeles"
    assert local_times(slots, "Europe/Helsinki") == [
        "08:00",
        "08:30",
        "09:00",
        "09:30",
        "10:00",
        "10:30",
        "11:00",
        "11:30",
    ]
    assert slots[0].starts_at == datetime(2026, 11, 23, 6, 0, tzinfo=UTC)  # Helsinki is UTC+2 in winter
    assert all(slot.capacity == 2 for slot in slots)


def test_a_dst_change_day_keeps_local_opening_times_and_moves_the_utc_ones():
    before = generate_slots(rules(), date(2026, 3, 28))
    on_the_day = generate_slots(rules(), date(2026, 3, 29))  # EU clocks go forward at 03:00 local
    assert local_times(on_the_day, "Europe/Helsinki") == local_times(before, "Europe/Helsinki")
    assert before[0].starts_at.hour == 6 and on_the_day[0].starts_at.hour == 5


@pytest.mark.parametrize(
    ("day", "hours", "expected_slots"),
    [
        (date(2026, 3, 8), 4, 3),  # New York springs forward: 00:00-04:00 holds three real hours
        (date(2026, 11, 1), 4, 5),  # and falls back: five real hours
        (date(2026, 3, 15), 4, 4),
    ],
)
def test_a_window_across_the_clock_change_has_as_many_slots_as_real_hours(day, hours, expected_slots):
    overnight = {name: [["00:00", f"{hours:02d}:00"]] for name in WEEKDAYS}
    slots = generate_slots(
        rules(time_zone="America/New_York", opening_hours=overnight, duration_s=3600, counters=1), day
    )
    assert len(slots) == expected_slots
    assert all(
        b.starts_at - a.starts_at == timedelta(hours=1) for a, b in zip(slots, slots[1:], strict=False)
    )


def test_an_opening_time_skipped_by_dst_starts_when_the_clocks_jump():
    moment = local_instant(date(2026, 3, 8), time(2, 30), ZoneInfo("America/New_York"))
    assert moment == datetime(2026, 3, 8, 7, 0, tzinfo=UTC)  # 03:00 EDT


def test_an_exception_day_replaces_the_weekday_hours():
    hours = WEEKDAYS | {"exceptions": {"2026-12-24": [], "2026-12-23": [["10:00", "11:00"]]}}
    assert generate_slots(rules(opening_hours=hours), date(2026, 12, 24)) == []
    assert local_times(generate_slots(rules(opening_hours=hours), date(2026, 12, 23)), "Europe/Helsinki") == [
        "10:00",
        "10:30",
    ]
    assert windows_of({"mon": [["12:00", "14:00"], ["08:00", "10:00"]]}, date(2026, 11, 23))[0][0] == time(8)


def test_a_closed_weekday_has_no_slots():
    assert generate_slots(rules(opening_hours={"mon": [["08:00", "12:00"]]}), date(2026, 11, 24)) == []


@pytest.mark.parametrize(
    ("counters", "share", "capacities"),
    [
        (2, 1.0, [2, 2, 2, 2]),
        (2, 0.5, [1, 1, 1, 1]),
        (1, 0.5, [1, 1]),  # half of one counter: every other slot
        (3, 0.5, [1, 2, 1, 2]),
        (2, 0.0, []),
    ],
)
def test_a_hybrid_share_keeps_that_part_of_each_counter_hour_for_bookings(counters, share, capacities):
    hours = {"mon": [["08:00", "10:00"]]}
    slots = generate_slots(
        rules(opening_hours=hours, counters=counters, booking_share=share), date(2026, 11, 23)
    )
    assert [slot.capacity for slot in slots] == capacities


def test_the_on_site_cap_limits_every_slot():
    slots = generate_slots(rules(counters=5, on_site_cap=3), date(2026, 11, 23))
    assert {slot.capacity for slot in slots} == {3}


def test_a_service_nobody_serves_has_no_slots():
    assert generate_slots(rules(counters=0), date(2026, 11, 23)) == []


@pytest.mark.parametrize(
    ("mode", "share", "expected"),
    [("queue", 0.5, 0.0), ("appointments", 0.5, 1.0), ("hybrid", 0.3, 0.3), ("hybrid", 7, 1.0)],
)
def test_the_mode_decides_the_booking_share(mode, share, expected):
    assert booking_share(mode, share) == expected


SLOT = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("late", "minutes", "outcome"),
    [
        ("walk_in", -90, "too_early"),
        ("walk_in", -30, "keep_slot"),
        ("walk_in", 10, "keep_slot"),
        ("walk_in", 11, "walk_in"),
        ("walk_in", 61, "no_show"),
        ("no_show", 11, "no_show"),
    ],
)
def test_lateness_within_the_grace_keeps_the_slot_and_later_follows_the_policy(late, minutes, outcome):
    policy = ArrivalPolicy.from_settings({"appointments": {"late": late, "grace_s": 600, "expire_s": 3600}})
    assert arrival_outcome(policy, starts_at=SLOT, now=SLOT + timedelta(minutes=minutes)) == outcome


def test_booking_codes_are_short_unguessable_and_forgiving_to_type():
    codes = {new_code() for _ in range(2000)}
    assert len(codes) == 2000
    code = next(iter(codes))
    assert len(code) == 8 and set(code) <= set(CODE_ALPHABET)
    assert not set("01OIL") & set(CODE_ALPHABET)
    assert normalize_code(f" {display_code(code).lower()} ") == code
    with pytest.raises(ValidationFailed):
        normalize_code("ABCD-123O")


def test_the_calendar_file_holds_the_slot_in_utc_with_folded_lines():
    text = booking_calendar(
        uid="ABCD-2345@qserve",
        starts_at=datetime(2026, 11, 23, 12, 0, tzinfo=ZoneInfo("Europe/Helsinki")),
        ends_at=datetime(2026, 11, 23, 12, 30, tzinfo=ZoneInfo("Europe/Helsinki")),
        summary="Passports, Helsinki; counter hall",
        location="Helsinki",
        description="Booking code ABCD-2345 " + "x" * 120,
        url="http://example.test/booking/ABCD-2345",
        stamped_at=datetime(2026, 11, 1, tzinfo=UTC),
    )
    lines = text.split("\r\n")
    assert "DTSTART:20261123T100000Z" in lines and "DTEND:20261123T103000Z" in lines
    assert "SUMMARY:Passports\\, Helsinki\\; counter hall" in lines
    assert all(len(line.encode()) <= 75 for line in lines)
    assert text.endswith("END:VCALENDAR\r\n")


def test_a_location_open_until_24_00_is_bookable_to_the_end_of_its_day():
    """'24:00' closes at midnight, as the phone reads it; slot generation raised 'hour must be in 0..23' and
    the slots API answered 500."""
    all_day = {name: [["00:00", "24:00"]] for name in WEEKDAYS}
    slots = generate_slots(rules(opening_hours=all_day, duration_s=3600, counters=1), date(2026, 12, 7))
    assert len(slots) == 24
    assert local_times(slots, "Europe/Helsinki")[-1] == "23:00"
    assert windows_of({"mon": [["00:00", "24:00"]]}, date(2026, 12, 7)) == [(time(0, 0), time.max)]


@pytest.mark.parametrize(
    ("window", "duration_min", "first_starts"),
    [
        (["08:10", "09:30"], 15, ["08:15", "08:30", "08:45", "09:00", "09:15"]),
        (["23:06", "24:00"], 15, ["23:15", "23:30", "23:45"]),  # not 23:06, 23:21, 23:36
        (["08:00", "09:00"], 15, ["08:00", "08:15", "08:30", "08:45"]),
        (["08:05", "10:30"], 45, ["08:15", "09:00", "09:45"]),  # a 45-minute slot starts on a quarter
        (["08:10", "12:00"], 90, ["08:30", "10:00"]),
        (["08:30", "11:00"], 60, ["09:00", "10:00"]),
        (["08:01", "09:00"], 20, ["08:20", "08:40"]),
        (["08:00", "08:40"], 7, ["08:00", "08:10", "08:20", "08:30"]),  # 7 minutes are booked in tens
        (["08:00", "08:20"], 3, ["08:00", "08:05", "08:10", "08:15"]),
    ],
)
def test_slots_start_on_round_times_whatever_minute_the_window_opens(window, duration_min, first_starts):
    """Stepping from the opening minute offered 23:06, 23:21, ...; a customer expects :00, :15, :30, :45."""
    hours = {"mon": [window]}
    slots = generate_slots(
        rules(opening_hours=hours, duration_s=duration_min * 60, counters=1), date(2026, 11, 23)
    )
    assert local_times(slots, "Europe/Helsinki") == first_starts
    assert all(slot.ends_at - slot.starts_at == timedelta(minutes=duration_min) for slot in slots)


def test_round_slot_times_are_round_in_local_time_in_a_half_hour_zone():
    """India is UTC+05:30: a grid taken from UTC would start hourly slots at half past."""
    slots = generate_slots(
        rules(time_zone="Asia/Kolkata", opening_hours={"mon": [["08:20", "11:00"]]}, duration_s=3600),
        date(2026, 11, 23),
    )
    assert local_times(slots, "Asia/Kolkata") == ["09:00", "10:00"]
