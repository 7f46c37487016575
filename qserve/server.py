"""Serve the app with gevent, with TCP_NODELAY so keep-alive clients do not stall on Nagle's algorithm."""

from __future__ import annotations

import logging
import socket


def serve(*, host: str, port: int) -> None:
    """Run qserve on a gevent WSGI server that speaks WebSocket and long-polling."""
    from gevent.pywsgi import WSGIHandler, WSGIServer

    from qserve import create_app

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")

    class NoDelayHandler(WSGIHandler):
        """Disable Nagle's algorithm on every accepted connection."""

        def __init__(self, sock, address, server, rfile=None):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            super().__init__(sock, address, server, rfile)

    app = create_app()
    if app.config["ASYNC_MODE"] != "gevent":
        raise SystemExit("qserve run serves with gevent; unset QSERVE_ASYNC_MODE")
    logging.getLogger(__name__).info("qserve listening on http://%s:%s", host, port)
    WSGIServer((host, port), app, handler_class=NoDelayHandler, log=None).serve_forever()
