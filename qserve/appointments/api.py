"""JSON API of appointments: slots, booking, and what a booking code lets its holder do."""

from __future__ import annotations

from datetime import date, datetime

from flask import Blueprint, jsonify, request, url_for

from qserve.api.inputs import int_field, json_body, str_field
from qserve.appointments import services
from qserve.db import utcnow
from qserve.domain.errors import ValidationFailed
from qserve.extensions import limiter
from qserve.services.views import public_link

bp = Blueprint("appointments_api", __name__, url_prefix="/api/v1")
CODE_LIMIT = "30 per minute"  # guessing an 8-character code at this rate takes longer than the universe


def parse_instant(value: object, field: str = "starts_at") -> datetime:
    """Return an aware datetime from an ISO 8601 string with an offset, or raise naming the field."""
    if not isinstance(value, str):
        raise ValidationFailed(f"{field} is required as an ISO 8601 time with offset", field=field)
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as error:
        raise ValidationFailed(f"{field} is not an ISO 8601 time", field=field) from error
    if moment.tzinfo is None:
        raise ValidationFailed(f"{field} needs a time zone offset", field=field)
    return moment


def parse_day(value: str | None) -> date:
    """Return a date from YYYY-MM-DD, or raise naming the `date` field."""
    try:
        return date.fromisoformat(value or "")
    except ValueError as error:
        raise ValidationFailed("date must look like 2026-11-23", field="date") from error


def _with_links(view: dict) -> dict:
    code = view["code"]
    return view | {
        "url": public_link(url_for("appointments.booking", code=code)),
        "calendar_url": public_link(url_for("appointments.calendar", code=code)),
    }


@bp.get("/locations/<slug>/slots")
def slots(slug: str):
    """List a service's slots on a day with the places left."""
    service_id = int_field(dict(request.args), "service_id")
    day = parse_day(request.args.get("date"))
    found = services.list_slots(location_slug=slug, service_id=service_id, day=day, now=utcnow())
    return jsonify({"date": day.isoformat(), "service_id": service_id, "slots": found})


@bp.post("/locations/<slug>/appointments")
def book(slug: str):
    """Book a slot and answer 201 with the booking and its code."""
    body = json_body()
    answers = body.get("answers")
    view = services.book_appointment(
        location_slug=slug,
        service_id=int_field(body, "service_id"),
        starts_at=parse_instant(body.get("starts_at")),
        now=utcnow(),
        name=str_field(body, "name", max_length=200),
        phone=str_field(body, "phone", max_length=32),
        email=str_field(body, "email", max_length=254),
        language=str_field(body, "language", max_length=8),
        answers=answers,
    )
    return jsonify(_with_links(view)), 201


@bp.get("/appointments/<code>")
@limiter.limit(CODE_LIMIT)
def show(code: str):
    """Return a booking by its code."""
    return jsonify(_with_links(services.get_appointment(code=code)))


@bp.post("/appointments/<code>/check-in")
@limiter.limit(CODE_LIMIT)
def check_in(code: str):
    """Check a booking in; answer with its ticket (the live ticket page follows it)."""
    ticket = services.check_in_ticket(code=code, now=utcnow(), channel="remote")
    return jsonify(
        {
            "ticket_id": ticket["id"],
            "token": ticket["token"],
            "number": ticket["number"],
            "url": ticket["url"],
        }
    )


@bp.post("/appointments/<code>/cancel")
@limiter.limit(CODE_LIMIT)
def cancel(code: str):
    """Cancel a booking and free its place."""
    services.cancel_appointment(code=code, now=utcnow())
    return jsonify(_with_links(services.get_appointment(code=code)))


@bp.post("/appointments/<code>/reschedule")
@limiter.limit(CODE_LIMIT)
def reschedule(code: str):
    """Move a booking to another slot of its service."""
    starts_at = parse_instant(json_body().get("starts_at"))
    view = services.reschedule_appointment(code=code, starts_at=starts_at, now=utcnow())
    return jsonify(_with_links(view))
