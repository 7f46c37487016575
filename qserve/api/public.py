"""Customer-facing API: locations, services, joining a queue, following and cancelling a ticket."""

from __future__ import annotations

from flask import current_app, jsonify, request

from qserve.api import bp
from qserve.api.inputs import int_field, json_body, staff_actor, str_field
from qserve.db import read_session, utcnow
from qserve.domain.errors import ValidationFailed
from qserve.extensions import limiter
from qserve.services import tickets as ticket_service
from qserve.services.locations import counter_view, location_by_slug, location_summary, services_with_waits
from qserve.services.refresh import refreshed_view
from qserve.services.views import ticket_with_place


def _language() -> str:
    lang = request.args.get("lang", "en")
    return lang if lang in current_app.config["LANGUAGES"] else "en"


@bp.get("/locations")
def list_locations():
    """List the locations."""
    from sqlalchemy import select

    from qserve.models import Location

    with read_session() as session:
        locations = session.scalars(select(Location).order_by(Location.id))
        return jsonify({"locations": [location_summary(loc) for loc in locations]})


@bp.get("/locations/<slug>/services")
def list_services(slug: str):
    """List a location's services with waiting counts and estimates."""
    with read_session() as session:
        location = location_by_slug(session, slug)
        return jsonify(
            {"services": services_with_waits(session, location, language=_language(), now=utcnow())}
        )


@bp.get("/locations/<slug>/counters")
def list_counters(slug: str):
    """List a location's counters."""
    with read_session() as session:
        location = location_by_slug(session, slug)
        return jsonify({"counters": [counter_view(c) for c in location.counters]})


def _phone_key() -> str:
    body = request.get_json(silent=True)
    phone = body.get("phone") if isinstance(body, dict) else None
    return f"phone:{phone}" if isinstance(phone, str) and phone.strip() else f"nophone:{request.remote_addr}"


def _join_limit() -> str:
    return current_app.config["RATELIMIT_JOIN"]


def _phone_limit() -> str:
    return current_app.config["RATELIMIT_JOIN_PER_PHONE"]


@bp.post("/locations/<slug>/tickets")
@limiter.limit(_join_limit)
@limiter.limit(_phone_limit, key_func=_phone_key, exempt_when=lambda: not _has_phone())
def create_ticket(slug: str):
    """Join a queue and return the new ticket (201)."""
    body = json_body()
    answers = body.get("answers")
    if answers is not None and not isinstance(answers, dict):
        raise ValidationFailed("answers must be an object keyed by question id", field="answers")
    now = utcnow()
    # Staff letting someone in send their bearer token (a customer never does): the ticket is theirs to
    # issue even where only appointments are taken.
    actor = staff_actor() if request.headers.get("Authorization", "").startswith("Bearer ") else None
    view = ticket_service.join_queue(
        location_slug=slug,
        actor=actor,
        service_id=int_field(body, "service_id"),
        channel=str_field(body, "channel", max_length=16) or "remote",
        name=str_field(body, "name", max_length=200),
        phone=str_field(body, "phone", max_length=32),
        email=str_field(body, "email", max_length=254),
        language=str_field(body, "language", max_length=8),
        answers=answers,
        idempotency_key=request.headers.get("Idempotency-Key")
        or str_field(body, "idempotency_key", max_length=100),
        now=now,
        together=True,
    )
    response = jsonify(view)
    response.status_code = 201
    response.headers["Location"] = ticket_path(view["token"])
    return response


def ticket_path(token: str) -> str:
    """Return the path of a ticket's resource (get_ticket below), written out rather than built by url_for,
    which cost a join a tenth of its HTTP handling."""
    return f"{request.script_root}{bp.url_prefix}/tickets/{token}"


def _has_phone() -> bool:
    return _phone_key().startswith("phone:")


def _ticket_view_by_id(ticket_id: int, now) -> dict:
    from qserve.models import Ticket

    with read_session() as session:
        return ticket_with_place(session, session.get(Ticket, ticket_id), now=now)


@bp.get("/tickets/<token>")
def get_ticket(token: str):
    """Return a ticket's live state for its holder."""
    with read_session() as session:
        ticket = ticket_service.ticket_by_token(session, token)
        return jsonify(ticket_with_place(session, ticket, now=utcnow()))


@bp.post("/tickets/<token>/cancel")
def cancel_ticket(token: str):
    """Cancel a ticket on its holder's request (a numeric id here is staff cancelling by ticket id)."""
    if token.isdigit():
        from qserve.api.staff import act

        return act(int(token), "cancel")
    ticket_id = ticket_service.cancel_ticket_by_customer(token=token, now=utcnow())
    return jsonify(_ticket_view_by_id(ticket_id, utcnow()))


@bp.post("/tickets/<token>/postpone")
def postpone_ticket(token: str):
    """Move a ticket back a few places because its holder needs more time."""
    now = utcnow()
    ticket_id = ticket_service.postpone_ticket(token=token, now=now)
    return jsonify(refreshed_view(ticket_id, now=now))


@bp.post("/tickets/<token>/language")
def set_ticket_language(token: str):
    """Remember the language chosen for a ticket (its page and its notifications)."""
    body = json_body()
    language = str_field(body, "language", max_length=8)
    if not language:
        raise ValidationFailed("language is required", field="language")
    ticket_id = ticket_service.set_ticket_language(token=token, language=language, now=utcnow())
    return jsonify(_ticket_view_by_id(ticket_id, utcnow()))
