"""Serve the app with gevent, with TCP_NODELAY so keep-alive clients do not stall on Nagle's algorithm."""

from __future__ import annotations

import gc
import logging
import os
import signal
import socket
from urllib.parse import urlsplit

STOP_TIMEOUT_S = 5.0  # what a stopping server gives the requests under way


def keep_pages_fresh(app, every_s: float) -> None:
    """Refresh the positions and estimates of every location with someone waiting, now and then, and push
    what moved to this process's pages. The scheduler does the same for every process through the message
    queue; without one its pushes reach no browser, so as time passes (a long service, a booking falling
    due) pages would show what they were last told until something happened in this process."""
    import gevent

    from qserve.db import utcnow
    from qserve.jobs.core import refresh_waiting_locations

    while True:
        gevent.sleep(every_s)
        with app.app_context():
            try:
                refresh_waiting_locations(utcnow())
            except Exception:
                logging.getLogger(__name__).exception("refreshing the pages failed; trying again later")


def unset_public_url_warning(environ, *, public_url: str, port: int) -> str | None:
    """Return a warning when QSERVE_PUBLIC_URL is unset and the default `public_url` names another port than
    the one served: every ticket link, QR code and message would point where nothing answers."""
    if environ.get("QSERVE_PUBLIC_URL") or urlsplit(public_url).port == port:
        return None
    return (
        f"QSERVE_PUBLIC_URL is not set: ticket links, QR codes and messages point at {public_url}, not at"
        f" this server on port {port}; set it to the address customers reach (the scheduler needs the same)"
    )


def serve(*, host: str, port: int) -> None:
    """Run qserve on a gevent WSGI server that speaks WebSocket and long-polling."""
    import gevent
    from gevent.pywsgi import WSGIHandler, WSGIServer

    from qserve import create_app, pgwait
    from qserve.config import configure_logging

    configure_logging()

    class NoDelayHandler(WSGIHandler):
        """Disable Nagle's algorithm on every accepted connection, and close a connection once it has spoken
        WebSocket: its socket holds WebSocket frames then, not HTTP, and reading the client's closing frame
        as the next request logged an "Invalid HTTP method" for every page that went away."""

        def __init__(self, sock, address, server, rfile=None):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            super().__init__(sock, address, server, rfile)

        def run_application(self):
            try:
                super().run_application()
            finally:
                if self.environ.get("HTTP_UPGRADE", "").lower() == "websocket":
                    self.close_connection = True

    pgwait.install()
    app = create_app()
    if app.config["ASYNC_MODE"] != "gevent":
        raise SystemExit("qserve run serves with gevent; unset QSERVE_ASYNC_MODE")
    warning = unset_public_url_warning(os.environ, public_url=app.config["PUBLIC_URL"], port=port)
    if warning:
        logging.getLogger(__name__).warning(warning)
    if not app.config.get("REDIS_URL") and app.config.get("SELF_REFRESH_S", 0) > 0:
        gevent.spawn(keep_pages_fresh, app, app.config["SELF_REFRESH_S"])
    # What the app loaded to start (its modules, scikit-learn's, the estimator) lives as long as the process:
    # moved out of the collector's reach, the full collections a busy server runs now and then no longer
    # walk through it (each took 70 ms here).
    gc.collect()
    gc.freeze()
    server = WSGIServer((host, port), app, handler_class=NoDelayHandler, log=None)
    for signum in (signal.SIGTERM, signal.SIGINT):
        gevent.signal_handler(signum, stop_gracefully, server, signum)
    logging.getLogger(__name__).info("qserve listening on http://%s:%s", host, port)
    server.serve_forever()
    logging.getLogger(__name__).info("qserve stopped")


def stop_gracefully(server, signum: int) -> None:
    """Stop taking connections and give the requests under way up to STOP_TIMEOUT_S to finish (systemd's stop,
    a restart for an upgrade, Ctrl-C); pages and tablets reconnect by themselves, to another process or to
    this one started again. Without it, SIGTERM ended the process wherever it was."""
    import gevent

    if server.closed:  # stopping already (Ctrl-C in a terminal, then the TERM of whoever started it)
        return
    logging.getLogger(__name__).info(
        "qserve stopping (%s): finishing the requests under way", signal.Signals(signum).name
    )
    gevent.spawn(server.stop, timeout=STOP_TIMEOUT_S)
