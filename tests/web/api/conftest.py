"""API tests use the Flask test client on a fresh database per test (not the module's live server)."""

import pytest

from tests.web.conftest import own_database

database_url = own_database()


@pytest.fixture
def staff(app, make):
    """Create a location, a staff member working there, and their bearer token."""
    from datetime import UTC, datetime

    from qserve.services.accounts import create_token

    location = make.location()
    user = make.user(organization_id=location["organization_id"], location_ids=[location["id"]])
    token = create_token(email=user["email"], now=datetime.now(UTC))
    return {"location": location, "user": user, "headers": {"Authorization": f"Bearer {token}"}}
