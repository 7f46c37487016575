"""Checking a browser's PushSubscription JSON before it is stored and later posted to."""

from __future__ import annotations

import binascii
from urllib.parse import urlparse

from cryptography.hazmat.primitives.asymmetric import ec

from qserve.domain.errors import ValidationFailed
from qserve.notify.push import b64url_decode

MAX_ENDPOINT = 1000


def check_subscription(subscription: object, *, allow_insecure: bool = False) -> tuple[str, str, str]:
    """Return (endpoint, p256dh, auth) of a PushSubscription.toJSON() object, or raise ValidationFailed."""
    if not isinstance(subscription, dict):
        raise ValidationFailed("send the subscription as a JSON object", field="subscription")
    endpoint = subscription.get("endpoint")
    keys = subscription.get("keys")
    if not isinstance(endpoint, str) or not endpoint or len(endpoint) > MAX_ENDPOINT:
        raise ValidationFailed("endpoint must be the push service URL", field="endpoint")
    parsed = urlparse(endpoint)
    schemes = ("https", "http") if allow_insecure else ("https",)
    if parsed.scheme not in schemes or not parsed.hostname or parsed.username or parsed.password:
        raise ValidationFailed("endpoint must be an https URL of a push service", field="endpoint")
    if not isinstance(keys, dict):
        raise ValidationFailed("keys must hold p256dh and auth", field="keys")
    p256dh, auth = keys.get("p256dh"), keys.get("auth")
    if not _is_p256_point(p256dh):
        raise ValidationFailed("keys.p256dh must be a P-256 public key in base64url", field="keys.p256dh")
    if _decoded_length(auth) != 16:
        raise ValidationFailed("keys.auth must be 16 bytes in base64url", field="keys.auth")
    return endpoint, p256dh, auth


def _decoded_length(value: object) -> int | None:
    if not isinstance(value, str) or len(value) > 200:
        return None
    try:
        return len(b64url_decode(value))
    except (binascii.Error, ValueError):
        return None


def _is_p256_point(value: object) -> bool:
    if _decoded_length(value) != 65:
        return False
    try:
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), b64url_decode(value))
    except ValueError:
        return False
    return True
