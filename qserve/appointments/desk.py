"""Staff pages for bookings: a day's bookings of a location, found by code or name, and today's checked in."""

from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

from babel.dates import format_date
from flask import Blueprint, redirect, render_template, request, url_for
from flask_babel import get_locale, gettext
from flask_login import current_user, login_required
from sqlalchemy import select

from qserve.api.inputs import date_arg
from qserve.appointments import services
from qserve.appointments.refusals import shared_refusal
from qserve.appointments.reports import bookings_of_day
from qserve.db import read_session, utcnow
from qserve.domain.errors import NotFound, QServeError
from qserve.models import Location, Ticket
from qserve.services.accounts import actor_for

bp = Blueprint("appointments_desk", __name__, url_prefix="/staff", template_folder="templates")
# A desk looks up bookings, not history: a day further than this from today is taken for a typo.
FARTHEST_DAY = timedelta(days=3 * 366)


def _today(slug: str) -> date:
    with read_session() as session:
        zone = session.scalar(select(Location.time_zone).where(Location.slug == slug))
    if zone is None:
        raise NotFound("no such location")
    return utcnow().astimezone(ZoneInfo(zone)).date()


def _chosen_day(today: date) -> date | None:
    """Return the day asked for with ?date= (today when none), or None when it is not a usable date."""
    try:
        day = date_arg("date", today)
    except QServeError:
        return None
    return day if abs(day - today) <= FARTHEST_DAY else None


def _page(slug: str, *, today: date, day: date | None = None, error: str | None = None, status: int = 200):
    day = day or today
    language = str(get_locale() or "en")
    search = request.values.get("q", "").strip()[:50]
    view = bookings_of_day(
        location_slug=slug, day=day, actor=actor_for(current_user), search=search, language=language
    )
    page = render_template(
        "appointments/desk.html",
        view=view,
        search=search,
        counter=request.values.get("counter", type=int),
        error=error,
        checked=request.args.get("checked"),
        already=request.args.get("already") == "1",
        late=request.args.get("late") == "1",
        day=day,
        today=today,
        day_label=format_date(day, format="full", locale=language),
        days_around=(day - timedelta(days=1), day + timedelta(days=1)),
    )
    return page, status


@bp.get("/<slug>/bookings")
@login_required
def bookings(slug: str):
    """List a day's bookings of the location (today unless ?date= says), searched by code or name."""
    today = _today(slug)
    day = _chosen_day(today)
    if day is None:
        message = gettext(
            "That is not a day we can show. Pick one from the calendar, or write it like %(example)s.",
            example=today.isoformat(),
        )
        return _page(slug, today=today, error=message, status=400)
    return _page(slug, today=today, day=day)


@bp.post("/<slug>/bookings/check-in")
@login_required
def check_in(slug: str):
    """Check a booking in for a customer at the desk and show the ticket number it got."""
    now = utcnow()
    try:
        ticket_id = services.check_in(
            code=request.form.get("code", ""),
            now=now,
            location_slug=slug,
            channel="staff",
            actor=actor_for(current_user),
            details={"staff_id": current_user.id},
        )
    except QServeError as error:
        return _page(slug, today=_today(slug), error=_check_in_error(error), status=error.http_status)
    with read_session() as session:
        number, joined_at, slot = session.execute(
            select(Ticket.number, Ticket.joined_at, Ticket.appointment_at).where(Ticket.id == ticket_id)
        ).one()
    # A ticket that joined before this request was given earlier: checked in twice, or on the phone first.
    already = 1 if joined_at < now else None
    late = 1 if slot is None else None  # past the grace: it waits in line without its slot
    arguments = {"checked": number, "already": already, "late": late, "q": request.form.get("q") or None}
    if request.form.get("counter", "").isdigit():
        arguments["counter"] = request.form["counter"]
    return redirect(url_for("appointments_desk.bookings", slug=slug, **arguments), code=303)


def _check_in_error(error: QServeError) -> str:
    """Say in the page's language why the desk could not check the booking in."""
    reason = getattr(error, "reason", None)
    if reason == "too_early":
        return gettext("Check-in for this booking opens closer to its time.")
    if reason == "too_late":
        return gettext(
            "The time of this booking has passed and it is now marked as missed. "
            "Offer the customer a queue number or a new time."
        )
    if isinstance(error, NotFound):
        return gettext("No booking with this code at this location. Check the code, or search by name.")
    return shared_refusal(error) or gettext(
        "The booking could not be checked in (%(reason)s).", reason=error.message
    )
