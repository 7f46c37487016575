"""Web Push with pywebpush: a VAPID key pair made on first run and kept, and subscriptions that expire."""

from __future__ import annotations

import base64
import json
import os
import tempfile
from pathlib import Path

import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from py_vapid import Vapid
from pywebpush import WebPushException, webpush

from qserve.notify.channels import (
    Outgoing,
    PermanentError,
    PushTarget,
    Recipient,
    Sent,
    SubscriptionGone,
    TransientError,
)

GONE_STATUSES = {404, 410}


def b64url(data: bytes) -> str:
    """Encode bytes as unpadded base64url, the encoding of Web Push keys."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    """Decode unpadded (or padded) base64url."""
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def load_or_create_vapid(path: str | os.PathLike) -> Vapid:
    """Return the VAPID key kept in a file, creating it once (atomically, even with several processes)."""
    file = Path(path)
    if not file.exists():
        key = ec.generate_private_key(ec.SECP256R1())
        raw = b64url(key.private_numbers().private_value.to_bytes(32, "big"))
        file.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("w", dir=file.parent, delete=False) as temporary:
            temporary.write(raw + "\n")
        os.chmod(temporary.name, 0o600)
        try:
            os.link(temporary.name, file)  # fails if another process made the key first: keep theirs
        except FileExistsError:
            pass
        finally:
            os.unlink(temporary.name)
    # The raw 32-byte key in base64url: what py_vapid reads without guessing (a PEM string fails).
    return Vapid.from_raw(file.read_text().strip().encode("ascii"))


def application_server_key(vapid: Vapid) -> str:
    """Return the public key a page passes to pushManager.subscribe() as applicationServerKey."""
    point = vapid.public_key.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return b64url(point)


def push_payload(message: Outgoing) -> str:
    """Return the JSON the service worker receives: title, body, url, kind and a tag to replace older ones."""
    return json.dumps(
        {
            "title": message.title,
            "body": message.text,
            "url": message.url or message.page_url,
            "kind": message.kind,
            "tag": message.tag,
        },
        ensure_ascii=False,
    )


class PushChannel:
    """Deliver to the browsers that subscribed on a ticket's page."""

    name = "push"

    def __init__(self, *, vapid_key_file: str, subject: str, timeout_s: float = 10.0) -> None:
        self.vapid = load_or_create_vapid(vapid_key_file)
        self.subject = subject
        self.timeout_s = timeout_s
        self.session = requests.Session()

    @property
    def public_key(self) -> str:
        """Return the applicationServerKey of this server."""
        return application_server_key(self.vapid)

    def targets(self, recipient: Recipient) -> list[PushTarget]:
        """Return the ticket's push subscriptions."""
        return list(recipient.subscriptions)

    def send(self, target: PushTarget, message: Outgoing) -> Sent:
        """Encrypt and post one notification to a browser's push service."""
        info = {"endpoint": target.endpoint, "keys": {"p256dh": target.p256dh, "auth": target.auth}}
        try:
            response = webpush(
                subscription_info=info,
                data=push_payload(message),
                vapid_private_key=self.vapid,
                vapid_claims={"sub": self.subject},  # a fresh dict each call: webpush() adds aud and exp
                ttl=message.ttl_s,
                timeout=self.timeout_s,
                headers={"Urgency": "high" if message.urgent else "normal"},
                requests_session=self.session,
            )
        except WebPushException as error:
            raise classify_push_error(error) from error
        except requests.exceptions.RequestException as error:
            raise TransientError(f"push service did not answer: {error}") from error
        except (ValueError, TypeError) as error:  # keys that do not decode: the subscription is unusable
            raise SubscriptionGone(f"unusable subscription keys: {error}") from error
        return Sent(response.headers.get("Location"), {"status": response.status_code})


def classify_push_error(error: WebPushException) -> Exception:
    """Map a push service answer to gone (delete), transient (retry) or permanent (next channel)."""
    status = error.status_code
    text = f"push service answered {status}: {error.message}"
    if status in GONE_STATUSES:
        return SubscriptionGone(text)
    if status is None or status >= 500 or status == 429:
        return TransientError(text)
    return PermanentError(text)
