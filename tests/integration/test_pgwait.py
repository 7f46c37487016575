"""PostgreSQL through psycopg with qserve's gevent wait, as `qserve run` serves it: queries give their
answers and errors, and greenlets waiting on the database let each other run."""

import time

import gevent
import psycopg
import pytest
from psycopg import waiting

from qserve.pgwait import gevent_wait

pytestmark = pytest.mark.postgres


@pytest.fixture
def connect(postgres_database, monkeypatch):
    monkeypatch.setattr(waiting, "wait", gevent_wait)
    url = postgres_database.replace("postgresql+psycopg://", "postgresql://")
    opened = []

    def open_one():
        connection = psycopg.connect(url)
        opened.append(connection)
        return connection

    yield open_one
    for connection in opened:
        connection.close()


def test_queries_answer_and_errors_leave_the_connection_usable(connect):
    connection = connect()

    assert connection.execute("SELECT %s::int + 1", [41]).fetchone() == (42,)
    with pytest.raises(psycopg.errors.DivisionByZero):
        connection.execute("SELECT 1 / 0")
    connection.rollback()
    with connection.cursor() as cursor:  # executemany goes through psycopg's pipeline
        cursor.execute("CREATE TEMPORARY TABLE numbers (n int)")
        cursor.executemany("INSERT INTO numbers VALUES (%s)", [(n,) for n in range(100)])
        assert cursor.execute("SELECT count(*), sum(n) FROM numbers").fetchone() == (100, 4950)


def test_greenlets_waiting_on_the_database_run_side_by_side(connect):
    first, second = connect(), connect()
    started = time.monotonic()

    jobs = [gevent.spawn(c.execute, "SELECT pg_sleep(0.3)") for c in (first, second)]
    gevent.joinall(jobs, raise_error=True)

    assert time.monotonic() - started < 0.55  # one after the other would take 0.6 s
