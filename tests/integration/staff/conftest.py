"""Staff integration tests run on SQLite and PostgreSQL, with tables whose migrations are not written yet."""

from __future__ import annotations

import pytest

from tests.web.staff.conftest import create_missing_tables


@pytest.fixture
def database_url(database_url):
    """Return a fresh database with every model's table present."""
    create_missing_tables(database_url)
    return database_url
