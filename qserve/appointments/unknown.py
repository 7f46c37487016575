"""What a customer sees when the booking code they followed or typed finds no booking: a page in their
language that says so, shows the code as it was read, and lets them type it again."""

from __future__ import annotations

from flask import redirect, render_template, request, url_for

from qserve.appointments import capacity as cap
from qserve.domain.errors import BookingNotFound, ValidationFailed
from qserve.errors import error_response, wants_json

SHOWN_LENGTH = 32  # a code pasted with a whole message after it is shown cut short


def code_as_typed(text: str | None) -> str:
    """Return a code the way its holder reads it in their messages (ABCD-2345), or as given when it cannot
    be a code at all."""
    try:
        return cap.display_code(cap.normalize_code(text))
    except ValidationFailed:
        return (text or "").strip()[:SHOWN_LENGTH]


def booking_not_found(error: BookingNotFound):
    """Answer a booking page whose code finds no booking with a friendly page (a JSON caller keeps the
    JSON error): the code of the address, of a reschedule link, or of the find form."""
    if wants_json():
        return error_response(error.code, error.message, error.http_status, error.field)
    asked = request.view_args or {}
    typed = asked.get("code") or request.values.get("reschedule") or request.args.get("code")
    page = render_template("appointments/not_found.html", code=code_as_typed(typed), slug=asked.get("slug"))
    return page, error.http_status


def find_booking():
    """Open the booking of a code typed on the not-found page (or ask for the code when none was typed)."""
    typed = request.args.get("code", "").strip()
    if not typed:
        return render_template("appointments/not_found.html", code=None, slug=None)
    try:
        code = cap.display_code(cap.normalize_code(typed))
    except ValidationFailed as error:  # not even the shape of a code: no address to send it to
        raise BookingNotFound(f"no booking has this code; {error.message}") from error
    return redirect(url_for("appointments.booking", code=code), code=303)
