"""Notification fixtures: a qserve app on a throwaway database built with create_all, the providers'
local stand-ins (Twilio API, push service, SMTP), a fake clock and small helpers to make tickets move."""

from __future__ import annotations

import os
import socket
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import create_engine, inspect, select, text

from tests.support.fake_twilio import ACCOUNT_SID, AUTH_TOKEN, FakeTwilio
from tests.support.push_endpoint import PushEndpoint
from tests.support.smtp_server import SmtpServer

PG_ADMIN_URL = os.environ.get("QSERVE_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
PUBLIC_URL = "https://queue.example.org"
FROM_NUMBER = "+15005550006"


def _postgres_up() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=0.5):
            return True
    except OSError:
        return False


class Clock:
    """A clock the tests move by hand."""

    def __init__(self) -> None:
        self.now = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta) -> datetime:
        """Move the clock forward and return the new time."""
        self.now += timedelta(**delta)
        return self.now


@pytest.fixture
def clock():
    """Return a fake clock on a Monday morning."""
    return Clock()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def notify_backend(request):
    """Name the database a test runs on."""
    return request.param


@pytest.fixture(scope="session")
def notify_postgres():
    """Create one PostgreSQL database with every table for the session, and drop it at the end."""
    if not _postgres_up():
        pytest.skip("PostgreSQL is not reachable on 127.0.0.1:5432")
    import qserve.models.notify  # noqa: F401  (its tables join the metadata)
    from qserve.models import Base

    name = f"qserve_notify_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    engine = create_engine(url)
    Base.metadata.create_all(engine)
    engine.dispose()
    yield url
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def notify_db_url(notify_backend, tmp_path, request):
    """Return the URL of an empty database of the chosen backend."""
    if notify_backend == "sqlite":
        return f"sqlite:///{tmp_path / 'notify.db'}"
    from qserve.models import Base

    url = request.getfixturevalue("notify_postgres")
    engine = create_engine(url)
    existing = set(inspect(engine).get_table_names())
    with engine.begin() as connection:  # DELETE, children first: far cheaper than TRUNCATE on a few rows
        for table in reversed(Base.metadata.sorted_tables):
            if table.name in existing:
                connection.execute(table.delete())
    engine.dispose()
    return url


@pytest.fixture
def twilio(clock):
    """Run the Twilio API stand-in."""
    fake = FakeTwilio(clock=clock).start()
    yield fake
    fake.stop()


@pytest.fixture
def push_service():
    """Run the push service stand-in."""
    endpoint = PushEndpoint().start()
    yield endpoint
    endpoint.stop()


@pytest.fixture
def smtp():
    """Run a real SMTP server on loopback."""
    server = SmtpServer().start()
    yield server
    server.stop()


@pytest.fixture
def notify_config():
    """Let a test module change settings."""
    return {}


@pytest.fixture
def notify_app(notify_db_url, notify_backend, tmp_path, twilio, smtp, notify_config):
    """Return a qserve app whose channels point at the stand-ins, with an app context pushed."""
    import qserve.models.notify  # noqa: F401
    from qserve import create_app
    from qserve.config import TestConfig
    from qserve.models import Base

    settings = {
        "PUBLIC_URL": PUBLIC_URL,
        "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
        "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "TWILIO_FROM_NUMBER": FROM_NUMBER,
        "TWILIO_BASE_URL": twilio.base_url,
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": smtp.port,
        "SMTP_FROM": "queue@bank.example",
        "VAPID_KEY_FILE": str(tmp_path / "vapid_private.txt"),
        "VAPID_SUBJECT": "mailto:admin@bank.example",
    }
    application = create_app(TestConfig(database_url=notify_db_url, **(settings | notify_config)))
    database = application.extensions["qserve.db"]
    Base.metadata.create_all(database.engine)  # every package's tables, as imported by the factory
    # These tests are about what is sent when; they fix the estimate to the plain queueing formula
    # (people ahead x default duration / counters) so that the thresholds they cross are known by hand.
    from qserve.services.refresh import QueueingEstimator

    application.extensions["qserve.estimator"] = QueueingEstimator()
    with application.app_context():
        yield application
    database.dispose()


@pytest.fixture
def channels(notify_app):
    """Return the app's real channels (twilio, pywebpush, smtplib) with short timeouts for tests."""
    from qserve.notify.setup import app_channels

    built = app_channels(notify_app)
    built["sms"].client.http_client.timeout = 0.5
    return built


class Desk:
    """Helpers to build a location and move its tickets through the real services."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock

    def location(
        self,
        *,
        services: int = 1,
        counters: int = 2,
        notifications: dict | None = None,
        opening_hours: dict | None = None,
        mode: str = "queue",
        **settings,
    ):
        """Create a location with services A, B ... and counters serving all; return a dict of ids."""
        from qserve.db import transaction
        from qserve.models import Counter, Location, Organization, Service

        suffix = uuid.uuid4().hex[:6]
        with transaction() as tx:
            organization = Organization(slug=f"org-{suffix}", name="Bank")
            tx.session.add(organization)
            tx.session.flush()
            stored = {"phone_region": "FI", "notifications": notifications or {}} | settings
            location = Location(
                organization_id=organization.id,
                slug=f"branch-{suffix}",
                name="Kamppi",
                time_zone="Europe/Helsinki",
                languages=["en", "fi", "sv", "pl"],
                settings=stored,
                opening_hours=opening_hours or {},
                mode=mode,
            )
            tx.session.add(location)
            tx.session.flush()
            made = [
                Service(location_id=location.id, prefix=chr(65 + i), position=i, names={"en": f"Loans {i}"})
                for i in range(services)
            ]
            tx.session.add_all(made)
            tx.session.flush()
            desks = [
                Counter(location_id=location.id, name=str(i + 4), services=made) for i in range(counters)
            ]
            tx.session.add_all(desks)
            tx.session.flush()
            return {
                "id": location.id,
                "slug": location.slug,
                "service_ids": [s.id for s in made],
                "counter_ids": [c.id for c in desks],
            }

    def join(self, location: dict, *, service_index: int = 0, **contact) -> int:
        """Issue a ticket now and return its id."""
        from qserve.services.tickets import issue_ticket

        service_id = location["service_ids"][service_index]
        return issue_ticket(
            location_slug=location["slug"], service_id=service_id, now=self.clock(), **contact
        )

    def call_next(self, location: dict, counter_index: int = 0) -> int | None:
        """Call the next ticket to a counter."""
        from qserve.domain.actors import Actor
        from qserve.services.calling import call_next

        counter_id = location["counter_ids"][counter_index]
        return call_next(counter_id=counter_id, actor=Actor(kind="staff"), now=self.clock())

    def act(self, ticket_id: int, action: str, **options) -> int:
        """Apply a staff action to a ticket."""
        from qserve.domain.actors import Actor
        from qserve.services.calling import act_on_ticket

        return act_on_ticket(
            ticket_id=ticket_id, action=action, actor=Actor(kind="staff"), now=self.clock(), **options
        )

    def ticket(self, ticket_id: int):
        """Load a ticket."""
        from qserve.db import read_session
        from qserve.models import Ticket

        with read_session() as session:
            return session.get(Ticket, ticket_id)

    def outbox(self, ticket_id: int | None = None, *, status: str | None = None) -> list:
        """Return the notification rows, oldest first, of one ticket or all."""
        from qserve.db import read_session
        from qserve.models import OutboxMessage

        query = select(OutboxMessage).where(OutboxMessage.kind == "notification").order_by(OutboxMessage.id)
        if ticket_id is not None:
            query = query.where(OutboxMessage.ticket_id == ticket_id)
        if status is not None:
            query = query.where(OutboxMessage.status == status)
        with read_session() as session:
            return list(session.scalars(query))

    def topics(self, ticket_id: int | None = None) -> list[str]:
        """Return the kinds of the pending or sent (not skipped) notifications."""
        return [row.topic for row in self.outbox(ticket_id) if row.status != "skipped"]


@pytest.fixture
def desk(notify_app, clock):
    """Return the helpers bound to the app."""
    return Desk(clock)


@pytest.fixture
def deliver(notify_app, channels, clock):
    """Return a function that runs the sender once (at the clock's time unless told) with real channels."""
    import random

    from qserve.db import get_db
    from qserve.notify.dispatch import deliver_due

    def run(now: datetime | None = None, **options) -> int:
        options.setdefault("rng", random.Random(7))
        return deliver_due(
            get_db().Session, now=now or clock(), channels=options.pop("channels", channels), **options
        )

    return run
