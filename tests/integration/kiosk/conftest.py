"""Kiosk integration fixtures: the kiosk tables, a simulated printer, a kiosk printing to it."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine

from qserve.printing.simulator import PrinterSimulator
from tests.integration.kiosk.kiosk_helpers import RecordedAlerts, create_missing_tables, make_kiosk


@pytest.fixture(scope="session")
def postgres_database(postgres_database):
    """Add the tables not migrated yet to the session's PostgreSQL database, before any truncation."""
    from qserve import create_app
    from qserve.config import TestConfig

    app = create_app(TestConfig(database_url=postgres_database))  # imports every model the app registers
    app.extensions["qserve.db"].dispose()
    engine = create_engine(postgres_database)
    create_missing_tables(engine)
    engine.dispose()
    return postgres_database


@pytest.fixture
def config_overrides():
    """Print only when a test calls the deliverer, so every attempt is the test's own."""
    return {"KIOSK_PRINT_ON_COMMIT": False}


@pytest.fixture(autouse=True)
def kiosk_tables(app):
    """Make sure the kiosk tables (and any other not migrated yet) exist in the test's database."""
    create_missing_tables(app.extensions["qserve.db"].engine)


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
