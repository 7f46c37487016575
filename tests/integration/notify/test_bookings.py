"""Bookings: a confirmation and reminders before the visit, and HERE / CANCEL by SMS for a booking."""

from __future__ import annotations

from datetime import timedelta

import pytest

from qserve.appointments.services import book_appointment, cancel_appointment, reschedule_appointment
from qserve.db import read_session
from qserve.models.appointment import Appointment
from qserve.notify.inbound import handle_inbound_sms
from qserve.notify.usecases import enqueue_timed_messages
from tests.integration.notify.conftest import PUBLIC_URL

OPEN_EVERY_DAY = {day: [["08:00", "18:00"]] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
PHONE = "+358401234567"


@pytest.fixture
def bookable(desk):
    """Return a location that takes bookings from 08:00 to 18:00, Helsinki time, every day."""
    return desk.location(opening_hours=OPEN_EVERY_DAY, mode="hybrid")


def book(desk, location, starts_at, **contact) -> dict:
    return book_appointment(
        location_slug=location["slug"],
        service_id=location["service_ids"][0],
        starts_at=starts_at,
        now=desk.clock(),
        **contact,
    )


def booking_rows(desk, booking: dict) -> list:
    return [row for row in desk.outbox() if row.payload.get("appointment_id") == booking["id"]]


def run_timed_jobs(desk, *steps: dict) -> None:
    for step in steps:
        desk.clock.advance(**step)
        enqueue_timed_messages(now=desk.clock())


def test_a_booking_is_confirmed_then_reminded_a_day_and_an_hour_before(desk, bookable, deliver, twilio):
    slot = desk.clock() + timedelta(days=2, hours=5)  # Wednesday 14:00 UTC, 16:00 in Helsinki
    booking = book(desk, bookable, slot, phone=PHONE)
    deliver()
    run_timed_jobs(
        desk, {"hours": 24}, {"hours": 5}, {"hours": 1}, {"hours": 18}, {"hours": 4, "minutes": 30}
    )
    deliver()
    rows = booking_rows(desk, booking)
    assert [(row.topic, row.status) for row in rows] == [
        ("appointment_confirmation", "sent"),
        ("appointment_reminder", "sent"),
        ("appointment_reminder", "sent"),
    ]
    assert [row.dedupe_key.rsplit(":", 1)[1] for row in rows[1:]] == ["86400", "3600"]
    confirmation, day_before, hour_before = twilio.bodies_to(PHONE)
    link = f"{PUBLIC_URL}/booking/{booking['code'].replace('-', '')}"
    assert (
        confirmation == f"Booked: Loans 0 at Kamppi, 25/11 at 16:00. Booking code {booking['code']}. {link}"
    )
    assert day_before == hour_before and day_before.startswith("Reminder: Loans 0 at Kamppi, 25/11 at 16:00.")


def test_a_booking_made_for_within_the_hour_gets_no_reminder(desk, bookable, deliver, twilio):
    booking = book(
        desk, bookable, desk.clock() + timedelta(minutes=30), email="aino@example.fi", language="fi"
    )
    run_timed_jobs(desk, {"minutes": 1}, {"minutes": 10})
    assert [(row.topic, row.status) for row in booking_rows(desk, booking)] == [
        ("appointment_confirmation", "pending"),
        ("appointment_reminder", "skipped"),
        ("appointment_reminder", "skipped"),
    ]


def test_a_moved_booking_is_confirmed_again_and_a_cancelled_one_is_not_reminded(
    desk, bookable, deliver, twilio
):
    first = desk.clock() + timedelta(days=1, hours=3)
    booking = book(desk, bookable, first, phone=PHONE)
    reschedule_appointment(code=booking["code"], starts_at=first + timedelta(hours=2), now=desk.clock())
    keys = [row.dedupe_key for row in booking_rows(desk, booking) if row.status == "pending"]
    assert keys == [f"appointment:{booking['id']}:booked:0", f"appointment:{booking['id']}:booked:1"]
    run_timed_jobs(desk, {"hours": 5})  # within a day of the new time: the day-before reminder is due
    cancel_appointment(code=booking["code"], now=desk.clock())
    deliver()
    rows = {
        row.dedupe_key.split(":", 2)[2]: (row.status, row.last_error) for row in booking_rows(desk, booking)
    }
    assert rows["reminder:1:86400"] == ("skipped", "the booking is cancelled")
    assert rows["booked:1"] == ("skipped", "the booking is cancelled")


def sms(desk, body: str, sid: str) -> str:
    """Take an inbound SMS at the test clock's time (the webhook itself reads the real clock)."""
    return handle_inbound_sms(message_sid=sid, phone=PHONE, body=body, now=desk.clock())


def test_here_by_sms_checks_the_booking_in_and_the_new_ticket_is_followed(desk, bookable):
    booking = book(desk, bookable, desk.clock() + timedelta(minutes=30), phone=PHONE, language="sv")
    reply = sms(desk, "Här", "SM1")
    with read_session() as session:
        appointment = session.get(Appointment, booking["id"])
    assert appointment.status == "checked_in" and appointment.ticket_id is not None
    assert reply == "A001: tack, du är incheckad. Vänta tills du blir uppropad."
    assert "joined" in desk.topics(appointment.ticket_id)


def test_here_too_early_and_cancel_by_sms_for_a_booking(desk, bookable):
    booking = book(desk, bookable, desk.clock() + timedelta(hours=5), phone=PHONE, language="pl")
    assert sms(desk, "jestem", "SM1").startswith("Nie udalo sie Cie teraz zglosic.")
    assert sms(desk, "ANULUJ", "SM2") == f"Rezerwacja {booking['code']} anulowana. Zapraszamy innym razem."
    with read_session() as session:
        assert session.get(Appointment, booking["id"]).status == "cancelled"
