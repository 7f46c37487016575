"""Appointment integration fixtures: the appointment tables and the package registered on the app."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine

from tests.integration.appointments.helpers import create_appointment_tables, register_appointments


@pytest.fixture(scope="session")
def postgres_database(postgres_database):
    """Add the appointment tables to the session's PostgreSQL database before any truncation."""
    engine = create_engine(postgres_database)
    create_appointment_tables(engine)
    engine.dispose()
    return postgres_database


@pytest.fixture(autouse=True)
def appointments(app):
    """Create the appointment tables in the test's database and register the package."""
    create_appointment_tables(app.extensions["qserve.db"].engine)
    register_appointments(app)
    return app
