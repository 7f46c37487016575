"""Insights web fixtures: a fresh database per test with the feedback tables, and the insights routes."""

from __future__ import annotations

import shutil

import pytest
from sqlalchemy import create_engine

from tests.integration.insights.conftest import create_insights_tables, plug_insights


@pytest.fixture
def database_url(tmp_path, sqlite_template):
    """Give each test its own migrated SQLite database with the tables not migrated yet."""
    path = tmp_path / "insights.db"
    shutil.copy(sqlite_template, path)
    url = f"sqlite:///{path}"
    engine = create_engine(url)
    create_insights_tables(engine)
    engine.dispose()
    return url


@pytest.fixture(autouse=True)
def insights(app):
    """Register the insights routes on the test app."""
    plug_insights(app)
    return app


@pytest.fixture
def client(app):
    """Return a Flask test client."""
    return app.test_client()
