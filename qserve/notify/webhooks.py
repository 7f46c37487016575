"""Notification endpoints: Twilio's inbound SMS and status webhooks, push subscriptions, VAPID key."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify, request
from twilio.request_validator import SIGNATURE_HEADER, SIGNATURE_SETTINGS_HEADER, RequestValidator
from twilio.request_validator import get_signature_algorithm as signature_algorithm
from twilio.twiml.messaging_response import MessagingResponse

from qserve.db import utcnow
from qserve.domain.errors import BadRequest, Forbidden, NotFound
from qserve.extensions import limiter
from qserve.notify import inbound, usecases
from qserve.notify.policy import public_url
from qserve.notify.push import application_server_key, load_or_create_vapid

bp = Blueprint("notify", __name__)


def signed_url() -> str:
    """Return the URL the provider called, rebuilt from PUBLIC_URL (a proxy may have changed the host)."""
    query = request.query_string.decode("latin-1")
    return public_url().rstrip("/") + request.path + (f"?{query}" if query else "")


def require_twilio_signature() -> None:
    """Refuse (403) a webhook that Twilio did not sign with our auth token."""
    token = current_app.config.get("TWILIO_AUTH_TOKEN")
    signature = request.headers.get(SIGNATURE_HEADER)
    if not token or not signature:
        raise Forbidden("this webhook accepts only requests signed by the SMS provider")
    algorithm = signature_algorithm(request.headers.get(SIGNATURE_SETTINGS_HEADER))
    if not RequestValidator(token).validate(signed_url(), request.form, signature, algorithm):
        raise Forbidden("the SMS provider's signature does not match")


def twiml(text: str) -> Response:
    """Answer an inbound SMS with one reply message."""
    answer = MessagingResponse()
    answer.message(text)
    return Response(str(answer), mimetype="application/xml")


@bp.post("/hooks/twilio/sms")
def inbound_sms():
    """Act on a customer's SMS keyword and reply with TwiML."""
    require_twilio_signature()
    sender, sid = request.form.get("From", ""), request.form.get("MessageSid", "")
    if not sender or not sid:
        raise BadRequest("From and MessageSid are required")
    reply = inbound.handle_inbound_sms(
        message_sid=sid[:64], phone=sender[:32], body=request.form.get("Body", "")[:1600], now=utcnow()
    )
    return twiml(reply)


@bp.post("/hooks/twilio/status")
def sms_status():
    """Store a delivery status callback of a sent SMS."""
    require_twilio_signature()
    sid = request.form.get("MessageSid") or request.form.get("SmsSid")
    status = request.form.get("MessageStatus") or request.form.get("SmsStatus")
    if not sid or not status:
        raise BadRequest("MessageSid and MessageStatus are required")
    usecases.record_sms_status(
        message_sid=sid[:64], status=status, error_code=request.form.get("ErrorCode"), now=utcnow()
    )
    return Response(status=204)


@bp.post("/api/v1/tickets/<token>/push-subscriptions")
@limiter.limit("30 per minute")
def add_push_subscription(token: str):
    """Store the browser's push subscription of a ticket's page (201 new, 200 known)."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise BadRequest("send the PushSubscription as a JSON object")
    subscription = body.get("subscription", body)
    subscription_id, created = usecases.add_push_subscription(
        token=token,
        subscription=subscription,
        now=utcnow(),
        allow_insecure=bool(current_app.config.get("TESTING")),
    )
    return jsonify({"id": subscription_id}), 201 if created else 200


@bp.get("/api/v1/push/public-key")
def push_public_key():
    """Return the VAPID public key the page passes to pushManager.subscribe() as applicationServerKey."""
    key = current_app.extensions.get("qserve.notify.vapid_public_key")
    if key is None:
        path = current_app.config.get("VAPID_KEY_FILE")
        if not path:
            raise NotFound("web push is not configured")
        key = application_server_key(load_or_create_vapid(path))
        current_app.extensions["qserve.notify.vapid_public_key"] = key
    return jsonify({"public_key": key})
