"""Kiosk web fixtures: the kiosk tables in the test's database and a simulated printer."""

from __future__ import annotations

import pytest

from qserve.printing.simulator import PrinterSimulator
from tests.integration.kiosk.kiosk_helpers import create_missing_tables


@pytest.fixture(autouse=True)
def kiosk_tables(app):
    """Make sure the kiosk tables (and any not migrated yet) exist where the test and live server look."""
    create_missing_tables(app.extensions["qserve.db"].engine)


@pytest.fixture
def printer():
    """Run a simulated ESC/POS printer on a free loopback port."""
    with PrinterSimulator("127.0.0.1", 0) as simulator:
        yield simulator
