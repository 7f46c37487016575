"""Insights web fixtures: a fresh migrated database per test and a Flask test client."""

from __future__ import annotations

import shutil

import pytest


@pytest.fixture
def database_url(tmp_path, sqlite_template):
    """Give each test its own migrated SQLite database."""
    path = tmp_path / "insights.db"
    shutil.copy(sqlite_template, path)
    return f"sqlite:///{path}"


@pytest.fixture
def client(app):
    """Return a Flask test client."""
    return app.test_client()
