"""Joining from a phone: a location's services with waits, the join form, and the printable QR poster."""

from __future__ import annotations

from datetime import time
from zoneinfo import ZoneInfo

from flask import current_app, make_response, redirect, render_template, request, url_for
from flask_babel import force_locale
from markupsafe import Markup

from qserve.db import read_session, utcnow
from qserve.domain.contact import normalize_phone
from qserve.domain.errors import (
    Conflict,
    LocationClosed,
    NotFound,
    ServiceClosed,
    ServiceFull,
    ValidationFailed,
)
from qserve.extensions import LANGUAGES, limiter
from qserve.formats import fill_clock, opening_day
from qserve.mobile.blueprint import LANGUAGE_COOKIE_AGE_S, bp, locale
from qserve.mobile.form import JoinForm, check, explain
from qserve.mobile.overview import location_overview
from qserve.mobile.qr import qr_svg
from qserve.mobile.wording import clock_text, texts, wait_text
from qserve.services import tickets as ticket_service
from qserve.services.locations import location_by_slug


def _join_limit() -> str:
    return current_app.config["RATELIMIT_JOIN"]


def _phone_limit() -> str:
    return current_app.config["RATELIMIT_JOIN_PER_PHONE"]


def _phone_key() -> str:
    """Key the per-phone limit by the number itself, however it was typed."""
    raw = request.form.get("phone", "")
    try:
        number = normalize_phone(raw, region=current_app.config.get("PHONE_REGION", "FI")) or ""
    except ValidationFailed:
        number = "".join(ch for ch in raw if ch.isdigit())
    return "phone:" + number


def _without_phone() -> bool:
    return _phone_key() == "phone:"


def _decorate(overview: dict) -> dict:
    """Add the phrases the templates show: wait ranges and today's closing time."""
    phrases = texts()
    for service in overview["services"]:
        service["wait_text"] = wait_text(phrases, service["estimated_wait"])
    closes_at = overview["hours"].closes_at
    overview["open_all_day"] = closes_at is not None and closes_at.time() == time.max
    overview["closes_text"] = clock_text(phrases, closes_at, overview["time_zone"]) if closes_at else None
    hours = overview["hours"]
    overview["break_text"] = (
        clock_text(phrases, hours.break_at, overview["time_zone"]) if hours.break_at else None
    )
    overview["back_text"] = (
        clock_text(phrases, hours.back_at, overview["time_zone"]) if hours.back_at else None
    )
    if overview["open_all_day"]:  # open until 24:00 (kept as the day's last instant, 23:59:59.999999)
        overview["closes_text"] = fill_clock(phrases["clock"], 24, 0)
    # When walk-ins may join again (past the last call: the next opening), else when a closed location opens.
    opens_at = overview.get("again_at") or overview["hours"].opens_at
    if opens_at is not None:
        opens_at = opens_at.astimezone(ZoneInfo(overview["time_zone"]))
    overview["opens_text"] = clock_text(phrases, opens_at, overview["time_zone"]) if opens_at else None
    overview["opens_on"] = opening_day(opens_at, overview["now"], locale()) if opens_at else None
    return overview


@bp.get("/join/<slug>")
def services_page(slug: str):
    """List a location's services with their waiting counts and estimated waits."""
    overview = _decorate(location_overview(slug, language=locale(), now=utcnow()))
    return render_template("mobile/services.html", overview=overview)


@bp.route("/join/<slug>/<int:service_id>", methods=["GET", "POST"])
@limiter.limit(_join_limit, methods=["POST"])
@limiter.limit(_phone_limit, key_func=_phone_key, methods=["POST"], exempt_when=_without_phone)
def join_page(slug: str, service_id: int):
    """Show the join form of one service, and join its queue when the form is sent."""
    overview = _decorate(location_overview(slug, language=locale(), now=utcnow()))
    service = next((s for s in overview["services"] if s["id"] == service_id), None)
    if service is None:
        raise NotFound("no such service at this location")
    if service["state"] != "open":
        return _unavailable(overview, service)
    if request.method == "GET":
        return render_template(
            "mobile/join.html", overview=overview, service=service, form=JoinForm(locale())
        )
    form = JoinForm.from_request(request, service["questions"], locale())
    form.errors = check(form, service["questions"], phone_region=overview["phone_region"])
    if not form.errors:
        try:
            view = ticket_service.join_queue(
                location_slug=slug,
                service_id=service_id,
                channel="remote",
                now=utcnow(),
                together=True,
                **form.arguments(),
            )
        except (ServiceClosed, ServiceFull) as error:
            return _refused(slug, service, error)
        except (ValidationFailed, Conflict) as error:
            form.errors = explain(error, form, service["questions"])
        else:
            return _joined(view["token"], form.language)
    page = render_template("mobile/join.html", overview=overview, service=service, form=form)
    return page, 422


def _joined(token: str, language: str):
    response = make_response(redirect(url_for("mobile.ticket_page", token=token), code=303))
    response.set_cookie("lang", language, max_age=LANGUAGE_COOKIE_AGE_S, samesite="Lax")
    return response


def _refused(slug: str, service: dict, error: Exception):
    """Show why a join was refused at the last moment (closed, full, by appointment only, site full, the
    location closed)."""
    overview = _decorate(location_overview(slug, language=locale(), now=utcnow()))
    fresh = next((s for s in overview["services"] if s["id"] == service["id"]), service)
    if isinstance(error, LocationClosed):
        fresh = fresh | {"state": "location_closed"}
    elif isinstance(error, ticket_service.AppointmentsOnly):
        fresh = fresh | {"state": "appointments_only"}
    elif isinstance(error, ticket_service.SiteFull):
        fresh = fresh | {"state": "site_full"}
    return _unavailable(overview, fresh)


def _unavailable(overview: dict, service: dict):
    """Say that a service cannot be joined now and offer the other ways in."""
    others = [s for s in overview["services"] if s["state"] == "open" and s["id"] != service["id"]]
    if service["state"] == "site_full":
        others = []  # the whole location is full, not just this service
    status = 409 if request.method == "POST" else 200
    page = render_template("mobile/unavailable.html", overview=overview, service=service, others=others)
    return page, status


@bp.get("/join/<slug>/poster")
def poster_page(slug: str):
    """Show a printable poster with a QR code that opens the location's join page."""
    with read_session() as session:
        location = location_by_slug(session, slug)
        name, chosen = location.name, [lang for lang in location.languages or [] if lang in LANGUAGES]
    url = f"{current_app.config['PUBLIC_URL'].rstrip('/')}/join/{slug}"
    languages = [locale()] + [lang for lang in chosen if lang != locale()]
    blocks = []
    for language in languages:
        with force_locale(language):
            blocks.append(Markup(render_template("mobile/_poster_block.html", language=language)))
    return render_template(
        "mobile/poster.html", name=name, url=url, qr=qr_svg(url, title=name), blocks=blocks
    )
