"""Insights web fixtures: a fresh migrated database per test and a Flask test client."""

from __future__ import annotations

from tests.web.conftest import own_database

database_url = own_database()
