"""Phone pages for booking: choose a service, a day and a slot, leave contact, get a confirmation and .ics."""

from __future__ import annotations

from contextlib import nullcontext
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from babel.dates import format_date, get_timezone_location
from flask import (
    Blueprint,
    Response,
    flash,
    get_flashed_messages,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import LazyString, force_locale, get_locale, gettext, lazy_gettext, refresh
from sqlalchemy import select

from qserve.appointments import services
from qserve.appointments.api import parse_day, parse_instant
from qserve.appointments.days import DAYS_SHOWN, day_states, first_open, fortnight
from qserve.appointments.ics import booking_calendar
from qserve.appointments.refusals import shared_refusal
from qserve.appointments.slots import horizon_days, last_bookable_day
from qserve.appointments.unknown import booking_not_found, find_booking
from qserve.db import read_session, utcnow
from qserve.domain.errors import BeyondBookingHorizon, BookingNotFound, Conflict, NotFound, QServeError
from qserve.domain.texts import in_language
from qserve.extensions import limiter
from qserve.formats import Figures
from qserve.mobile.blueprint import LANGUAGE_COOKIE_AGE_S, language_asked
from qserve.mobile.form import JoinForm, check, explain
from qserve.mobile.wording import LANGUAGE_NAMES
from qserve.models import Location, Service, Ticket
from qserve.services.views import public_link

bp = Blueprint(
    "appointments",
    __name__,
    template_folder="templates",
    static_folder="static",
    static_url_path="/appointments/static",
)
bp.register_error_handler(BookingNotFound, booking_not_found)  # "check the code", not "no such page"
bp.add_url_rule("/booking", view_func=find_booking)


@bp.before_request
def choose_language_per_request() -> None:
    """Decide the language afresh for every request, as the other phone pages do."""
    refresh()


@bp.after_request
def remember_language(response: Response) -> Response:
    """Keep a language picked with ?lang= in the cookie the other phone pages read."""
    asked = request.args.get("lang")
    if asked in LANGUAGE_NAMES:
        response.set_cookie("lang", asked, max_age=LANGUAGE_COOKIE_AGE_S, samesite="Lax")
    return response


def language_link(code: str) -> str:
    """Return the current page's address in another language, keeping its other query values."""
    values = request.args.to_dict() | {"lang": code}
    return url_for(request.endpoint, **(request.view_args or {}), **values)


def day_label(day) -> tuple[str, str]:
    """Return a day's short weekday and date in the page's language (("ti", "24.11."), ("Tue", "24.11."))."""
    language = str(get_locale() or "en")
    return format_date(day, "ccc", locale=language), format_date(day, "d.M.", locale=language)


def zone_city(time_zone: str) -> str:
    """Return the city a time zone is named after, in the page's language ("Helsingfors" in Swedish)."""
    return get_timezone_location(time_zone, locale=str(get_locale() or "en"), return_city=True)


def full_day(day) -> str:
    """Return a date in the page's language with its weekday ("tiistai 24.11.2026" in Finnish)."""
    return format_date(day, "cccc d.M.yyyy", locale=str(get_locale() or "en"))


def when_label(moment) -> str:
    """Return a local date and time in the page's language ("tiistai 24.11.2026 12.00" in Finnish)."""
    return f"{full_day(moment)} {Figures(str(get_locale() or 'en')).clock(moment)}"


@bp.context_processor
def page_context() -> dict:
    """Give the booking templates the locale, the language switcher and the phone's question helper."""
    return {
        "locale": str(get_locale() or "en"),
        "label": in_language,
        "language_names": LANGUAGE_NAMES,
        "language_link": language_link,
        "day_label": day_label,
        "when_label": when_label,
        "zone_city": zone_city,
    }


def _location(session, slug: str) -> Location:
    location = session.scalar(select(Location).where(Location.slug == slug))
    if location is None:
        raise NotFound("no such location")
    return location


def _local(moment, time_zone: str) -> str:
    return Figures(str(get_locale() or "en")).clock(moment.astimezone(ZoneInfo(time_zone)))


@bp.get("/book/<slug>")
def choose_service(slug: str):
    """Show the services of a location that take bookings."""
    with read_session() as session:
        location = _location(session, slug)
        bookable = [s for s in location.services if (s.mode or location.mode) in ("appointments", "hybrid")]
        names = [(s.id, s.name(str(get_locale() or "en"))) for s in bookable]
        return render_template("appointments/services.html", location=location, services=names)


def _service_facts(slug: str, service_id: int) -> dict:
    with read_session() as session:
        location = _location(session, slug)
        service = session.get(Service, service_id)
        if service is None or service.location_id != location.id:
            raise NotFound("no such service")
        return {
            "zone": location.time_zone,
            "service_name": service.name(str(get_locale() or "en")),
            "questions": list(service.questions or []),
            "location_name": location.name,
            "phone_region": (location.settings or {}).get("phone_region", "FI"),
            "horizon_days": horizon_days(location.settings),
        }


def _slot_page(
    slug: str,
    service_id: int,
    *,
    error: str | None = None,
    status: int = 200,
    form: JoinForm | None = None,
):
    facts = _service_facts(slug, service_id)
    moving = _booking_to_move(request.values.get("reschedule"), service_id)
    if moving is not None and moving["status"] != "booked":  # cancelled or checked in meanwhile
        return redirect(url_for("appointments.booking", code=moving["code"]), code=303)
    with _speaking(moving or {}):
        return _render_slots(slug, service_id, facts, moving, error=error, form=form), status


def _booking_to_move(code: str | None, service_id: int) -> dict | None:
    """Return the booking a reschedule link names, or None; a code of another service's booking is not
    found here (its times would be the wrong service's)."""
    if not code:
        return None
    view = services.get_appointment(code=code)
    if view["service_id"] != service_id:
        raise BookingNotFound("no booking of this service has this code; check the code")
    return view


def _render_slots(slug: str, service_id: int, facts: dict, moving: dict | None, *, error, form) -> str:
    zone, now = ZoneInfo(facts["zone"]), utcnow()
    today, last = now.astimezone(zone).date(), last_bookable_day(now, facts["zone"], facts["horizon_days"])
    current = parse_instant(moving["starts_at"]).astimezone(zone) if moving else None
    asked = _query_day("date")
    asked = asked if asked and today <= asked <= last else None  # a stale link's day is not offered
    # The two weeks of the day asked for, else of ?from= (Earlier, Later), else of the booking being moved.
    around = asked or _query_day("from") or (current.date() if current else today)
    days = fortnight(today=today, last=last, around=around)
    states = day_states(location_slug=slug, service_id=service_id, days=days, now=now)
    # Not a closed or full day: the booking's own day when moving it, else the first with a time.
    day = asked or first_open(states, preferred=current.date() if current else None) or days[0]
    found = services.list_slots(location_slug=slug, service_id=service_id, day=day, now=now)
    if current is not None:  # moving a booking to the time it has already is no choice
        found = [slot for slot in found if parse_instant(slot["starts_at"]) != current]
    for slot in found:
        slot["local"] = _local(parse_instant(slot["starts_at"]), facts["zone"])
    return render_template(
        "appointments/slots.html",
        slug=slug,
        location_name=facts["location_name"],
        zone=facts["zone"],
        service_id=service_id,
        service_name=facts["service_name"],
        questions=facts["questions"],
        day=day,
        days=days,
        states=states,
        earlier=days[0] - timedelta(days=DAYS_SHOWN) if days[0] > today else None,
        later=days[-1] + timedelta(days=1) if days[-1] < last else None,
        slots=found,
        reschedule=moving["code"] if moving else None,
        booking=moving,
        starts=current,
        error=error,
        chosen=request.form.get("starts_at"),
        form=form or JoinForm(str(get_locale() or "en")),
    )


def _query_day(name: str) -> date | None:
    """Return the day a form or query value names (YYYY-MM-DD), None when it has none."""
    return parse_day(request.values.get(name)) if request.values.get(name) else None


@bp.get("/book/<slug>/<int:service_id>")
def choose_slot(slug: str, service_id: int):
    """Show a day's free slots and the contact form."""
    return _slot_page(slug, service_id)


@bp.post("/book/<slug>/<int:service_id>")
@limiter.limit("10 per minute")
def book(slug: str, service_id: int):
    """Book the chosen slot (or move a booking to it) and show the confirmation."""
    facts = _service_facts(slug, service_id)
    language = str(get_locale() or "en")
    form = JoinForm.from_request(request, facts["questions"], language)
    form.language = language  # a booking speaks the language of the pages it was made on
    rescheduling = request.form.get("reschedule")
    if not rescheduling:
        form.errors = check(form, facts["questions"], phone_region=facts["phone_region"])
        if form.errors:
            return _slot_page(slug, service_id, status=422, form=form)
    try:
        starts_at = parse_instant(request.form.get("starts_at"))
        if rescheduling:
            view = services.reschedule_appointment(code=rescheduling, starts_at=starts_at, now=utcnow())
        else:
            arguments = form.arguments()
            arguments.pop("idempotency_key")
            view = services.book_appointment(
                location_slug=slug, service_id=service_id, starts_at=starts_at, now=utcnow(), **arguments
            )
    except QServeError as error:
        if error.field and error.field != "starts_at" and not rescheduling:
            form.errors = explain(error, form, facts["questions"])
            return _slot_page(slug, service_id, status=error.http_status, form=form)
        message = _slot_error(error) if error.field == "starts_at" else error.message
        return _slot_page(slug, service_id, error=message, status=error.http_status, form=form)
    if rescheduling:
        flash("moved", "appointment")  # the booking's page says it was moved, once
    return redirect(url_for("appointments.booking", code=view["code"]), code=303)


def _slot_error(error: QServeError) -> LazyString:
    """Say in the page's language (a moved booking's, unless the visitor chose one) why the chosen time
    could not be booked."""
    if isinstance(error, Conflict):
        return lazy_gettext("This time has just been taken. Please choose another time.")
    if isinstance(error, BeyondBookingHorizon):  # a page left open while the location shortened its horizon
        last_day = error.last_day
        return LazyString(
            lambda: gettext(
                "Times can be booked up to %(day)s. Please choose an earlier time.", day=full_day(last_day)
            )
        )
    return lazy_gettext("Please choose one of the free times.")


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
    with _speaking(view):
        return render_template(
            "appointments/booking.html",
            booking=view,
            starts=starts,
            ticket_token=token,
            moved="moved" in get_flashed_messages(category_filter=["appointment"]),
        )


def _speaking(view: dict):
    """Render a booking's page in the language it was booked in, unless the visitor chose one (as the
    ticket page does: the link in its messages opens in their language)."""
    booked_in = view.get("language")
    if language_asked() or booked_in not in LANGUAGE_NAMES:
        return nullcontext()
    return force_locale(booked_in)


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
        description=f"{_in_language(view['language'], 'Booking code')}: {view['code']}",
        url=public_link(url_for("appointments.booking", code=view["code"])),
        stamped_at=utcnow(),
    )
    headers = {"Content-Disposition": f'attachment; filename="booking-{view["code"]}.ics"'}
    return Response(text, mimetype="text/calendar", headers=headers)


def _in_language(language: str | None, message: str) -> str:
    """Translate a message into a booking's language (its calendar file speaks it, as its service name
    there does), whatever the page's language."""
    with force_locale(language if language in LANGUAGE_NAMES else "en"):
        return gettext(message)


@bp.get("/booking/<code>/cancel")
@limiter.limit("30 per minute")
def confirm_cancel(code: str):
    """Ask before cancelling a booking: one tap must not give the time away."""
    view = services.get_appointment(code=code)
    if view["status"] != "booked":
        return redirect(url_for("appointments.booking", code=code), code=303)
    starts = parse_instant(view["starts_at"]).astimezone(ZoneInfo(view["location"]["time_zone"]))
    with _speaking(view):
        return render_template("appointments/booking.html", booking=view, starts=starts, confirm_cancel=True)


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
        ticket = services.check_in_ticket(code=code, now=utcnow(), channel="phone")
    except QServeError as error:
        view = services.get_appointment(code=code)
        starts = parse_instant(view["starts_at"]).astimezone(ZoneInfo(view["location"]["time_zone"]))
        with _speaking(view):
            message = _check_in_error(error)
            page = render_template("appointments/booking.html", booking=view, starts=starts, error=message)
        return page, error.http_status
    return redirect(f"/t/{ticket['token']}", code=303)


def _check_in_error(error: QServeError) -> str:
    """Say in the page's language why "I am here" did not check the booking in."""
    reason = getattr(error, "reason", None)
    if reason == "too_early":
        return gettext("Check-in opens closer to your time. Please try again a little later.")
    if reason == "too_late":
        return gettext("The time of your booking has passed. Please ask at the desk.")
    return shared_refusal(error) or error.message
