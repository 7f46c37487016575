"""Integration tests run every service on SQLite and, when reachable, on PostgreSQL."""

import pytest

from tests.conftest import BACKENDS


@pytest.fixture(params=BACKENDS)
def backend(request):
    """Run each integration test once per database backend."""
    return request.param
