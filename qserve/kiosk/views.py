"""Kiosk pages: the touchscreen itself, and a ticket as a PDF for phones and office printers."""

from __future__ import annotations

from flask import Blueprint, make_response, render_template, request

from qserve.db import read_session, utcnow
from qserve.documents.ticket_pdf import render_ticket_pdf
from qserve.domain.errors import ValidationFailed
from qserve.kiosk.kiosks import kiosk_at
from qserve.kiosk.screen import kiosk_state
from qserve.kiosk.tickets import printable_ticket
from qserve.services.tickets import ticket_by_token

bp = Blueprint(
    "kiosk",
    __name__,
    template_folder="templates",
    static_folder="static",
    static_url_path="/kiosk/static",
)

PDF_WIDTHS_MM = ("80", "58")


@bp.get("/kiosk/<location_slug>/<kiosk_slug>")
def kiosk_page(location_slug: str, kiosk_slug: str):
    """Show the kiosk's touchscreen page."""
    with read_session() as session:
        kiosk = kiosk_at(session, location_slug, kiosk_slug)
        state = kiosk_state(session, kiosk, now=utcnow())
    response = make_response(render_template("kiosk/kiosk.html", state=state))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/t/<token>/ticket.pdf")
def ticket_pdf(token: str):
    """Return a ticket as a PDF on an 80 mm or 58 mm roll (?width=80|58)."""
    width = request.args.get("width", "80")
    if width not in PDF_WIDTHS_MM:
        raise ValidationFailed("width must be 80 or 58 (millimetres)", field="width")
    with read_session() as session:
        ticket = ticket_by_token(session, token)
        printable = printable_ticket(session, ticket, now=utcnow())
    response = make_response(render_ticket_pdf(printable, width_mm=int(width)))
    response.headers["Content-Type"] = "application/pdf"
    response.headers["Content-Disposition"] = f'inline; filename="ticket-{printable.number}.pdf"'
    response.headers["Cache-Control"] = "no-store"
    return response
