"""psycopg's wait under gevent: a generator driven over a socket pair, as psycopg drives its queries."""

import socket
import time

import gevent
import pytest
from psycopg import errors, waiting

from qserve.pgwait import gevent_wait


@pytest.fixture
def sockets():
    left, right = socket.socketpair()
    yield left, right
    left.close()
    right.close()


def asking(*states, heard):
    """A generator as psycopg's are: it waits for each state in turn, asking again for the same after a
    READY_NONE; it records what it hears and returns "done"."""
    for state in states:
        while True:
            ready = yield state
            heard.append(ready)
            if ready:
                break
    return "done"


def test_a_writable_socket_is_used_at_once_and_an_answer_is_waited_for_without_blocking_others(sockets):
    left, right = sockets
    heard, ticks = [], []

    def other():
        for _ in range(5):
            ticks.append(time.monotonic())
            gevent.sleep(0.01)
        right.send(b"answer")

    gevent.spawn(other)
    result = gevent_wait(asking(waiting.WAIT_W, waiting.WAIT_R, heard=heard), left.fileno(), interval=1.0)

    assert result == "done"
    assert heard == [waiting.READY_W, waiting.READY_R]
    assert len(ticks) == 5  # the other greenlet ran while the answer was awaited


def test_a_long_wait_is_interrupted_every_interval_as_psycopg_expects(sockets):
    left, right = sockets
    heard = []
    gevent.spawn_later(0.25, right.send, b"late")

    gevent_wait(asking(waiting.WAIT_R, heard=heard), left.fileno(), interval=0.05)

    assert heard.count(waiting.READY_NONE) >= 3
    assert heard[-1] == waiting.READY_R


def test_a_wait_gives_up_at_its_timeout_with_psycopgs_timeout_error(sockets):
    left, _right = sockets
    started = time.monotonic()

    with pytest.raises(errors.OperationalError, match="timeout"):
        gevent_wait(asking(waiting.WAIT_R, heard=[]), left.fileno(), interval=1.0, timeout=0.1)

    assert 0.09 <= time.monotonic() - started < 0.5
