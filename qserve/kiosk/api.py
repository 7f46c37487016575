"""The kiosk's JSON endpoints, and the staff endpoints for reprints and printer status."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request
from werkzeug.exceptions import HTTPException

from qserve.api.inputs import bool_field, int_field, json_body, staff_actor, str_field
from qserve.db import read_session, utcnow
from qserve.domain.errors import NotFound, QServeError, ValidationFailed
from qserve.errors import json_error
from qserve.extensions import limiter
from qserve.kiosk.checkin import check_in_at_kiosk, clean_booking_code
from qserve.kiosk.delivery import kick_delivery
from qserve.kiosk.kiosks import KioskSettings, kiosk_at, settings_of
from qserve.kiosk.printers import printer_overview
from qserve.kiosk.printjobs import ensure_print_job, print_state, reprint_ticket
from qserve.kiosk.screen import closed_notice, kiosk_services
from qserve.kiosk.tickets import screen_ticket
from qserve.models import Ticket
from qserve.services.locations import location_by_slug
from qserve.services.tickets import issue_ticket, ticket_by_token

bp = Blueprint("kiosk_api", __name__, url_prefix="/kiosk/api")


@bp.errorhandler(QServeError)
def _qserve_error(error: QServeError):
    return json_error(error.code, error.message, error.http_status, error.field, error.extra)


@bp.errorhandler(HTTPException)
def _http_error(error: HTTPException):
    code = (error.name or "error").lower().replace(" ", "_")
    return json_error(code, error.description or error.name, error.code or 500)


def _kiosk_limit() -> str:
    return current_app.config.get("RATELIMIT_KIOSK", "60 per minute")


def _kiosk_key() -> str:
    args = request.view_args or {}
    return f"kiosk:{args.get('location_slug')}:{args.get('kiosk_slug')}"


def _ticket_response(ticket_id: int) -> dict:
    with read_session() as session:
        ticket = session.get(Ticket, ticket_id)
        return screen_ticket(session, ticket, now=utcnow()) | {"print": print_state(session, ticket_id)}


def _language(body: dict, settings: KioskSettings) -> str:
    language = str_field(body, "language", max_length=8) or settings.default_language
    if language not in settings.languages:
        raise ValidationFailed(f"language must be one of {list(settings.languages)}", field="language")
    return language


@bp.get("/<location_slug>/<kiosk_slug>/services")
def services(location_slug: str, kiosk_slug: str):
    """List the kiosk's services with their current waits and, while the location is closed, when it opens."""
    now = utcnow()
    with read_session() as session:
        kiosk = kiosk_at(session, location_slug, kiosk_slug)
        return jsonify(
            {"services": kiosk_services(session, kiosk, now=now), "closed": closed_notice(kiosk, now=now)}
        )


@bp.post("/<location_slug>/<kiosk_slug>/tickets")
@limiter.limit(_kiosk_limit, key_func=_kiosk_key)
def issue(location_slug: str, kiosk_slug: str):
    """Issue a walk-in ticket (one per idempotency key, so a double tap gives one ticket) and print it."""
    body = json_body()
    key = str_field(body, "idempotency_key", max_length=64)
    if not key:
        raise ValidationFailed("idempotency_key is required, one per tap", field="idempotency_key")
    with read_session() as session:
        kiosk = kiosk_at(session, location_slug, kiosk_slug)
        kiosk_id, settings = kiosk.id, settings_of(kiosk)
    assistance = bool_field(body, "assistance", default=False)
    if assistance and not settings.offers_assistance:
        raise ValidationFailed("this kiosk offers no assistance class", field="assistance")
    ticket_id = issue_ticket(
        location_slug=location_slug,
        service_id=int_field(body, "service_id"),
        now=utcnow(),
        channel="kiosk",
        phone=str_field(body, "phone", max_length=32),
        answers=body.get("answers"),
        language=_language(body, settings),
        priority=settings.assistance_priority if assistance else 0,
        idempotency_key=f"kiosk:{kiosk_id}:{key}",
        details={"kiosk_id": kiosk_id},
    )
    return jsonify(_ticket_response(ticket_id)), 201


@bp.get("/<location_slug>/<kiosk_slug>/tickets/<token>/print")
def print_status(location_slug: str, kiosk_slug: str, token: str):
    """Say whether a kiosk ticket printed: none, printing, printed or failed."""
    with read_session() as session:
        kiosk = kiosk_at(session, location_slug, kiosk_slug)
        ticket = ticket_by_token(session, token)
        if ticket.location_id != kiosk.location_id:
            raise NotFound("no such ticket")
        return jsonify(print_state(session, ticket.id) | {"printer_status": kiosk.printer_status})


@bp.post("/<location_slug>/<kiosk_slug>/check-in")
@limiter.limit(_kiosk_limit, key_func=_kiosk_key)
def check_in(location_slug: str, kiosk_slug: str):
    """Check in a customer with a booking code and print their ticket."""
    body = json_body()
    code = clean_booking_code(str_field(body, "code", max_length=200))
    with read_session() as session:
        kiosk = kiosk_at(session, location_slug, kiosk_slug)
        kiosk_id, settings = kiosk.id, settings_of(kiosk)
    now = utcnow()
    result = check_in_at_kiosk(
        location_slug=location_slug, kiosk_id=kiosk_id, code=code, language=_language(body, settings), now=now
    )
    ticket_id = result if isinstance(result, int) else int(getattr(result, "ticket_id", None) or result["id"])
    if ensure_print_job(ticket_id=ticket_id, kiosk_id=kiosk_id, now=now):
        kick_delivery(current_app._get_current_object(), [ticket_id])
    return jsonify(_ticket_response(ticket_id)), 201


@bp.post("/tickets/<int:ticket_id>/reprint")
def reprint(ticket_id: int):
    """Print another copy of a ticket on a kiosk printer of its location (staff)."""
    actor = staff_actor()
    body = json_body()
    result = reprint_ticket(
        ticket_id=ticket_id, actor=actor, now=utcnow(), kiosk_id=int_field(body, "kiosk_id", required=False)
    )
    kick_delivery(current_app._get_current_object(), [ticket_id])
    return jsonify(result), 202


@bp.get("/locations/<slug>/printers")
def printers(slug: str):
    """List a location's kiosk printers with their status and waiting jobs (staff and managers)."""
    actor = staff_actor()
    with read_session() as session:
        location = location_by_slug(session, slug)
        actor.require_location(location.id, location.organization_id)
        return jsonify({"printers": printer_overview(session, location.id, now=utcnow())})
