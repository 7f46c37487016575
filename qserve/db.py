"""Engines, sessions and the one way to run a use case: `with transaction() as tx`."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime

from flask import current_app
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from qserve.domain.events import DomainEvent


class Database:
    """The engines of one app: a writer that serialises on SQLite and a reader that never blocks."""

    def __init__(self, url: str, *, echo: bool = False, pool_size: int = 10) -> None:
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        self.engine = self._make_engine(url, echo=echo, immediate=True, pool_size=pool_size)
        self.reader = self._make_engine(url, echo=echo, immediate=False, pool_size=pool_size)
        self.Session = sessionmaker(self.engine, expire_on_commit=False)
        self.ReadSession = sessionmaker(self.reader, expire_on_commit=False)

    def _make_engine(self, url: str, *, echo: bool, immediate: bool, pool_size: int) -> Engine:
        if not self.is_sqlite:
            return create_engine(url, echo=echo, pool_size=pool_size, max_overflow=20, pool_pre_ping=True)
        engine = create_engine(url, echo=echo, connect_args={"timeout": 30, "check_same_thread": False})
        _configure_sqlite(engine, immediate=immediate)
        return engine

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()
        self.reader.dispose()


def _configure_sqlite(engine: Engine, *, immediate: bool) -> None:
    """Apply SQLAlchemy's recipe: own the BEGIN so that writers lock before they read."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


@dataclass
class UnitOfWork:
    """One use case's session and the events it recorded."""

    session: Session
    events: list[DomainEvent] = field(default_factory=list)
    # What the use case changed, held to its end: the session's identity map holds clean objects weakly, so
    # a handler asking for a ticket changed earlier would otherwise read it again from the database.
    changed: list = field(default_factory=list)
    # What handlers work out once per transaction rather than once per event (see notify.policy).
    memo: dict = field(default_factory=dict)

    def record(self, event: DomainEvent) -> None:
        """Remember an event to publish once the transaction commits."""
        self.events.append(event)

    def keep(self, instance) -> None:
        """Hold an object the use case changed until the transaction ends (see `changed`)."""
        self.changed.append(instance)


def get_db() -> Database:
    """Return the current app's database."""
    return current_app.extensions["qserve.db"]


@contextmanager
def transaction() -> Iterator[UnitOfWork]:
    """Run one use case: commit at the end, roll back on any exception, then publish its events."""
    bus = current_app.extensions["qserve.bus"]
    session = get_db().Session()
    uow = UnitOfWork(session)
    try:
        yield uow
        bus.before_commit(uow)
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
    bus.after_commit(uow.events)


@contextmanager
def read_session() -> Iterator[Session]:
    """Open a read-only session that never takes the writer's lock."""
    session = get_db().ReadSession()
    try:
        yield session
    finally:
        session.close()  # close, not rollback: rollback would expire what the caller still reads


def utcnow() -> datetime:
    """Return the current time as an aware UTC datetime (the edge of the system reads the clock)."""
    from datetime import UTC

    return datetime.now(UTC)


TRANSIENT_SQLSTATES = {"40001", "40P01"}  # serialization failure, deadlock detected


def is_transient(error: Exception) -> bool:
    """Tell whether a database error goes away when the transaction is simply run again."""
    original = getattr(error, "orig", None)
    return getattr(original, "sqlstate", None) in TRANSIENT_SQLSTATES
