"""Phone pages for booking: choose a service, a day and a slot, leave contact, get a confirmation and .ics."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from flask import Blueprint, Response, redirect, render_template, request, url_for
from flask_babel import get_locale, refresh
from sqlalchemy import select

from qserve.appointments import services
from qserve.appointments.api import parse_day, parse_instant
from qserve.appointments.ics import booking_calendar
from qserve.db import read_session, utcnow
from qserve.domain.errors import NotFound, QServeError
from qserve.extensions import limiter
from qserve.models import Location, Service, Ticket

bp = Blueprint("appointments", __name__, template_folder="templates")
DAYS_SHOWN = 14


@bp.before_request
def choose_language_per_request() -> None:
    """Decide the language afresh for every request, as the other phone pages do."""
    refresh()


@bp.context_processor
def page_context() -> dict:
    """Give the booking templates the locale."""
    return {"locale": str(get_locale() or "en")}


def _location(session, slug: str) -> Location:
    location = session.scalar(select(Location).where(Location.slug == slug))
    if location is None:
        raise NotFound("no such location")
    return location


def _local(moment, time_zone: str) -> str:
    return moment.astimezone(ZoneInfo(time_zone)).strftime("%H:%M")


@bp.get("/book/<slug>")
def choose_service(slug: str):
    """Show the services of a location that take bookings."""
    with read_session() as session:
        location = _location(session, slug)
        bookable = [s for s in location.services if (s.mode or location.mode) in ("appointments", "hybrid")]
        names = [(s.id, s.name(str(get_locale() or "en"))) for s in bookable]
        return render_template("appointments/services.html", location=location, services=names)


def _slot_page(slug: str, service_id: int, *, error: str | None = None, status: int = 200):
    with read_session() as session:
        location = _location(session, slug)
        service = session.get(Service, service_id)
        if service is None or service.location_id != location.id:
            raise NotFound("no such service")
        zone, language = location.time_zone, str(get_locale() or "en")
        service_name, questions = service.name(language), service.questions
        location_name = location.name
    today = utcnow().astimezone(ZoneInfo(zone)).date()
    day = parse_day(request.values.get("date")) if request.values.get("date") else today
    found = services.list_slots(location_slug=slug, service_id=service_id, day=day, now=utcnow())
    for slot in found:
        slot["local"] = _local(parse_instant(slot["starts_at"]), zone)
    page = render_template(
        "appointments/slots.html",
        slug=slug,
        location_name=location_name,
        service_id=service_id,
        service_name=service_name,
        questions=questions,
        day=day,
        days=[today + timedelta(days=offset) for offset in range(DAYS_SHOWN)],
        slots=found,
        reschedule=request.values.get("reschedule"),
        error=error,
        form=request.form,
    )
    return page, status


@bp.get("/book/<slug>/<int:service_id>")
def choose_slot(slug: str, service_id: int):
    """Show a day's free slots and the contact form."""
    return _slot_page(slug, service_id)


@bp.post("/book/<slug>/<int:service_id>")
@limiter.limit("10 per minute")
def book(slug: str, service_id: int):
    """Book the chosen slot (or move a booking to it) and show the confirmation."""
    form = request.form
    answers = {key.removeprefix("answer-"): value for key, value in form.items() if key.startswith("answer-")}
    try:
        starts_at = parse_instant(form.get("starts_at"))
        if form.get("reschedule"):
            view = services.reschedule_appointment(code=form["reschedule"], starts_at=starts_at, now=utcnow())
        else:
            view = services.book_appointment(
                location_slug=slug,
                service_id=service_id,
                starts_at=starts_at,
                now=utcnow(),
                name=form.get("name"),
                phone=form.get("phone") or None,
                email=form.get("email") or None,
                language=str(get_locale() or "en"),
                answers=answers,
            )
    except QServeError as error:
        return _slot_page(slug, service_id, error=error.message, status=error.http_status)
    return redirect(url_for("appointments.booking", code=view["code"]), code=303)


@bp.get("/booking/<code>")
@limiter.limit("30 per minute")
def booking(code: str):
    """Show a booking: its time, code, calendar file, and what can be done with it."""
    view = services.get_appointment(code=code)
    zone = ZoneInfo(view["location"]["time_zone"])
    starts = parse_instant(view["starts_at"]).astimezone(zone)
    token = None
    if view["ticket_id"]:
        with read_session() as session:
            token = session.scalar(select(Ticket.public_token).where(Ticket.id == view["ticket_id"]))
    return render_template("appointments/booking.html", booking=view, starts=starts, ticket_token=token)


@bp.get("/booking/<code>/calendar.ics")
def calendar(code: str):
    """Download the booking as a calendar file."""
    view = services.get_appointment(code=code)
    text = booking_calendar(
        uid=f"{view['code']}@qserve",
        starts_at=parse_instant(view["starts_at"]),
        ends_at=parse_instant(view["ends_at"]),
        summary=f"{view['service']} - {view['location']['name']}",
        location=view["location"]["name"],
        description=f"Booking code {view['code']}",
        url=url_for("appointments.booking", code=view["code"], _external=True),
        stamped_at=utcnow(),
    )
    headers = {"Content-Disposition": f'attachment; filename="booking-{view["code"]}.ics"'}
    return Response(text, mimetype="text/calendar", headers=headers)


@bp.post("/booking/<code>/cancel")
@limiter.limit("10 per minute")
def cancel(code: str):
    """Cancel the booking and show it cancelled."""
    services.cancel_appointment(code=code, now=utcnow())
    return redirect(url_for("appointments.booking", code=code), code=303)


@bp.post("/booking/<code>/here")
@limiter.limit("10 per minute")
def here(code: str):
    """Check in from the phone ("I'm here") and go to the live ticket."""
    try:
        ticket_id = services.check_in(code=code, now=utcnow(), channel="phone")
    except QServeError as error:
        view = services.get_appointment(code=code)
        starts = parse_instant(view["starts_at"]).astimezone(ZoneInfo(view["location"]["time_zone"]))
        page = render_template("appointments/booking.html", booking=view, starts=starts, error=error.message)
        return page, error.http_status
    with read_session() as session:
        token = session.scalar(select(Ticket.public_token).where(Ticket.id == ticket_id))
    return redirect(f"/t/{token}", code=303)
