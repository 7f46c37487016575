"""psycopg's wait function for a gevent server: a round trip to PostgreSQL costs one switch to gevent's hub
instead of two, and no poll object.

psycopg runs every query as a generator that says what it waits for (the socket writable, readable or
either) and a wait function that waits for it. Under gevent's monkey-patching psycopg picks its `wait_poll`,
which builds a `select.poll` object for every query and goes through gevent's emulation of it, switching to
the hub even for a socket that is already writable, as it almost always is when a query is sent. This one
asks the socket first, without waiting (psycopg's own check), and waits on a gevent watcher only when it is
not ready: a query costs one switch, for its answer. A batch of eight joins cost 3.4 ms of CPU instead of
3.9, and the server's CPU per join (bench/throughput.py, 8 clients) fell by about 6%.

The psycopg maintainers name a gevent wait function as the thorough way to serve gevent (psycopg/psycogreen
issue 9); psycopg looks `psycopg.waiting.wait` up at every wait, so installing one is assigning it.
"""

from __future__ import annotations

import logging
from time import monotonic

import psycopg
from gevent.socket import wait_read, wait_readwrite, wait_write
from psycopg import errors, waiting

log = logging.getLogger(__name__)
# What this leans on of psycopg's insides: a check of the socket that does not wait (the C one of the binary
# package, else the module's poll-based one) and the error its waits raise when they time out.
_ready_now = getattr(getattr(waiting, "_psycopg", None), "ready_c", None) or getattr(
    waiting, "_ready_poll", None
)
_WaitTimeout = getattr(errors, "_WaitTimeout", None)
_WAITS = {waiting.WAIT_R: wait_read, waiting.WAIT_W: wait_write, waiting.WAIT_RW: wait_readwrite}


def gevent_wait(gen, fileno: int, interval: float | None = 0.0, timeout: float | None = None):
    """Run a psycopg generator to its end, waiting cooperatively for its socket (a psycopg WaitFunc).

    As psycopg's own: the generator hears READY_NONE every `interval` seconds it waits in vain (none: it
    waits as long as it takes), and the wait gives up with psycopg's timeout error after `timeout` seconds."""
    deadline = monotonic() + timeout if timeout is not None else None
    try:
        state = next(gen)
        while True:
            ready = _ready_now(fileno, state)
            if not ready:
                seconds = interval or None
                if deadline is not None:
                    left = max(0.0, deadline - monotonic())
                    seconds = left if seconds is None else min(seconds, left)
                try:
                    _WAITS[state](fileno, timeout=seconds)
                except TimeoutError:
                    pass
                except OSError as error:  # the socket was closed under the wait
                    raise errors.OperationalError("connection socket closed") from error
                ready = _ready_now(fileno, state)
            if ready:
                state = gen.send(ready)
            else:
                gen.send(waiting.READY_NONE)
            if deadline is not None and monotonic() >= deadline:
                raise _WaitTimeout("wait timeout expired")
    except StopIteration as stop:
        return stop.value


def install() -> bool:
    """Make psycopg wait through gevent (in a process gevent has monkey-patched); tell whether it did. A
    psycopg without the parts this needs keeps its own wait, which works under gevent, only slower."""
    if _ready_now is None or _WaitTimeout is None:
        log.warning("psycopg %s keeps its own wait under gevent", psycopg.__version__)
        return False
    waiting.wait = gevent_wait
    return True
