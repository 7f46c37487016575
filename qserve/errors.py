"""Map the one error hierarchy, and HTTP errors, to JSON for the API and friendly pages for people."""

from __future__ import annotations

import logging

from flask import Flask, jsonify, render_template, request
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


def error_response(code: str, message: str, status: int, field: str | None = None):
    """Build the JSON error body, or a friendly page, for a status."""
    if wants_json():
        body = {"error": {"code": code, "message": message}}
        if field:
            body["error"]["field"] = field
        return jsonify(body), status
    return render_template("error.html", code=code, message=message, status=status), status


def register(app: Flask) -> None:
    """Install the error handlers on an app."""

    @app.errorhandler(QServeError)
    def _qserve_error(error: QServeError):
        return error_response(error.code, error.message, error.http_status, error.field)

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
