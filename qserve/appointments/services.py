"""Appointment use cases: list slots, book, reschedule, cancel, check in, switch modes, expire no-shows."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from qserve.appointments import capacity as cap
from qserve.appointments.slots import (
    MODES,
    ArrivalPolicy,
    arrival_outcome,
    bookable,
    find_slot,
    horizon_days,
    last_bookable_day,
    service_day_of,
)
from qserve.db import UnitOfWork, read_session, transaction
from qserve.domain.actors import Actor
from qserve.domain.contact import normalize_email, normalize_language, normalize_phone
from qserve.domain.errors import BeyondBookingHorizon, BookingNotFound, Conflict, NotFound, ValidationFailed
from qserve.domain.events import AppointmentChanged, DomainEvent, TicketChanged
from qserve.domain.questions import clean_answers
from qserve.models import Location, Service, Ticket
from qserve.models.appointment import Appointment


class CheckInRefused(Conflict):
    """A booking cannot be checked in now; `reason` says why (too_early, too_late, not_booked)."""

    def __init__(self, message: str, *, reason: str) -> None:
        super().__init__(message, field="code")
        self.reason = reason
        self.code = f"check_in_{reason}"  # check_in_too_early, check_in_too_late, check_in_not_booked


def _location(session: Session, slug: str) -> Location:
    location = session.scalar(select(Location).where(Location.slug == slug))
    if location is None:
        raise NotFound(f"no location called {slug!r}")
    return location


def _service(session: Session, location: Location, service_id: int) -> Service:
    service = session.get(Service, service_id)
    if service is None or service.location_id != location.id:
        raise NotFound("no such service at this location", field="service_id")
    return service


def _by_code(session: Session, code: str, *, lock: bool = False) -> Appointment:
    """Return the booking with a code, or raise BookingNotFound: a code that cannot be one (mistyped, a
    letter short) is not found either, which is what its holder needs to hear."""
    try:
        stored = cap.normalize_code(code)
    except ValidationFailed as error:
        raise BookingNotFound(f"no booking has this code; {error.message}") from error
    query = select(Appointment).where(Appointment.code == stored)
    if lock:
        query = query.with_for_update(of=Appointment.__table__).execution_options(populate_existing=True)
    appointment = session.scalar(query)
    if appointment is None:
        raise BookingNotFound()
    return appointment


def appointment_view(appointment: Appointment) -> dict:
    """Return what the holder of a booking code may see of it."""
    location = appointment.location
    return {
        "id": appointment.id,
        "code": cap.display_code(appointment.code),
        "location": {"slug": location.slug, "name": location.name, "time_zone": location.time_zone},
        "service_id": appointment.service_id,
        "service": appointment.service.name(appointment.language),
        "starts_at": appointment.starts_at.isoformat(),
        "ends_at": (appointment.starts_at + timedelta(seconds=appointment.duration_s)).isoformat(),
        "status": appointment.status,
        "language": appointment.language,
        "ticket_id": appointment.ticket_id,
    }


def get_appointment(*, code: str) -> dict:
    """Return the view of a booking by its code."""
    with read_session() as session:
        return appointment_view(_by_code(session, code))


def list_slots(*, location_slug: str, service_id: int, day: date, now: datetime) -> list[dict]:
    """Return a service's slots on a local day with the places still free (those begun, or on a day past the
    location's booking horizon, left out)."""
    with read_session() as session:
        location = _location(session, location_slug)
        service = _service(session, location, service_id)
        horizon = cap.horizon_of(location, now)
        slots = [
            slot for slot in cap.slots_of(session, service, day) if bookable(slot.starts_at, now, horizon)
        ]
        free = cap.free_places(session, service, slots)
    return [
        {
            "starts_at": slot.starts_at.isoformat(),
            "ends_at": slot.ends_at.isoformat(),
            "capacity": slot.capacity,
            "available": places,
        }
        for slot, places in zip(slots, free, strict=True)
    ]


def _reserve(session: Session, service: Service, starts_at: datetime, *, now: datetime) -> None:
    """Check that a start time is a bookable slot and take a place in it, or raise."""
    location = service.location
    if starts_at <= now:
        raise ValidationFailed("this time has passed; choose a later slot", field="starts_at")
    if starts_at >= cap.horizon_of(location, now):
        days = horizon_days(location.settings)
        raise BeyondBookingHorizon(last_day=last_bookable_day(now, location.time_zone, days), days=days)
    day = service_day_of(starts_at, location.time_zone)
    slot = find_slot(cap.slots_of(session, service, day), starts_at)
    if slot is None:
        raise ValidationFailed("no bookable slot starts at this time", field="starts_at")
    if not cap.take_place(
        session, scope=cap.service_scope(service.id), starts_at=starts_at, capacity=slot.capacity
    ):
        raise Conflict("this slot has just been taken; choose another", field="starts_at")
    on_site = cap.booking_settings(location).get("on_site_cap")
    ticks = cap.site_ticks(starts_at, int(service.default_duration_s))
    if on_site is not None and not cap.take_site_places(
        session, scope=cap.location_scope(location.id), ticks=ticks, capacity=int(on_site)
    ):
        raise Conflict("the location is full at this time; choose another slot", field="starts_at")


def _release(session: Session, appointment: Appointment) -> None:
    """Give back the places an appointment held."""
    cap.release_place(
        session, scope=cap.service_scope(appointment.service_id), starts_at=appointment.starts_at
    )
    if cap.booking_settings(appointment.location).get("on_site_cap") is not None:
        cap.release_site_places(
            session,
            scope=cap.location_scope(appointment.location_id),
            ticks=cap.site_ticks(appointment.starts_at, appointment.duration_s),
        )


def _unused_code(session: Session) -> str:
    for _attempt in range(5):
        code = cap.new_code()
        if session.scalar(select(Appointment.id).where(Appointment.code == code)) is None:
            return code
    raise Conflict("could not find a free booking code; try again")


def book_appointment(
    *,
    location_slug: str,
    service_id: int,
    starts_at: datetime,
    now: datetime,
    name: str | None = None,
    phone: str | None = None,
    email: str | None = None,
    language: str | None = None,
    answers: dict | None = None,
) -> dict:
    """Book a place in a slot (capacity taken atomically) and return the booking with its code."""
    if starts_at.tzinfo is None:
        raise ValidationFailed("starts_at needs a time zone offset", field="starts_at")
    with transaction() as tx:
        location = _location(tx.session, location_slug)
        service = _service(tx.session, location, service_id)
        region = (location.settings or {}).get("phone_region", "FI")
        appointment = Appointment(
            code=_unused_code(tx.session),
            location_id=location.id,
            service_id=service.id,
            starts_at=starts_at,
            duration_s=int(service.default_duration_s),
            name=(name or "").strip()[:200] or None,
            phone=normalize_phone(phone, region=region),
            email=normalize_email(email),
            language=normalize_language(language, default=(location.languages or ["en"])[0]),
            answers=clean_answers(service.questions, answers),
            booked_at=now,
        )
        _reserve(tx.session, service, starts_at, now=now)
        tx.session.add(appointment)
        tx.session.flush()
        tx.record(
            AppointmentChanged(
                appointment.id, location.id, service.id, "booked", starts_at.isoformat(), now.isoformat()
            )
        )
        return appointment_view(appointment)


def reschedule_appointment(*, code: str, starts_at: datetime, now: datetime) -> dict:
    """Move a booking to another slot of the same service, keeping its code."""
    with transaction() as tx:
        appointment = _by_code(tx.session, code, lock=True)
        if appointment.status != "booked":
            raise Conflict(f"a booking that is {appointment.status} cannot be moved")
        if starts_at == appointment.starts_at:
            return appointment_view(appointment)
        # Give the old places back first: an overlapping new time must not count the booking twice.
        # Should the new time be taken, the transaction rolls back and the old places stay held.
        _release(tx.session, appointment)
        _reserve(tx.session, appointment.service, starts_at, now=now)
        appointment.starts_at = starts_at
        appointment.reschedule_count += 1
        tx.record(_changed(appointment, "rescheduled", now=now))
        return appointment_view(appointment)


def cancel_appointment(*, code: str, now: datetime) -> int:
    """Cancel a booking by its code, freeing its place, and return its id."""
    with transaction() as tx:
        appointment = _by_code(tx.session, code, lock=True)
        if appointment.status != "booked":
            raise Conflict(f"a booking that is {appointment.status} cannot be cancelled")
        appointment.status = "cancelled"
        appointment.cancelled_at = now
        _release(tx.session, appointment)
        tx.record(_changed(appointment, "cancelled", now=now))
        return appointment.id


def check_in(
    *,
    code: str,
    now: datetime,
    location_slug: str | None = None,
    channel: str = "kiosk",
    details: dict | None = None,
    actor: Actor | None = None,
    language: str | None = None,
) -> int:
    """Check a booked customer in and return their ticket's id (see check_in_ticket)."""
    arguments = {"location_slug": location_slug, "channel": channel, "details": details, "actor": actor}
    return check_in_ticket(code=code, now=now, language=language, **arguments)["id"]


def check_in_ticket(
    *,
    code: str,
    now: datetime,
    location_slug: str | None = None,
    channel: str = "kiosk",
    details: dict | None = None,
    actor: Actor | None = None,
    language: str | None = None,
) -> dict:
    """Check a booked customer in and return their ticket's public view (the same ticket if asked twice);
    a kiosk passes the language its customer reads, else the ticket speaks the booking's."""
    from qserve.services.tickets import join_queue
    from qserve.services.views import ticket_with_place

    ensure_ticket_link(current_app._get_current_object())
    with read_session() as session:
        appointment = _by_code(session, code)
        location = appointment.location
        if location_slug is not None and location.slug != location_slug:
            raise BookingNotFound("no booking has this code at this location; check the code")
        if actor is not None:
            actor.require_location(location.id, location.organization_id)
        if appointment.status == "checked_in" and appointment.ticket_id is not None:
            return ticket_with_place(session, session.get(Ticket, appointment.ticket_id), now=now)
        if appointment.status != "booked":
            raise CheckInRefused(
                f"this booking is {appointment.status.replace('_', '-')}", reason="not_booked"
            )
        outcome = arrival_outcome(
            ArrivalPolicy.from_settings(location.settings), starts_at=appointment.starts_at, now=now
        )
    if outcome == "too_early":
        raise CheckInRefused("check-in for this booking opens closer to its time", reason="too_early")
    if outcome == "no_show":
        _mark_no_show(appointment.id, now=now)
        raise CheckInRefused("this booking's time has passed; please ask at the desk", reason="too_late")
    return join_queue(
        location_slug=location.slug,
        service_id=appointment.service_id,
        now=now,
        channel="appointment",
        name=appointment.name,
        phone=appointment.phone,
        email=appointment.email,
        language=language or appointment.language,
        answers=appointment.answers,
        appointment_at=appointment.starts_at if outcome == "keep_slot" else None,
        actor=actor,
        details={"appointment_id": appointment.id, "check_in": outcome, "via": channel} | (details or {}),
    )


def _mark_no_show(appointment_id: int, *, now: datetime) -> bool:
    with transaction() as tx:
        return _expire(tx, appointment_id, now=now)


def _expire(tx: UnitOfWork, appointment_id: int, *, now: datetime) -> bool:
    result = tx.session.execute(
        update(Appointment)
        .where(Appointment.id == appointment_id, Appointment.status == "booked")
        .values(status="no_show", no_show_at=now)
    )
    if result.rowcount != 1:
        return False
    appointment = tx.session.get(Appointment, appointment_id)
    tx.record(_changed(appointment, "no_show", now=now))
    return True


def expire_no_shows(*, now: datetime) -> int:
    """Mark as no-shows the bookings whose check-in time has run out; return how many."""
    with transaction() as tx:
        rows = tx.session.scalars(
            select(Appointment).where(Appointment.status == "booked", Appointment.starts_at < now)
        ).all()
        expired = 0
        for appointment in rows:
            policy = ArrivalPolicy.from_settings(appointment.location.settings)
            if arrival_outcome(policy, starts_at=appointment.starts_at, now=now) == "no_show":
                expired += _expire(tx, appointment.id, now=now)
        return expired


def switch_mode(
    *, location_slug: str, mode: str, service_id: int | None = None, hybrid_share: float | None = None
) -> None:
    """Switch a location or one service between queue, appointments and hybrid; nobody waiting is lost."""
    if mode not in MODES and not (service_id is not None and mode == "inherit"):
        raise ValidationFailed(f"mode must be one of {list(MODES)}", field="mode")
    if hybrid_share is not None and not 0 <= hybrid_share <= 1:
        raise ValidationFailed("hybrid_share is a fraction between 0 and 1", field="hybrid_share")
    with transaction() as tx:
        location = _location(tx.session, location_slug)
        if service_id is not None:
            _service(tx.session, location, service_id).mode = None if mode == "inherit" else mode
        else:
            location.mode = mode
        if hybrid_share is not None:
            settings = dict(location.settings or {})
            settings["appointments"] = dict(settings.get("appointments") or {}) | {
                "hybrid_share": hybrid_share
            }
            location.settings = settings


# --- events and the in-transaction link from a ticket to its booking ------------------------------------


def _changed(appointment: Appointment, what: str, *, now: datetime) -> DomainEvent:
    return AppointmentChanged(
        appointment.id,
        appointment.location_id,
        appointment.service_id,
        what,
        appointment.starts_at.isoformat(),
        now.isoformat(),
    )


def link_ticket(event: DomainEvent, uow: UnitOfWork) -> None:
    """Mark a booking checked in, in the very transaction that issues its ticket (or refuse the ticket)."""
    if not isinstance(event, TicketChanged) or event.action != "issue":
        return
    appointment_id = (event.details or {}).get("appointment_id")
    if appointment_id is None:
        return
    ticket_joined = uow.session.get(Ticket, event.ticket_id).joined_at
    result = uow.session.execute(
        update(Appointment)
        .where(Appointment.id == appointment_id, Appointment.status == "booked")
        .values(
            status="checked_in",
            ticket_id=event.ticket_id,
            checked_in_at=ticket_joined,
            check_in_outcome=event.details.get("check_in"),
        )
    )
    if result.rowcount != 1:
        raise Conflict("this booking is already checked in or no longer valid", field="code")


def ensure_ticket_link(app) -> None:
    """Register link_ticket on an app's event bus once."""
    if not app.extensions.get("qserve.appointments.linked"):
        app.extensions["qserve.appointments.linked"] = True
        app.extensions["qserve.bus"].add_handler(link_ticket)
