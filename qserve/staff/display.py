"""The waiting-room display: a page per location and the state it resyncs from."""

from __future__ import annotations

from flask import Blueprint, jsonify, render_template
from flask_babel import force_locale

from qserve.db import read_session, utcnow
from qserve.formats import Figures
from qserve.staff.strings import display_strings
from qserve.staff.views import announcements, display_state

bp = Blueprint("display", __name__, url_prefix="/display")


@bp.get("/<slug>")
def page(slug: str):
    """Show a location's waiting-room display, written in the location's first language."""
    with read_session() as session:
        state = display_state(session, slug=slug, now=utcnow())
    language = primary_language_of(state)
    with force_locale(language):
        config = {
            "location": slug,
            "language": language,
            "clock": Figures(language).clock_pattern(),
            "speech": announcements(state["languages"]),
            "strings": display_strings(),
            "state": state,
        }
        return render_template("staff/display.html", state=state, config=config, language=language)


@bp.get("/<slug>/state")
def state(slug: str):
    """Return the display's state: latest calls, waiting counts, the message line and the server time."""
    with read_session() as session:
        response = jsonify(display_state(session, slug=slug, now=utcnow()))
    response.headers["Cache-Control"] = "no-store"
    return response


def primary_language_of(state: dict) -> str:
    """Return the language a display's state is shown in."""
    return state["languages"][0] if state["languages"] else "en"
