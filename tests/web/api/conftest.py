"""API tests use the Flask test client on a fresh database per test (not the module's live server)."""

import shutil

import pytest


@pytest.fixture
def database_url(tmp_path, sqlite_template):
    """Give each API test its own migrated SQLite database."""
    path = tmp_path / "api.db"
    shutil.copy(sqlite_template, path)
    return f"sqlite:///{path}"


@pytest.fixture
def client(app):
    """Return a Flask test client."""
    return app.test_client()


@pytest.fixture
def staff(app, make):
    """Create a location, a staff member working there, and their bearer token."""
    from datetime import UTC, datetime

    from qserve.services.accounts import create_token

    location = make.location()
    user = make.user(organization_id=location["organization_id"], location_ids=[location["id"]])
    token = create_token(email=user["email"], now=datetime.now(UTC))
    return {"location": location, "user": user, "headers": {"Authorization": f"Bearer {token}"}}
