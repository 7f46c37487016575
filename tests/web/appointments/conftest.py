"""Appointment web fixtures: the appointment tables in the module's database and the package registered."""

from __future__ import annotations

import pytest

from tests.integration.appointments.helpers import create_appointment_tables, register_appointments


@pytest.fixture(autouse=True)
def appointments(app):
    """Create the appointment tables and register the package on the test app."""
    create_appointment_tables(app.extensions["qserve.db"].engine)
    register_appointments(app)
    return app
