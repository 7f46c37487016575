"""A location in another time zone than the server, on days when its clocks change: slots and reminders."""

from __future__ import annotations

import os
import time as systime
from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import select

from qserve.appointments.reports import appointment_counts
from qserve.appointments.services import book_appointment, list_slots
from qserve.db import read_session
from qserve.models.outbox import OutboxMessage
from qserve.notify.usecases import enqueue_timed_messages
from tests.integration.appointments.helpers import make_bookable

NEW_YORK = "America/New_York"
WEEK_BEFORE = timedelta(days=7)  # slots are listed as seen a week ahead: every one still to come and bookable
BOOKED_AT = datetime(2026, 10, 30, 12, 0, tzinfo=UTC)


@pytest.fixture
def server_in_tokyo(monkeypatch):
    """Run the test on a server whose own clock is set to Tokyo (no DST, far from New York)."""
    monkeypatch.setenv("TZ", "Asia/Tokyo")
    systime.tzset()
    yield
    monkeypatch.delenv("TZ")
    systime.tzset()


@pytest.fixture
def new_york(make):
    return make_bookable(make, time_zone=NEW_YORK, counters=1)


def first_and_last(location, day: date) -> tuple[datetime, datetime, int]:
    now = datetime.combine(day, time(0, 0), tzinfo=UTC) - WEEK_BEFORE
    slots = list_slots(
        location_slug=location["slug"], service_id=location["service_ids"][0], day=day, now=now
    )
    starts = [datetime.fromisoformat(slot["starts_at"]) for slot in slots]
    return starts[0], starts[-1], len(starts)


@pytest.mark.parametrize(
    ("day", "first_utc_hour"),
    [
        (date(2026, 3, 7), 13),  # Saturday, EST (UTC-5): 08:00 local is 13:00 UTC
        (date(2026, 3, 8), 12),  # clocks spring forward at 02:00: 08:00 EDT is 12:00 UTC
        (date(2026, 10, 31), 12),  # Saturday, EDT (UTC-4)
        (date(2026, 11, 1), 13),  # clocks fall back at 02:00: 08:00 EST is 13:00 UTC
    ],
)
def test_slots_keep_local_opening_hours_across_the_clock_change(
    server_in_tokyo, new_york, day, first_utc_hour
):
    first, last, count = first_and_last(new_york, day)
    assert os.environ["TZ"] == "Asia/Tokyo"
    assert (first.hour, first.minute) == (first_utc_hour, 0)
    assert last - first == timedelta(hours=10) - timedelta(minutes=5)  # 08:00 to 17:55 local, 300 s slots
    assert count == 120


def test_reminders_come_a_day_and_an_hour_before_and_show_the_local_time_across_the_change(
    server_in_tokyo, app, new_york
):
    slot = datetime(2026, 11, 2, 13, 0, tzinfo=UTC)  # Monday 08:00 EST, the morning after clocks fell back
    booking = book_appointment(
        location_slug=new_york["slug"],
        service_id=new_york["service_ids"][0],
        starts_at=slot,
        now=datetime(2026, 10, 30, 12, 0, tzinfo=UTC),
        phone="+12125550123",
        language="en",
    )

    def reminders() -> list[OutboxMessage]:
        with read_session() as session:
            rows = session.scalars(
                select(OutboxMessage)
                .where(OutboxMessage.topic == "appointment_reminder")
                .order_by(OutboxMessage.id)
            ).all()
        return [row for row in rows if row.payload.get("appointment_id") == booking["id"]]

    enqueue_timed_messages(now=slot - timedelta(days=1, seconds=1))  # Sunday 07:59:59 EST
    assert reminders() == []
    enqueue_timed_messages(now=slot - timedelta(days=1))
    enqueue_timed_messages(now=slot - timedelta(hours=2))
    assert [row.dedupe_key.rsplit(":", 1)[1] for row in reminders()] == ["86400"]
    enqueue_timed_messages(now=slot - timedelta(hours=1))
    rows = reminders()
    assert [row.dedupe_key.rsplit(":", 1)[1] for row in rows] == ["86400", "3600"]
    assert {row.payload["fields"]["time"] for row in rows} == {"02/11 at 08:00"}
    assert [row.created_at for row in rows] == [slot - timedelta(days=1), slot - timedelta(hours=1)]


def test_a_day_when_clocks_change_counts_its_own_bookings_only(server_in_tokyo, new_york):
    day = date(2026, 11, 1)  # 25 hours long in New York
    first, last, _ = first_and_last(new_york, day)
    for starts_at in (first, last):
        book_appointment(
            location_slug=new_york["slug"],
            service_id=new_york["service_ids"][0],
            starts_at=starts_at,
            now=BOOKED_AT,
        )
    next_morning = first_and_last(new_york, date(2026, 11, 2))[0]
    book_appointment(
        location_slug=new_york["slug"],
        service_id=new_york["service_ids"][0],
        starts_at=next_morning,
        now=BOOKED_AT,
    )
    assert appointment_counts(location_slug=new_york["slug"], day=day)["booked"] == 2
    assert appointment_counts(location_slug=new_york["slug"], day=date(2026, 11, 2))["booked"] == 1
