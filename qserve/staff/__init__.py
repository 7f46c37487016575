"""The staff tablet (/staff/) and the waiting-room display (/display/<location>)."""

from __future__ import annotations

from flask import Flask

from qserve.events import EventBus


def init_app(app: Flask, bus: EventBus) -> None:
    """Register the staff tablet's and the display's blueprints."""
    from qserve.staff import api, display, pages  # noqa: F401  (routes register on import)

    app.register_blueprint(pages.bp)
    app.register_blueprint(display.bp)
