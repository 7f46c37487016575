"""The demo data's bookable service: the booking pages the README points to have slots, and the coming week
has bookings taken as customers take them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from qserve.appointments.services import list_slots
from qserve.db import read_session
from qserve.models import Location
from qserve.models.appointment import Appointment

# Sunday 6 December 2026, 12:00 UTC: both demo locations are closed until Monday morning.
SUNDAY_NOON = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)


def test_the_demo_books_customers_into_the_coming_week_of_its_loan_service(app):
    from qserve.demo import load_demo

    load_demo(days=0, now=SUNDAY_NOON)
    with read_session() as session:
        locations = list(session.scalars(select(Location).order_by(Location.id)))
        bookable = {
            location.slug: [s for s in location.services if (s.mode or location.mode) == "hybrid"]
            for location in locations
        }
        bookings = list(session.scalars(select(Appointment)))
        zones = {location.id: ZoneInfo(location.time_zone) for location in locations}

    assert {slug: [s.prefix for s in services] for slug, services in bookable.items()} == {
        "helsinki": ["L"],
        "warsaw": ["L"],
    }
    assert {b.location_id for b in bookings} == {location.id for location in locations}
    for booking in bookings:
        local = booking.starts_at.astimezone(zones[booking.location_id])
        assert SUNDAY_NOON < booking.starts_at <= SUNDAY_NOON + timedelta(days=7)
        assert local.weekday() < 6 and local.hour >= 8  # the demo's hours: weekdays 08-18, Saturday 10-14
        assert booking.status == "booked" and booking.name and booking.phone is None and booking.email is None
        assert booking.answers.get("purpose") in {"home", "car", "other"}  # the required question answered

    # Customers still find free slots on Monday: the demo books some of them, not all.
    helsinki_loans = bookable["helsinki"][0]
    monday = datetime(2026, 12, 7).date()
    slots = list_slots(location_slug="helsinki", service_id=helsinki_loans.id, day=monday, now=SUNDAY_NOON)
    assert slots and any(slot["available"] for slot in slots)
    assert any(b.service_id == helsinki_loans.id and b.starts_at.date() == monday for b in bookings)


def test_loading_the_demo_twice_books_nobody_twice(app):
    from qserve.demo import load_demo

    load_demo(days=0, now=SUNDAY_NOON)
    with read_session() as session:
        first = session.scalar(select(Appointment.id).order_by(Appointment.id.desc()))
    load_demo(days=0, now=SUNDAY_NOON)
    with read_session() as session:
        assert session.scalar(select(Appointment.id).order_by(Appointment.id.desc())) == first
