"""Flask extensions, created unbound at import and bound to an app in create_app."""

from __future__ import annotations

import functools

import flask
import flask_limiter
from flask import current_app, request
from flask_babel import Babel
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_socketio import SocketIO
from flask_wtf.csrf import CSRFProtect

socketio = SocketIO()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()


class Limiter(flask_limiter.Limiter):
    """flask-limiter, whose route limits are skipped outright while an app has rate limiting off (its own
    checks still cost about 35 µs a request when disabled, a tenth of a join's HTTP handling)."""

    def limit(self, *args, **kwargs):
        """Return a route decorator like flask-limiter's, bypassed while RATELIMIT_ENABLED is false."""
        route_limit = super().limit(*args, **kwargs)

        def decorate(view):
            if isinstance(view, flask.Blueprint):  # a blueprint's limits are flask-limiter's own business
                return route_limit(view)
            limited = route_limit(view)

            @functools.wraps(view)
            def view_or_limited(*view_args, **view_kwargs):
                if current_app.config.get("RATELIMIT_ENABLED", True):
                    return limited(*view_args, **view_kwargs)
                return view(*view_args, **view_kwargs)

            # Stacked limits are checked once, by the innermost: tell the outer ones this wraps a limit.
            setattr(view_or_limited, "__wrapper-limiter-instance", self)  # noqa: B010
            return view_or_limited

        return decorate


limiter = Limiter(key_func=get_remote_address, default_limits=[])

LANGUAGES = ("en", "fi", "sv", "pl")


def select_locale() -> str:
    """Choose the interface language: ?lang=, then the lang cookie, then the browser's preference."""
    asked = request.args.get("lang") or request.cookies.get("lang")
    if asked in LANGUAGES:
        return asked
    return request.accept_languages.best_match(LANGUAGES) or "en"
