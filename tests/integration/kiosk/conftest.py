"""Kiosk integration fixtures: a simulated printer, a kiosk printing to it, recorded alerts."""

from __future__ import annotations

import pytest

from qserve.printing.simulator import PrinterSimulator
from tests.integration.kiosk.kiosk_helpers import RecordedAlerts, make_kiosk


@pytest.fixture
def config_overrides():
    """Print only when a test calls the deliverer, so every attempt is the test's own."""
    return {"KIOSK_PRINT_ON_COMMIT": False}


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
