"""A local push service: it takes Web Push posts, checks the VAPID token, and decrypts the payload.

Subscriptions are browser-like: a P-256 key pair and 16 random auth bytes, as `pushManager.subscribe()`
makes them. `gone` endpoints answer 410, and `fail_next(status)` answers the next posts with an error.
"""

from __future__ import annotations

import base64
import json
import os
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlparse

import http_ece
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature


def b64url(data: bytes) -> str:
    """Encode bytes as unpadded base64url."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    """Decode unpadded base64url."""
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class BrowserSubscription:
    """What a browser keeps for one push subscription: its private key and auth secret."""

    endpoint: str
    private_key: ec.EllipticCurvePrivateKey = field(
        default_factory=lambda: ec.generate_private_key(ec.SECP256R1())
    )
    auth_secret: bytes = field(default_factory=lambda: os.urandom(16))

    def to_json(self) -> dict:
        """Return what PushSubscription.toJSON() gives the page."""
        public = self.private_key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        return {
            "endpoint": self.endpoint,
            "expirationTime": None,
            "keys": {"p256dh": b64url(public), "auth": b64url(self.auth_secret)},
        }

    def decrypt(self, body: bytes) -> dict:
        """Decrypt an aes128gcm push message body and return the JSON it carries."""
        plain = http_ece.decrypt(
            body, private_key=self.private_key, auth_secret=self.auth_secret, version="aes128gcm"
        )
        return json.loads(plain)


def verify_vapid(header: str, endpoint: str) -> dict:
    """Check a `vapid t=<jwt>,k=<key>` Authorization header like a push service; return its claims."""
    scheme, _, rest = header.partition(" ")
    assert scheme == "vapid", header
    parts = dict(part.split("=", 1) for part in rest.split(","))
    head, claims, signature = parts["t"].split(".")
    key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64url(parts["k"]))
    raw = unb64url(signature)
    der = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
    try:
        key.verify(der, f"{head}.{claims}".encode(), ec.ECDSA(hashes.SHA256()))
    except InvalidSignature as error:
        raise AssertionError("VAPID signature does not verify") from error
    payload = json.loads(unb64url(claims))
    origin = urlparse(endpoint)
    assert payload["aud"] == f"{origin.scheme}://{origin.netloc}", payload
    assert payload["exp"] > time.time(), payload
    return payload


class PushEndpoint:
    """The push service of every browser in a test, on loopback."""

    def __init__(self) -> None:
        self.received: list[dict] = []  # {"path", "headers", "body", "claims"}
        self.gone: set[str] = set()
        self._failures: list[int] = []
        self._lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> PushEndpoint:
        """Start serving in a thread."""
        self.thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and release the port."""
        self.server.shutdown()
        self.server.server_close()

    def subscribe(self, name: str = "browser") -> BrowserSubscription:
        """Make a browser-like subscription whose endpoint is on this server."""
        port = self.server.server_address[1]
        return BrowserSubscription(endpoint=f"http://127.0.0.1:{port}/push/{name}-{os.urandom(4).hex()}")

    def expire(self, subscription: BrowserSubscription) -> None:
        """Make a subscription answer 410 Gone from now on."""
        self.gone.add(urlparse(subscription.endpoint).path)

    def fail_next(self, status: int, *, times: int = 1) -> None:
        """Answer the next posts with an HTTP error status."""
        with self._lock:
            self._failures += [status] * times

    def delivered_to(self, subscription: BrowserSubscription) -> list[dict]:
        """Return the decrypted payloads accepted for a subscription, oldest first."""
        path = urlparse(subscription.endpoint).path
        return [subscription.decrypt(r["body"]) for r in self.received if r["path"] == path]

    def _handler(self):
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with endpoint._lock:
                    failure = endpoint._failures.pop(0) if endpoint._failures else None
                status = 410 if self.path in endpoint.gone else failure or 201
                if status == 201:
                    url = f"http://127.0.0.1:{endpoint.server.server_address[1]}{self.path}"
                    claims = verify_vapid(self.headers["Authorization"], url)
                    record = {
                        "path": self.path,
                        "headers": dict(self.headers),
                        "body": body,
                        "claims": claims,
                    }
                    with endpoint._lock:
                        endpoint.received.append(record)
                self.send_response(status)
                if status == 201:
                    self.send_header("Location", f"{self.path}/messages/{len(endpoint.received)}")
                self.send_header("Content-Length", "0")
                self.end_headers()

        return Handler
