"""A local HTTP server playing Twilio's Messages API for the real twilio client.

It accepts `POST /2010-04-01/Accounts/{sid}/Messages.json` with Basic auth, answers like Twilio (201 with a
message resource, or an error JSON), lists messages with `GET` on the same path, and fails on demand:
`fail_next("500")`, `fail_next("timeout", accepted=True)` (take the message, answer too late),
`fail_next("invalid_number")` (400 code 21211), `fail_next("opted_out")` (400 code 21610), `fail_next("429")`.
"""

from __future__ import annotations

import base64
import itertools
import json
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

from twilio.request_validator import RequestValidator

ACCOUNT_SID = "AC" + "0" * 32
AUTH_TOKEN = "test-auth-token"

ERRORS = {
    "500": (500, 20500, "Internal Server Error"),
    "429": (429, 20429, "Too Many Requests"),
    "invalid_number": (400, 21211, "The 'To' number is not a valid phone number."),
    "opted_out": (400, 21610, "Attempt to send to unsubscribed recipient"),
}


class FakeTwilio:
    """Twilio's Messages API on loopback, recording what the client sent."""

    def __init__(self, *, clock: Callable[[], datetime] | None = None, timeout_delay_s: float = 1.5) -> None:
        self.clock = clock or (lambda: datetime.now(UTC))
        self.timeout_delay_s = timeout_delay_s
        self.requests: list[dict] = []  # every create attempt, failed or not
        self.messages: list[dict] = []  # messages accepted (what the customer would get)
        self._failures: list[tuple[str, bool]] = []
        self._lock = threading.Lock()
        self._sids = itertools.count(1)
        self._stopping = threading.Event()
        self.server = _Server(("127.0.0.1", 0), _Handler)
        self.server.fake = self
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        """Return the URL to give the twilio client as api.base_url."""
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def start(self) -> FakeTwilio:
        """Start serving in a thread."""
        self.thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and release the port."""
        self._stopping.set()
        self.server.shutdown()
        self.server.server_close()

    def fail_next(self, mode: str, *, times: int = 1, accepted: bool = False) -> None:
        """Make the next create requests fail; `accepted` takes a timed-out message anyway."""
        with self._lock:
            self._failures += [(mode, accepted)] * times

    def bodies_to(self, phone: str) -> list[str]:
        """Return the texts accepted for a number, oldest first."""
        return [m["body"] for m in self.messages if m["to"] == phone]

    def _next_failure(self) -> tuple[str, bool] | None:
        with self._lock:
            return self._failures.pop(0) if self._failures else None

    def _accept(self, form: dict) -> dict:
        sid = f"SM{next(self._sids):032d}"
        message = {
            "sid": sid,
            "account_sid": ACCOUNT_SID,
            "to": form.get("To"),
            "from": form.get("From"),
            "messaging_service_sid": form.get("MessagingServiceSid"),
            "body": form.get("Body"),
            "status": "queued",
            "status_callback": form.get("StatusCallback"),
            "date_created": format_datetime(self.clock().astimezone(UTC), usegmt=True),
            "num_segments": "1",
            "direction": "outbound-api",
            "uri": f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages/{sid}.json",
        }
        with self._lock:
            self.messages.append(message)
        return message


class _Handler(BaseHTTPRequestHandler):
    """Answer like Twilio's Messages endpoint for the FakeTwilio set on the server."""

    server: _Server

    def log_message(self, *args):  # keep test output clean
        pass

    def _send(self, status: int, body: dict) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _refusal(self) -> bool:
        """Answer 404 or 401 like Twilio when the path or the credentials are wrong."""
        if urlparse(self.path).path != f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json":
            self._send(404, {"code": 20404, "message": "not found", "status": 404})
            return True
        expected = base64.b64encode(f"{ACCOUNT_SID}:{AUTH_TOKEN}".encode()).decode()
        if self.headers.get("Authorization") != f"Basic {expected}":
            self._send(401, {"code": 20003, "message": "Authenticate", "status": 401})
            return True
        return False

    def do_GET(self):  # noqa: N802
        if self._refusal():
            return
        fake = self.server.fake
        to = parse_qs(urlparse(self.path).query).get("To", [None])[0]
        with fake._lock:
            found = [m for m in reversed(fake.messages) if to is None or m["to"] == to]
        page = {"messages": found[:50], "next_page_uri": None, "page": 0, "page_size": 50}
        self._send(200, page | {"uri": urlparse(self.path).path, "first_page_uri": None, "end": 0})

    def do_POST(self):  # noqa: N802
        length = int(self.headers.get("Content-Length") or 0)
        form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
        if self._refusal():
            return
        fake = self.server.fake
        with fake._lock:
            fake.requests.append(form)
        failure = fake._next_failure()
        if failure and failure[0] == "timeout":
            return self._answer_late(fake, form, accepted=failure[1])
        if failure:
            status, code, text = ERRORS[failure[0]]
            return self._send(status, {"code": code, "message": text, "more_info": "", "status": status})
        self._send(201, fake._accept(form))

    def _answer_late(self, fake: FakeTwilio, form: dict, *, accepted: bool) -> None:
        if accepted:
            fake._accept(form)
        fake._stopping.wait(fake.timeout_delay_s)  # answer after the client gave up
        try:
            self._send(500, {"code": 20500, "message": "late", "status": 500})
        except OSError:
            pass  # the client has hung up, as intended


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    fake: FakeTwilio


def twilio_signature(url: str, params: dict, token: str = AUTH_TOKEN) -> str:
    """Sign a webhook request the way Twilio does."""
    return RequestValidator(token).compute_signature(url, params)
