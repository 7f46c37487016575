"""Appointments: bookable slots, booking from the phone, check-in into the live queue, no-show expiry."""

from __future__ import annotations

from flask import Flask

from qserve.events import EventBus


def init_app(app: Flask, bus: EventBus) -> None:
    """Register the appointment API and phone pages, and link checked-in tickets to their bookings."""
    import qserve.models.appointment  # noqa: F401  (tables join the metadata)
    from qserve.appointments.api import bp as api_bp
    from qserve.appointments.pages import bp as pages_bp
    from qserve.appointments.services import ensure_ticket_link
    from qserve.extensions import csrf

    ensure_ticket_link(app)
    app.register_blueprint(api_bp)
    csrf.exempt(api_bp)
    app.register_blueprint(pages_bp)
