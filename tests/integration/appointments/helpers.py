"""Helpers shared by the appointment tests: tables not migrated yet, a bookable location, a booking."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Engine

from qserve.db import transaction
from qserve.models import Location

OPEN_EVERY_DAY = {day: [["08:00", "18:00"]] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
# Monday 23 November 2026, 07:00 UTC = 09:00 in Helsinki; slots of the factory's 300 s services.
MONDAY_MORNING = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)


def create_appointment_tables(engine: Engine) -> None:
    """Create the appointment tables if the migrations have not yet."""
    from qserve.models.appointment import Appointment, SlotLoad

    for model in (Appointment, SlotLoad):
        model.__table__.create(engine, checkfirst=True)


def register_appointments(app) -> None:
    """Plug the appointments package into a test app unless the factory already did."""
    if "appointments" not in app.blueprints:
        from qserve.appointments import init_app

        init_app(app, app.extensions["qserve.bus"])


def make_bookable(
    make, *, mode: str = "appointments", counters: int = 1, settings: dict | None = None, **extra
):
    """Create a location that takes bookings from 08:00 to 18:00 every day; return the factory's dict."""
    location = make.location(counters=counters, opening_hours=OPEN_EVERY_DAY, mode=mode, **extra)
    if settings:
        with transaction() as tx:
            tx.session.get(Location, location["id"]).settings = settings
    return location
