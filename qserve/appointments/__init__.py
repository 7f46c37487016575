"""Appointments: bookable slots, booking from the phone, check-in into the live queue, no-show expiry."""

from __future__ import annotations

from flask import Flask

from qserve.events import EventBus


def init_app(app: Flask, bus: EventBus) -> None:
    """Register the appointment API and phone pages, and link checked-in tickets to their bookings."""
    import qserve.appointments.openapi  # noqa: F401  (its routes join the API's document)
    import qserve.models.appointment  # noqa: F401  (tables join the metadata)
    from qserve.appointments.api import bp as api_bp
    from qserve.appointments.desk import bp as desk_bp
    from qserve.appointments.manage import bp as manage_bp
    from qserve.appointments.pages import bp as pages_bp
    from qserve.appointments.services import ensure_ticket_link
    from qserve.extensions import csrf

    ensure_ticket_link(app)
    app.register_blueprint(api_bp)
    csrf.exempt(api_bp)
    app.register_blueprint(pages_bp)
    app.register_blueprint(desk_bp)
    app.context_processor(lambda: {"booking_desk_url": booking_desk_url})
    app.register_blueprint(manage_bp)


def booking_desk_url(location, counter_id: int | None = None) -> str | None:
    """Return the staff page of a location's bookings, or None where nothing is ever booked."""
    from flask import url_for

    modes = {location.mode, *(service.mode for service in location.services)}
    if not modes & {"appointments", "hybrid"}:
        return None
    return url_for("appointments_desk.bookings", slug=location.slug, counter=counter_id)
