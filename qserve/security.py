"""Security headers on every response.

Pages run only qserve's own scripts (script-src 'self': an injected <script> or event handler does not run),
talk only to qserve (connect-src 'self', which takes in the Socket.IO WebSocket of the same host) and post
forms only to it; no other site may frame them (clickjacking a "Call next" or an admin form), except the
waiting-room display, which signage players show inside layouts of their own. Ticket addresses carry the
ticket's secret token, so no page tells another site where the reader came from.

Inline style attributes stay allowed (a few pages and charts set them; what an attacker needs is script)."""

from __future__ import annotations

from flask import Flask, Response, request

_POLICY = (
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
)
PAGE_HEADERS = {
    "Content-Security-Policy": "; ".join((*_POLICY, "frame-ancestors 'none'")),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}
FRAMEABLE_HEADERS = PAGE_HEADERS | {"Content-Security-Policy": "; ".join(_POLICY)}
del FRAMEABLE_HEADERS["X-Frame-Options"]
FRAMEABLE_BLUEPRINTS = frozenset({"display"})  # the waiting-room display


def add_security_headers(response: Response) -> Response:
    """Add the security headers a response does not set itself."""
    headers = FRAMEABLE_HEADERS if request.blueprint in FRAMEABLE_BLUEPRINTS else PAGE_HEADERS
    for name, value in headers.items():
        response.headers.setdefault(name, value)
    return response


def init_app(app: Flask) -> None:
    """Send the security headers with every response."""
    app.after_request(add_security_headers)
