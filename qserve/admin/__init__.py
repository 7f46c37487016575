"""Administration in the browser: locations, services, counters, kiosks, accounts and settings, audited."""

from __future__ import annotations

from flask import Flask

from qserve.events import EventBus


def init_app(app: Flask, bus: EventBus) -> None:
    """Register the /admin/ pages and the hook that audits changes made inside other use cases."""
    from qserve.admin import settings_views, views  # noqa: F401 - settings_views adds its routes to views.bp
    from qserve.admin.audit import install_join_hook

    install_join_hook()
    app.register_blueprint(views.bp)
