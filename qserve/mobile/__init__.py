"""The customer's phone: join a queue remotely, follow the live ticket, get notifications, print a poster."""

from __future__ import annotations

from flask import Flask

from qserve.events import EventBus


def init_app(app: Flask, bus: EventBus) -> None:
    """Register the phone pages, the web app manifest and the service worker."""
    from qserve.mobile import join, ticket  # noqa: F401  (routes register on import)
    from qserve.mobile.blueprint import bp

    app.register_blueprint(bp)
