"""Admin web fixtures: a fresh migrated database per test, a Flask test client, and sign-in helpers."""

from __future__ import annotations

import pytest

from tests.web.conftest import own_database

database_url = own_database()


@pytest.fixture
def org(make):
    """An organization with two locations, users of every role, and a foreign location."""
    from tests.integration.admin.helpers import organization

    return organization(make)
