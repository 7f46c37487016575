"""Admin web fixtures: a fresh migrated database per test, a Flask test client, and sign-in helpers."""

from __future__ import annotations

import shutil

import pytest


@pytest.fixture
def database_url(tmp_path, sqlite_template):
    """Give each test its own migrated SQLite database."""
    path = tmp_path / "admin.db"
    shutil.copy(sqlite_template, path)
    return f"sqlite:///{path}"


@pytest.fixture
def client(app):
    """Return a Flask test client."""
    return app.test_client()


@pytest.fixture
def org(make):
    """An organization with two locations, users of every role, and a foreign location."""
    from tests.integration.admin.helpers import organization

    return organization(make)
