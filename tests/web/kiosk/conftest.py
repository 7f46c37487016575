"""Kiosk web fixtures: a simulated printer."""

from __future__ import annotations

import pytest

from qserve.printing.simulator import PrinterSimulator


@pytest.fixture
def printer():
    """Run a simulated ESC/POS printer on a free loopback port."""
    with PrinterSimulator("127.0.0.1", 0) as simulator:
        yield simulator
