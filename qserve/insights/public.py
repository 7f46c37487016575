"""The customer's feedback page (/feedback/<token>) with its "delete my personal data" button."""

from __future__ import annotations

from contextlib import nullcontext

from flask import Blueprint, redirect, render_template, request, url_for
from flask_babel import force_locale, get_locale, gettext
from flask_wtf.csrf import CSRFError

from qserve.db import utcnow
from qserve.domain.errors import Conflict, NotFound, ValidationFailed
from qserve.domain.texts import in_language
from qserve.insights.feedback import feedback_state, submit_feedback, visit_asks_for_feedback
from qserve.insights.privacy import erase_my_personal_data
from qserve.insights.texts import LANGUAGES, page_texts

bp = Blueprint(
    "feedback",
    __name__,
    template_folder="templates",
    static_folder="static",
    static_url_path="/insights/static",
)


@bp.errorhandler(CSRFError)
def form_expired(error: CSRFError):
    """Explain a refused answer or erase (its security token is missing or old) in the visit's language."""
    asked = request.form.get("lang")
    with force_locale(asked) if asked in LANGUAGES else nullcontext():
        message = gettext("This form has expired. Please go back, reload the page and send it again.")
        page = render_template("error.html", code="form_expired", message=message, status=400)
    return page, 400


def _render(token: str, *, status: int = 200, note: str | None = None, error: str | None = None):
    try:
        state = feedback_state(token=token, now=utcnow(), language=request.args.get("lang"))
    except NotFound:
        missing = render_template("insights/feedback_missing.html", texts=page_texts(str(get_locale())))
        return missing, 404
    texts = page_texts(state["language"])
    with force_locale(state["language"]):  # <html lang> says the language the visit's texts are in
        page = render_template(
            "insights/feedback.html",
            state=state,
            texts=texts,
            localized=in_language,
            note=note,
            error=error,
            languages=LANGUAGES,
        )
    return page, status


@bp.get("/feedback/<token>")
def page(token: str):
    """Show the visit's feedback form (or thanks, or expiry) and the erase button."""
    note = request.args.get("note")
    return _render(token, note=note if note in ("thanks", "erased") else None)


@bp.get("/t/<token>/feedback")
def from_ticket_link(token: str):
    """Send the link that notifications and the live ticket use to the feedback page, or back to the
    ticket when its location asks for no feedback (rather than showing an "expired" link)."""
    if not visit_asks_for_feedback(token=token):
        return redirect(f"/t/{token}")
    return redirect(url_for("feedback.page", token=token))


@bp.post("/feedback/<token>")
def answer(token: str):
    """Store the visit's answer and thank the customer."""
    form = request.form
    answers = {key[2:]: value for key, value in form.items() if key.startswith("q_")}
    try:
        submit_feedback(
            token=token,
            rating=form.get("rating"),
            recommendation=form.get("recommendation"),
            answers=answers,
            language=form.get("lang", "en"),
            now=utcnow(),
        )
    except ValidationFailed as error:
        return _render(token, status=422, error=error.field)
    except Conflict:
        return _render(token, status=409)
    return redirect(url_for("feedback.page", token=token, note="thanks", lang=form.get("lang")))


@bp.post("/feedback/<token>/erase")
def erase(token: str):
    """Erase the visit's personal data at once."""
    erase_my_personal_data(token=token, now=utcnow())
    return redirect(url_for("feedback.page", token=token, note="erased", lang=request.form.get("lang")))
