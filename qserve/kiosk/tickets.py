"""A ticket as it is printed (ESC/POS or PDF) and as the kiosk screen shows it."""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from qserve.domain.numbering import spoken_number
from qserve.domain.texts import in_language
from qserve.kiosk.qr import qr_svg
from qserve.models import Location, Ticket
from qserve.printing.labels import format_appointment, format_late_booking, format_people_ahead, format_wait
from qserve.printing.layout import PrintableTicket
from qserve.services.views import late_booking, ticket_url, ticket_with_place

log = logging.getLogger(__name__)


def ticket_footer(location: Location, language: str) -> str:
    """Return the location's ticket footer in a language (settings.ticket_footer: text or per language)."""
    return in_language((location.settings or {}).get("ticket_footer") or "", language)


def _logo(location: Location) -> str | None:
    path = (location.settings or {}).get("ticket_logo")
    if path and not Path(path).is_file():
        log.warning("ticket logo %s of %s is missing; printing without it", path, location.slug)
        return None
    return path or None


def printable_ticket(session: Session, ticket: Ticket, *, now: datetime) -> PrintableTicket:
    """Describe a ticket for printing: its place and estimate now, its issue time in local time."""
    view = ticket_with_place(session, ticket, now=now)
    wait = view["estimated_wait"] or {}
    location = ticket.location
    return PrintableTicket(
        location_name=location.name,
        number=ticket.number,
        service_name=ticket.service.name(ticket.language),
        issued_at=ticket.joined_at.astimezone(ZoneInfo(location.time_zone)),
        people_ahead=view["people_ahead"] or 0,
        wait_p10_s=wait.get("p10_s"),
        wait_p90_s=wait.get("p90_s"),
        url=ticket_url(ticket.public_token),
        footer=ticket_footer(location, ticket.language),
        language=ticket.language,
        logo_path=_logo(location),
        appointment_at=_local_slot(ticket),
        late_booking=_local_late_booking(session, ticket),
    )


def _local_slot(ticket: Ticket) -> datetime | None:
    """Return a checked-in booking's slot in its location's time, or None for a walk-in."""
    if ticket.appointment_at is None:
        return None
    return ticket.appointment_at.astimezone(ZoneInfo(ticket.location.time_zone))


def _local_late_booking(session: Session, ticket: Ticket) -> datetime | None:
    """Return the lost slot of a booking checked in after its grace, in its location's time, else None."""
    booked_at = late_booking(session, ticket)
    return booked_at.astimezone(ZoneInfo(ticket.location.time_zone)) if booked_at else None


def screen_ticket(session: Session, ticket: Ticket, *, now: datetime) -> dict:
    """Return what the kiosk screen shows of a new ticket, with texts in the ticket's language."""
    view = ticket_with_place(session, ticket, now=now)
    wait = view["estimated_wait"]
    language = ticket.language
    return {
        "id": ticket.id,
        "token": ticket.public_token,
        "number": ticket.number,
        "spoken": spoken_number(ticket.number),
        "service_name": view["service_name"],
        "language": language,
        "status": ticket.status,
        "people_ahead": view["people_ahead"],
        # What the booking became: its slot kept, or lost to a late arrival (then served in order of arrival).
        "appointment_text": format_appointment(_local_slot(ticket), language)
        or format_late_booking(_local_late_booking(session, ticket), language),
        "people_ahead_text": format_people_ahead(view["people_ahead"] or 0, language),
        "wait_text": format_wait(wait["p10_s"], wait["p90_s"], language) if wait else None,
        "url": view["url"],
        "qr_svg": qr_svg(view["url"]),
    }
