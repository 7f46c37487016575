"""Reading request input: JSON bodies, typed fields, and the staff member behind a request."""

from __future__ import annotations

from datetime import date

from flask import current_app, request
from flask_login import current_user
from flask_wtf.csrf import CSRFError, validate_csrf

from qserve.db import read_session
from qserve.domain.actors import Actor
from qserve.domain.errors import BadRequest, Forbidden, Unauthorized, ValidationFailed
from qserve.services.accounts import actor_for, user_for_token


def date_arg(name: str, default: date) -> date:
    """Return a YYYY-MM-DD query argument as a date, or the default when it is not given."""
    raw = request.args.get(name)
    if not raw:
        return default
    try:
        return date.fromisoformat(raw)
    except ValueError as error:
        raise ValidationFailed("write dates as YYYY-MM-DD", field=name) from error


def json_body() -> dict:
    """Return the request's JSON object (an empty body counts as {})."""
    if not request.get_data():
        return {}
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise BadRequest("send a JSON object with Content-Type: application/json")
    return body


def int_field(body: dict, name: str, *, required: bool = True, default: int | None = None) -> int | None:
    """Return an integer field of a body, or raise ValidationFailed naming it."""
    value = body.get(name)
    if value is None:
        if required:
            raise ValidationFailed(f"{name} is required", field=name)
        return default
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ValidationFailed(f"{name} must be an integer", field=name)
    try:
        return int(value)
    except ValueError as error:
        raise ValidationFailed(f"{name} must be an integer", field=name) from error


def str_field(body: dict, name: str, *, max_length: int = 500) -> str | None:
    """Return an optional string field of a body, or raise ValidationFailed naming it."""
    value = body.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValidationFailed(f"{name} must be a string", field=name)
    if len(value) > max_length:
        raise ValidationFailed(f"{name} is longer than {max_length} characters", field=name)
    return value


def bool_field(body: dict, name: str, *, default: bool) -> bool:
    """Return a boolean field of a body, or raise ValidationFailed naming it."""
    value = body.get(name, default)
    if not isinstance(value, bool):
        raise ValidationFailed(f"{name} must be true or false", field=name)
    return value


def staff_actor() -> Actor:
    """Return the staff actor of a request: a bearer token, or a signed-in session with a CSRF header."""
    if "qserve.actor" in request.environ:
        return request.environ["qserve.actor"]
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        with read_session() as session:
            user = user_for_token(session, header.removeprefix("Bearer ").strip())
            actor = actor_for(user)
    elif current_user.is_authenticated:
        if request.method not in ("GET", "HEAD", "OPTIONS") and current_app.config.get(
            "WTF_CSRF_ENABLED", True
        ):
            try:
                validate_csrf(request.headers.get("X-CSRFToken", ""))
            except (CSRFError, Exception) as error:
                raise Forbidden("the page's security token is missing or expired; reload the page") from error
        actor = actor_for(current_user)
    else:
        raise Unauthorized("sign in or send Authorization: Bearer <token>")
    request.environ["qserve.actor"] = actor
    return actor
