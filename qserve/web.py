"""The landing page and small shared pages."""

from __future__ import annotations

from flask import Blueprint, Flask, Response, redirect, render_template, request
from flask_babel import get_locale, refresh
from sqlalchemy import select

from qserve.db import read_session
from qserve.extensions import LANGUAGES
from qserve.models import Location

bp = Blueprint("web", __name__)
LANGUAGE_COOKIE_AGE_S = 365 * 24 * 3600


@bp.get("/")
def index():
    """List the locations with links to their pages."""
    with read_session() as session:
        locations = list(session.scalars(select(Location).order_by(Location.id)))
        return render_template("index.html", locations=locations)


@bp.get("/favicon.ico")
def favicon():
    """Send browsers that ask for the classic icon address to qserve's icon (pages name it themselves)."""
    return redirect("/static/favicon.svg", code=301)


@bp.get("/healthz")
def health():
    """Answer a liveness probe (also the ceiling endpoint of the throughput benchmark)."""
    return {"ok": True}


def page_language() -> str:
    """Return the language of the page being rendered, for <html lang> (screen readers and hyphenation)."""
    return str(get_locale() or "en")


def choose_language_per_request() -> None:
    """Decide the language afresh for every request, even inside an outer app context (tests, tasks)."""
    refresh()


def remember_language(response: Response) -> Response:
    """Keep a language picked with ?lang= in a cookie, so the next pages speak it too."""
    asked = request.args.get("lang")
    already = any(cookie.startswith("lang=") for cookie in response.headers.getlist("Set-Cookie"))
    if asked in LANGUAGES and not already:
        response.set_cookie("lang", asked, max_age=LANGUAGE_COOKIE_AGE_S, samesite="Lax")
    return response


def init_app(app: Flask) -> None:
    """Register the shared pages; every page chooses its language per request and says it in <html lang>."""
    app.register_blueprint(bp)
    app.before_request(choose_language_per_request)
    app.after_request(remember_language)
    app.jinja_env.globals.setdefault("get_locale", page_language)
