"""Plug notifications into an app: the outbox handler, the webhooks, and the channels built from config."""

from __future__ import annotations

from collections.abc import Mapping

from flask import Flask, current_app

from qserve.events import EventBus
from qserve.notify.channels import Channel
from qserve.notify.email import EmailChannel
from qserve.notify.policy import enqueue_notifications
from qserve.notify.push import PushChannel
from qserve.notify.sms import SmsChannel

CHANNELS_KEY = "qserve.notify.channels"


def init_app(app: Flask, bus: EventBus) -> None:
    """Write notifications in every ticket transaction and serve the notification endpoints."""
    from qserve.extensions import csrf
    from qserve.notify.webhooks import bp

    bus.add_handler(enqueue_notifications)
    app.register_blueprint(bp)
    csrf.exempt(bp)  # signed by Twilio, or JSON from the ticket page like the rest of the API


def build_channels(config: Mapping) -> dict[str, Channel]:
    """Build the channels that are configured (none opens a connection before it sends)."""
    channels: dict[str, Channel] = {}
    if config.get("VAPID_KEY_FILE"):
        channels["push"] = PushChannel(
            vapid_key_file=config["VAPID_KEY_FILE"],
            subject=config.get("VAPID_SUBJECT") or "mailto:admin@localhost",
        )
    sender = config.get("TWILIO_FROM_NUMBER") or config.get("TWILIO_MESSAGING_SERVICE_SID")
    if config.get("TWILIO_ACCOUNT_SID") and config.get("TWILIO_AUTH_TOKEN") and sender:
        base = (config.get("PUBLIC_URL") or "").rstrip("/")
        channels["sms"] = SmsChannel(
            account_sid=config["TWILIO_ACCOUNT_SID"],
            auth_token=config["TWILIO_AUTH_TOKEN"],
            from_number=config.get("TWILIO_FROM_NUMBER"),
            messaging_service_sid=config.get("TWILIO_MESSAGING_SERVICE_SID"),
            base_url=config.get("TWILIO_BASE_URL"),
            # Twilio can only call back a public https address; a local one would make it refuse the SMS.
            status_callback_url=f"{base}/hooks/twilio/status" if base.startswith("https://") else None,
        )
    if config.get("SMTP_HOST"):
        channels["email"] = EmailChannel(
            host=config["SMTP_HOST"],
            port=int(config.get("SMTP_PORT") or 25),
            sender=config.get("SMTP_FROM") or "qserve@localhost",
            username=config.get("SMTP_USERNAME"),
            password=config.get("SMTP_PASSWORD"),
            starttls=bool(config.get("SMTP_STARTTLS")),
        )
    return channels


def app_channels(app: Flask | None = None) -> dict[str, Channel]:
    """Return the current app's channels, built once."""
    app = app or current_app
    if CHANNELS_KEY not in app.extensions:
        app.extensions[CHANNELS_KEY] = build_channels(app.config)
    return app.extensions[CHANNELS_KEY]
