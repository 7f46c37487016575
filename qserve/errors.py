"""Map the one error hierarchy, and HTTP errors, to JSON for the API and friendly pages for people."""

from __future__ import annotations

import logging

from flask import Flask, jsonify, render_template, request
from flask_babel import get_locale, lazy_gettext
from flask_limiter.errors import RateLimitExceeded
from werkzeug.exceptions import HTTPException

from qserve.domain.errors import QServeError

log = logging.getLogger(__name__)


def wants_json() -> bool:
    """Tell whether the caller expects JSON rather than a page."""
    if request.path.startswith("/api/") or request.path.startswith("/hooks/"):
        return True
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return (
        best == "application/json" and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]
    )


# What a page tells a person about a status, in their language (the API's messages are for developers, in
# English: a page in English keeps the detailed one).
PAGE_MESSAGES = {
    400: lazy_gettext("The page could not understand what was sent. Please go back and try again."),
    403: lazy_gettext("You do not have access to this page."),
    404: lazy_gettext("This page does not exist."),
    405: lazy_gettext("This address does not take that kind of request."),
    409: lazy_gettext("That cannot be done now: things changed meanwhile. Please reload the page."),
    422: lazy_gettext("Something in what was sent is not valid. Please go back and check it."),
    429: lazy_gettext("Too many tries. Please wait a moment and try again."),
    500: lazy_gettext("Something went wrong on our side. It has been logged."),
}


def page_message(message: str, status: int) -> str:
    """Return what an error page says: the detailed message in English, the status's own words otherwise
    (and always for 429, whose detail, "10 per 1 minute", is the limiter's, not words for a person)."""
    if status == 429:
        return str(PAGE_MESSAGES[status])
    if str(get_locale() or "en") == "en" or status not in PAGE_MESSAGES:
        return message
    return str(PAGE_MESSAGES[status])


def json_error(code: str, message: str, status: int, field: str | None = None, extra: dict | None = None):
    """Build the JSON error body {"error": {"code", "message", "field"?, ...extra}} with its status."""
    body = {"error": {"code": code, "message": message}}
    if field:
        body["error"]["field"] = field
    body["error"].update(extra or {})
    return jsonify(body), status


def error_response(code: str, message: str, status: int, field: str | None = None, extra: dict | None = None):
    """Build the JSON error body (with what an error carries beyond its code and message, `extra`), or a
    friendly page, for a status."""
    if wants_json():
        return json_error(code, message, status, field, extra)
    page = render_template("error.html", code=code, message=page_message(message, status), status=status)
    return page, status


def register(app: Flask) -> None:
    """Install the error handlers on an app."""

    @app.errorhandler(QServeError)
    def _qserve_error(error: QServeError):
        return error_response(error.code, error.message, error.http_status, error.field, error.extra)

    @app.errorhandler(RateLimitExceeded)
    def _rate_limited(error: RateLimitExceeded):
        return error_response("rate_limited", f"too many requests: {error.description}", 429)

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException):
        code = (error.name or "error").lower().replace(" ", "_")
        return error_response(code, error.description or error.name, error.code or 500)

    @app.errorhandler(Exception)
    def _unexpected(error: Exception):
        log.exception("unexpected error on %s %s", request.method, request.path)
        return error_response("internal_error", "something went wrong on our side; it has been logged", 500)
