"""Socket.IO: rooms per ticket, service, location display and counter; events published after commit."""

from __future__ import annotations

from flask import Flask

from qserve.events import EventBus
from qserve.realtime.publisher import Publisher


def init_app(app: Flask, bus: EventBus) -> None:
    """Register the namespaces and subscribe the publisher to committed events."""
    from qserve.realtime import namespaces  # noqa: F401  (handlers register on import)

    publisher = Publisher(app)
    app.extensions["qserve.publisher"] = publisher
    bus.subscribe(publisher.on_events)
