"""Feedback after the visit, privacy and retention, and the manager's dashboard and reports."""

from __future__ import annotations

from flask import Flask

from qserve.events import EventBus


def init_app(app: Flask, bus: EventBus) -> None:
    """Register the feedback page, the manager dashboard and the feedback-request publisher."""
    from qserve.insights import dashboard, public
    from qserve.insights.realtime import publish_feedback_requests

    app.register_blueprint(public.bp)
    app.register_blueprint(dashboard.bp)
    bus.subscribe(publish_feedback_requests)
