"""Kiosk integration fixtures: the kiosk tables, a simulated printer, a kiosk printing to it."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine

from qserve.printing.simulator import PrinterSimulator
from tests.integration.kiosk.kiosk_helpers import RecordedAlerts, create_kiosk_tables, make_kiosk


@pytest.fixture(scope="session")
def postgres_database(postgres_database):
    """Add the kiosk tables to the session's PostgreSQL database (until their migration exists)."""
    import qserve.models.kiosk  # noqa: F401

    engine = create_engine(postgres_database)
    create_kiosk_tables(engine)
    engine.dispose()
    return postgres_database


@pytest.fixture
def config_overrides():
    """Print only when a test calls the deliverer, so every attempt is the test's own."""
    return {"KIOSK_PRINT_ON_COMMIT": False}


@pytest.fixture(autouse=True)
def kiosk_tables(app):
    """Make sure the kiosk tables exist in the test's database."""
    create_kiosk_tables(app.extensions["qserve.db"].engine)


@pytest.fixture
def alerts(app):
    """Record printer alerts instead of emitting them."""
    recorder = RecordedAlerts()
    app.extensions["qserve.kiosk.alerts"] = recorder
    return recorder


@pytest.fixture
def printer():
    """Run a simulated ESC/POS printer on a free loopback port."""
    with PrinterSimulator("127.0.0.1", 0) as simulator:
        yield simulator


@pytest.fixture
def location(make):
    """Create a location in Helsinki with two services."""
    return make.location()


@pytest.fixture
def kiosk_id(location, printer):
    """Create a kiosk at the location printing to the simulator."""
    return make_kiosk(location, printer=printer.config)
