"""The live ticket page, its no-script fallbacks, the web app manifest and the service worker."""

from __future__ import annotations

from contextlib import nullcontext
from pathlib import Path

from flask import jsonify, make_response, redirect, render_template, request, url_for
from flask_babel import force_locale, gettext

from qserve.db import read_session, utcnow
from qserve.domain.errors import Conflict, InvalidTransition
from qserve.domain.texts import in_language
from qserve.extensions import LANGUAGES
from qserve.mobile.blueprint import bp, language_asked, locale
from qserve.mobile.wording import (
    appointment_text,
    eta_text,
    position_text,
    status_text,
    texts,
    ticket_wait_text,
)
from qserve.services import tickets as ticket_service
from qserve.services.refresh import refreshed_view
from qserve.services.views import ticket_with_place

SERVICE_WORKER = Path(__file__).parent / "static" / "sw.js"
NOTES = ("postponed", "postpone_refused", "postpone_last", "cancel_refused")
REFUSALS = ("postpone_refused", "postpone_last", "cancel_refused")  # shown as warnings, not as done
START_PREFIXES = ("/t/", "/join/")


def _ticket_state(token: str) -> dict:
    """Read a ticket's public view and what its page needs around it."""
    with read_session() as session:
        ticket = ticket_service.ticket_by_token(session, token)
        view = ticket_with_place(session, ticket, now=utcnow())
        return {
            "view": view,
            "late_booking": view["late_booking_at"],
            "names": dict(ticket.service.names),
            "time_zone": ticket.location.time_zone,
        }


@bp.get("/t/<token>")
def ticket_page(token: str):
    """Show a ticket live: number, place in line, wait range, and the customer's actions."""
    switched = request.args.get("lang")
    if switched in LANGUAGES:  # chosen on this page: notifications follow the same language
        ticket_service.set_ticket_language(token=token, language=switched, now=utcnow())
    state = _ticket_state(token)
    # Without a choice made on a page, the ticket speaks the language given when joining.
    chosen = nullcontext() if language_asked() else force_locale(state["view"]["language"])
    with chosen:
        response = _render_ticket(state)
    response.headers["Cache-Control"] = "no-store"  # never show a stale ticket from the cache
    return response


def _render_ticket(state: dict):
    view, language, phrases, now = state["view"], locale(), texts(), utcnow()
    note = request.args.get("note")
    page = render_template(
        "mobile/ticket.html",
        view=view,
        service_name=in_language(state["names"], language) or view["service_name"],
        position=position_text(phrases, language, view["people_ahead"], view["ahead_appointments"]),
        wait=ticket_wait_text(
            phrases, view["estimated_wait"], view["expected_call_at"], state["time_zone"], now
        ),
        eta=eta_text(phrases, view["expected_call_at"], state["time_zone"], now),
        appointment=appointment_text(phrases, view.get("appointment_at"), state["time_zone"]),
        late_booking=appointment_text(phrases, state["late_booking"], state["time_zone"]),
        status=status_text(phrases, view),
        note=phrases.get(note) if note in NOTES else None,
        refused=note in REFUSALS,
        page_data={
            "view": view,
            "texts": phrases,
            "lang": language,
            "tz": state["time_zone"],
            "names": state["names"],
            "api": url_for("api.get_ticket", token=view["token"]),
        },
    )
    return make_response(page)


@bp.post("/t/<token>/postpone")
def postpone(token: str):
    """Ask for more time without the page script, then show the ticket again."""
    try:
        now = utcnow()
        refreshed_view(ticket_service.postpone_ticket(token=token, now=now), now=now)  # the page's new wait
        note = "postponed"
    except ticket_service.NobodyBehind:
        note = "postpone_last"
    except (Conflict, InvalidTransition):
        note = "postpone_refused"
    return redirect(url_for("mobile.ticket_page", token=token, note=note), code=303)


@bp.route("/t/<token>/cancel", methods=["GET", "POST"])
def cancel(token: str):
    """Confirm, then cancel a ticket without the page script."""
    if request.method == "GET":
        view = _ticket_state(token)["view"]
        # Like the ticket page it comes from: the ticket's language unless one was chosen on a page.
        with nullcontext() if language_asked() else force_locale(view["language"]):
            return render_template("mobile/cancel.html", view=view)
    try:
        ticket_service.cancel_ticket_by_customer(token=token, now=utcnow())
    except InvalidTransition:
        return redirect(url_for("mobile.ticket_page", token=token, note="cancel_refused"), code=303)
    return redirect(url_for("mobile.ticket_page", token=token), code=303)


@bp.get("/sw.js")
def service_worker():
    """Serve the service worker from the site root so that its scope covers every page."""
    response = make_response(SERVICE_WORKER.read_bytes())
    response.mimetype = "text/javascript"
    response.headers["Cache-Control"] = "no-cache"
    response.headers["Service-Worker-Allowed"] = "/"
    return response


@bp.get("/manifest.webmanifest")
def manifest():
    """Describe the web app for 'add to home screen', starting at the page it was added from."""
    start = request.args.get("start", "/")
    if not start.startswith(START_PREFIXES) or "//" in start or "\\" in start:
        start = "/"
    icon = "/mobile/static/"
    response = jsonify(
        {
            "name": gettext("qserve: my place in line"),
            "short_name": "qserve",
            "lang": locale(),
            "start_url": start,
            "scope": "/",
            "display": "standalone",
            "background_color": "#ffffff",
            "theme_color": "#0b5cad",
            "icons": [
                {"src": icon + "icon.svg", "sizes": "any", "type": "image/svg+xml"},
                {"src": icon + "icon-192.png", "sizes": "192x192", "type": "image/png"},
                {"src": icon + "icon-512.png", "sizes": "512x512", "type": "image/png", "purpose": "any"},
            ],
        }
    )
    response.mimetype = "application/manifest+json"
    return response
