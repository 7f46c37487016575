"""The phone pages' blueprint: language remembered in a cookie, friendly translated error pages."""

from __future__ import annotations

from flask import Blueprint, Response, render_template, request
from flask_babel import get_locale, gettext, refresh
from flask_limiter.errors import RateLimitExceeded
from flask_wtf.csrf import CSRFError

from qserve.domain.errors import NotFound
from qserve.domain.texts import in_language
from qserve.extensions import LANGUAGES
from qserve.mobile.wording import LANGUAGE_NAMES

bp = Blueprint(
    "mobile", __name__, template_folder="templates", static_folder="static", static_url_path="/mobile/static"
)
LANGUAGE_COOKIE_AGE_S = 365 * 24 * 3600


def locale() -> str:
    """Return the language the page is being rendered in."""
    return str(get_locale() or "en")


def language_asked() -> str | None:
    """Return the language the visitor chose on a page or earlier (query, then cookie), if any."""
    asked = request.args.get("lang") or request.cookies.get("lang")
    return asked if asked in LANGUAGES else None


@bp.before_request
def choose_language_per_request() -> None:
    """Decide the language afresh for every request, even inside an outer app context (tests, tasks)."""
    refresh()


@bp.after_request
def remember_language(response: Response) -> Response:
    """Keep the language picked with ?lang= in a cookie; pages vary by it."""
    asked = request.args.get("lang")
    already = any(cookie.startswith("lang=") for cookie in response.headers.getlist("Set-Cookie"))
    if asked in LANGUAGES and not already:
        response.set_cookie("lang", asked, max_age=LANGUAGE_COOKIE_AGE_S, samesite="Lax")
    response.vary.add("Cookie")
    response.vary.add("Accept-Language")
    return response


@bp.context_processor
def page_context() -> dict:
    """Give the phone templates the locale, the language switcher and the label helper."""
    return {"locale": locale(), "language_names": LANGUAGE_NAMES, "label": in_language}


@bp.errorhandler(NotFound)
def not_found(error: NotFound):
    """Show a translated page for a ticket or location that does not exist."""
    if request.path.startswith("/t/"):  # a ticket's link: mistyped, cut short, or of a visit long deleted
        message = gettext(
            "We cannot find this ticket. The link may be incomplete, or the ticket was deleted some days "
            "after its visit. Please ask at the desk."
        )
        return render_template("mobile/problem.html", message=message), 404
    message = gettext("We cannot find this page. Check the link, or ask at the desk.")
    return render_template("mobile/problem.html", message=message), 404


@bp.errorhandler(RateLimitExceeded)
def rate_limited(error: RateLimitExceeded):
    """Ask the customer to wait when they try to join too often."""
    message = gettext("Too many attempts from this phone or connection. Please wait a minute and try again.")
    return render_template("mobile/problem.html", message=message), 429


@bp.errorhandler(CSRFError)
def form_expired(error: CSRFError):
    """Explain a refused form (its security token is missing or old) in the customer's language."""
    message = gettext("This form has expired. Please go back, reload the page and send it again.")
    return render_template("mobile/problem.html", message=message), 400
