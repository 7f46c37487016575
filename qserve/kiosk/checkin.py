"""Appointment check-in at a kiosk, through the appointments service once it exists."""

from __future__ import annotations

import inspect
import re
from datetime import datetime
from importlib import import_module

from qserve.domain.errors import BookingNotFound, ValidationFailed

CODE = re.compile(r"^[A-Z0-9-]{3,32}$")


def clean_booking_code(code: str | None) -> str:
    """Return a booking code as typed or scanned, normalised (a scanned URL gives its last part)."""
    text = (code or "").strip()
    if "/" in text or "=" in text:  # a QR code from a confirmation may hold the check-in link
        text = re.split(r"[/=]", text.rstrip("/"))[-1]
    text = text.upper().replace(" ", "")
    if not CODE.match(text):
        raise ValidationFailed("a booking code has 3 to 32 letters and digits", field="code")
    return text


def _appointments_check_in():
    try:
        module = import_module("qserve.appointments.services")
    except ModuleNotFoundError as error:
        if error.name and "qserve.appointments.services".startswith(error.name):
            return None
        raise
    return getattr(module, "check_in", None)


def check_in_at_kiosk(*, location_slug: str, kiosk_id: int, code: str, language: str, now: datetime) -> int:
    """Check a booked customer in by their code and return their ticket's id."""
    check_in = _appointments_check_in()
    if check_in is None:
        raise BookingNotFound()
    offered = {
        "location_slug": location_slug,
        "code": code,
        "booking_code": code,
        "now": now,
        "channel": "kiosk",
        "language": language,
        "details": {"kiosk_id": kiosk_id},
    }
    accepted = inspect.signature(check_in).parameters
    return check_in(**{name: value for name, value in offered.items() if name in accepted})
