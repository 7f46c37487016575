"""Shared fixtures: databases (SQLite always, PostgreSQL when reachable), the app, factories, a fake clock."""

from __future__ import annotations

import os
import shutil
import socket
import uuid
from datetime import UTC, datetime, timedelta

import pytest

os.environ.setdefault("QSERVE_INSTANCE_PATH", "/tmp/qserve-test-instance")

PG_ADMIN_URL = os.environ.get("QSERVE_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("QSERVE_TEST_REDIS", "redis://127.0.0.1:6379/0")


def reachable(host: str, port: int) -> bool:
    """Tell whether a TCP service answers on loopback."""
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


POSTGRES_UP = reachable("127.0.0.1", 5432)
REDIS_UP = reachable("127.0.0.1", 6379)
BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


class FakeClock:
    """A clock the tests move by hand."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime(2026, 11, 23, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta) -> datetime:
        """Move the clock forward and return the new time."""
        self.now += timedelta(**delta)
        return self.now


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory):
    """Build one migrated SQLite file with Alembic, copied for every test."""
    from qserve.migrate import upgrade

    path = tmp_path_factory.mktemp("template") / "template.db"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def postgres_database():
    """Create one migrated PostgreSQL database for the session and drop it at the end."""
    if not POSTGRES_UP:
        pytest.skip("PostgreSQL is not reachable on 127.0.0.1:5432")
    from sqlalchemy import create_engine, text

    from qserve.migrate import upgrade

    name = f"qserve_test_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    upgrade(url)
    yield url
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _truncate_postgres(url: str) -> None:
    from sqlalchemy import create_engine

    from qserve.models import Base

    # DELETE, children first: on the few rows a test leaves it takes a tenth of TRUNCATE's time (which
    # rewrites every table's files); ids go on counting, which no test relies on.
    engine = create_engine(url)
    with engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            connection.execute(table.delete())
    engine.dispose()


@pytest.fixture(params=["sqlite"])
def backend(request):
    """Name the database backend a test runs on (integration tests widen this to PostgreSQL)."""
    return request.param


@pytest.fixture
def database_url(backend, tmp_path, request):
    """Return the URL of a fresh, migrated database of the chosen backend."""
    if backend == "sqlite":
        path = tmp_path / "qserve.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    url = request.getfixturevalue("postgres_database")
    _truncate_postgres(url)
    return url


@pytest.fixture
def config_overrides():
    """Let a test module change settings of the test config."""
    return {}


@pytest.fixture
def app(database_url, config_overrides):
    """Return a qserve app on a fresh database, with an app context pushed."""
    from qserve import create_app
    from qserve.config import TestConfig

    application = create_app(TestConfig(database_url=database_url, **config_overrides))
    with application.app_context():
        yield application
    application.extensions["qserve.db"].dispose()


@pytest.fixture
def clock():
    """Return a fake clock at a fixed Monday morning."""
    return FakeClock()


@pytest.fixture
def make(app):
    """Return the factory helpers bound to the app's database."""
    from tests.factories import Factory

    return Factory()
