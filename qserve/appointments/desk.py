"""Staff pages for bookings: today's bookings of a location, found by code or name, and checked in."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from flask import Blueprint, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_login import current_user, login_required
from sqlalchemy import select

from qserve.appointments import services
from qserve.appointments.reports import bookings_of_day
from qserve.db import read_session, utcnow
from qserve.domain.errors import NotFound, QServeError
from qserve.models import Location, Ticket
from qserve.services.accounts import actor_for

bp = Blueprint("appointments_desk", __name__, url_prefix="/staff", template_folder="templates")


def _today(slug: str):
    with read_session() as session:
        zone = session.scalar(select(Location.time_zone).where(Location.slug == slug))
    if zone is None:
        raise NotFound("no such location")
    return utcnow().astimezone(ZoneInfo(zone)).date()


def _page(slug: str, *, error: str | None = None, checked: str | None = None, status: int = 200):
    search = request.values.get("q", "").strip()[:50]
    view = bookings_of_day(
        location_slug=slug,
        day=_today(slug),
        actor=actor_for(current_user),
        search=search,
        language=str(get_locale() or "en"),
    )
    counter = request.values.get("counter", type=int)
    page = render_template(
        "appointments/desk.html", view=view, search=search, counter=counter, error=error, checked=checked
    )
    return page, status


@bp.get("/<slug>/bookings")
@login_required
def bookings(slug: str):
    """List today's bookings of the location, searched by code or name."""
    return _page(slug, checked=request.args.get("checked"))


@bp.post("/<slug>/bookings/check-in")
@login_required
def check_in(slug: str):
    """Check a booking in for a customer at the desk and show the ticket number it got."""
    try:
        ticket_id = services.check_in(
            code=request.form.get("code", ""),
            now=utcnow(),
            location_slug=slug,
            channel="staff",
            actor=actor_for(current_user),
            details={"staff_id": current_user.id},
        )
    except QServeError as error:
        return _page(slug, error=error.message, status=error.http_status)
    with read_session() as session:
        number = session.scalar(select(Ticket.number).where(Ticket.id == ticket_id))
    arguments = {"checked": number, "q": request.form.get("q") or None}
    if request.form.get("counter", "").isdigit():
        arguments["counter"] = request.form["counter"]
    return redirect(url_for("appointments_desk.bookings", slug=slug, **arguments), code=303)
