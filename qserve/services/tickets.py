"""Customer-side use cases: join a queue, cancel, ask for more time."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from qserve.db import UnitOfWork, transaction
from qserve.domain.actors import Actor
from qserve.domain.contact import normalize_email, normalize_language, normalize_phone
from qserve.domain.errors import Conflict, NotFound, ServiceClosed, ServiceFull, ValidationFailed
from qserve.domain.lifecycle import OPEN_STATUSES, Action, Status
from qserve.domain.numbering import format_number, service_day
from qserve.domain.questions import clean_answers
from qserve.models import Location, Service, Ticket, TicketNumberCounter
from qserve.services.transitions import apply_transition, log_issue

CHANNELS = ("kiosk", "remote", "staff", "appointment")
POSTPONE_PLACES = 3
ON_SITE_STATUSES = (Status.WAITING, Status.CALLED, Status.SERVING, Status.PARKED)
# A booked customer whose slot starts within this long (or started within the grace) is counted on site.
EXPECTED_SOON_S = 900


class AppointmentsOnly(ServiceClosed):
    """The service (or its location) takes customers by appointment only: book instead (409)."""

    code = "appointments_only"


class SiteFull(ServiceFull):
    """The location holds as many people as it may at once (409)."""

    code = "site_full"


def issue_ticket(**arguments) -> int:
    """Join a customer to a service's queue and return the new ticket's id (see join_queue)."""
    return join_queue(**arguments)["id"]


def join_queue(
    *,
    location_slug: str,
    service_id: int,
    now: datetime,
    channel: str = "remote",
    name: str | None = None,
    phone: str | None = None,
    email: str | None = None,
    language: str | None = None,
    answers: dict | None = None,
    priority: int = 0,
    idempotency_key: str | None = None,
    appointment_at: datetime | None = None,
    actor: Actor | None = None,
    details: dict | None = None,
) -> int:
    """Join a customer to a service's queue and return the new ticket's public view.

    `details` (e.g. {"kiosk_id": 3}) go to the event log and the TicketIssued event for handlers.
    """
    if channel not in CHANNELS:
        raise ValidationFailed(f"channel must be one of {list(CHANNELS)}", field="channel")
    if not 0 <= int(priority) <= 9:
        raise ValidationFailed("priority must be between 0 and 9", field="priority")
    with transaction() as tx:
        location = _location(tx.session, location_slug)
        if idempotency_key:
            existing = tx.session.scalar(
                select(Ticket.id).where(
                    Ticket.location_id == location.id, Ticket.idempotency_key == idempotency_key
                )
            )
            if existing:
                return _view(tx.session, tx.session.get(Ticket, existing), now)
        service = _open_service(tx.session, location, service_id)
        if actor is not None and actor.kind == "staff":
            actor.require_location(location.id, location.organization_id)
        if is_walk_in(channel, actor=actor, details=details):
            _refuse_walk_in(tx.session, location, service, now=now)
        region = location.settings.get("phone_region", "FI")
        contact = {
            "name": (name or "").strip()[:200] or None,
            "phone": normalize_phone(phone, region=region),
            "email": normalize_email(email),
            "language": normalize_language(language, default=(location.languages or ["en"])[0]),
        }
        cleaned = clean_answers(service.questions, answers)
        if contact["phone"] and not location.settings.get("allow_several_per_phone", False):
            _refuse_second_ticket(tx.session, location.id, contact["phone"])
        day = service_day(now, location.time_zone)
        sequence = allocate_number(tx.session, service_id=service.id, day=day)
        if service.daily_cap is not None and sequence > service.daily_cap:
            raise ServiceFull("this service has given all of today's tickets")
        ticket = Ticket(
            public_token=new_token(),
            location_id=location.id,
            service_id=service.id,
            issued_service_id=service.id,
            service_day=day,
            sequence=sequence,
            number=format_number(service.prefix, sequence),
            channel=channel,
            priority=int(priority),
            idempotency_key=idempotency_key,
            answers=cleaned,
            joined_at=now,
            queued_at=appointment_at or now,
            appointment_at=appointment_at,
            **contact,
        )
        tx.session.add(ticket)
        tx.session.flush()
        issuer = actor or Actor(kind="kiosk" if channel == "kiosk" else "customer")
        log_issue(tx, ticket, actor=issuer, now=now, details=details)
        return _view(tx.session, ticket, now, announce=True)


def new_token() -> str:
    """Return an unguessable public ticket token that can never be mistaken for a numeric id."""
    return "t" + secrets.token_urlsafe(16)


def allocate_number(session: Session, *, service_id: int, day) -> int:
    """Take the next number of a service's day with one atomic upsert on its counter row."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    table = TicketNumberCounter.__table__
    statement = (
        insert(table)
        .values(service_id=service_id, service_day=day, last_number=1)
        .on_conflict_do_update(
            index_elements=[table.c.service_id, table.c.service_day],
            set_={"last_number": table.c.last_number + 1},
        )
        .returning(table.c.last_number)
    )
    return session.execute(statement).scalar_one()


def _view(session: Session, ticket: Ticket, now: datetime, *, announce: bool = False) -> dict:
    """Return the public view of a ticket in line; on joining, store the estimate announced with it."""
    from qserve.services.estimates import join_estimate
    from qserve.services.queue import newcomer_place
    from qserve.services.views import place_and_estimate, public_ticket

    if not announce:
        place, estimate = place_and_estimate(session, ticket, now=now)
        return public_ticket(ticket, place, now=now, estimate=estimate)
    place = newcomer_place(session, ticket, now=now)
    estimate = join_estimate(session, ticket, now=now) if place is not None else None  # the learned one
    if place is not None and estimate is None:
        place, estimate = place_and_estimate(session, ticket, now=now, place=place)
    if estimate is not None:
        ticket.joined_estimate_p10_s = ticket.estimate_p10_s = estimate.p10_s
        ticket.joined_estimate_p50_s = ticket.estimate_p50_s = estimate.p50_s
        ticket.joined_estimate_p90_s = ticket.estimate_p90_s = estimate.p90_s
        ticket.estimate_updated_at = now
    return public_ticket(ticket, place, now=now, estimate=estimate)


def _location(session: Session, slug: str) -> Location:
    location = session.scalar(select(Location).where(Location.slug == slug))
    if location is None:
        raise NotFound(f"no location called {slug!r}")
    return location


def _open_service(session: Session, location: Location, service_id: int) -> Service:
    service = session.get(Service, service_id)
    if service is None or service.location_id != location.id:
        raise NotFound("no such service at this location", field="service_id")
    if not service.is_open:
        raise ServiceClosed(f"{service.name()} is closed now")
    return service


def is_walk_in(channel: str, *, actor: Actor | None, details: dict | None) -> bool:
    """Tell whether a join is a walk-in: anything but staff letting someone in or a booking checking in.

    The channel alone is what the caller claims; staff must be signed-in staff and a check-in must name its
    booking (which the appointments handler then holds to), so a public caller cannot slip past the rules.
    """
    if channel == "staff":
        return actor is None or actor.kind != "staff"
    if channel == "appointment":
        return not (details or {}).get("appointment_id")
    return True


def _refuse_walk_in(session: Session, location: Location, service: Service, *, now: datetime) -> None:
    """Send walk-ins to the booking page where only appointments are taken, and away when the site is full."""
    if (service.mode or location.mode) == "appointments":
        raise AppointmentsOnly(f"{service.name()} takes customers by appointment only; book a time instead")
    cap = ((location.settings or {}).get("appointments") or {}).get("on_site_cap")
    if cap is not None and people_on_site(session, location, now=now) >= int(cap):
        raise SiteFull("the location is full at the moment; please come back a little later or book a time")


def people_on_site(session: Session, location: Location, *, now: datetime) -> int:
    """Count the people at a location now: open tickets, and booked customers due any moment."""
    from qserve.models.appointment import Appointment

    in_line = session.scalar(
        select(func.count(Ticket.id)).where(
            Ticket.location_id == location.id, Ticket.status.in_([s.value for s in ON_SITE_STATUSES])
        )
    )
    grace_s = int(((location.settings or {}).get("appointments") or {}).get("grace_s", 600))
    expected = session.scalar(
        select(func.count(Appointment.id)).where(
            Appointment.location_id == location.id,
            Appointment.status == "booked",
            Appointment.starts_at > now - timedelta(seconds=grace_s),
            Appointment.starts_at <= now + timedelta(seconds=EXPECTED_SOON_S),
        )
    )
    return int(in_line or 0) + int(expected or 0)


def _refuse_second_ticket(session: Session, location_id: int, phone: str) -> None:
    query = select(func.count(Ticket.id)).where(
        Ticket.location_id == location_id,
        Ticket.phone == phone,
        Ticket.status.in_([s.value for s in OPEN_STATUSES]),
    )
    if session.scalar(query):
        raise Conflict("this phone number already has a ticket in line here", field="phone")


def ticket_by_token(session: Session, token: str) -> Ticket:
    """Return the ticket with a public token or raise NotFound."""
    ticket = session.scalar(select(Ticket).where(Ticket.public_token == token))
    if ticket is None:
        raise NotFound("no such ticket")
    return ticket


def cancel_ticket_by_customer(*, token: str, now: datetime, reason: str | None = None) -> int:
    """Cancel a ticket on its holder's request and return its id."""
    with transaction() as tx:
        ticket = ticket_by_token(tx.session, token)
        _cancel(tx, ticket, actor=Actor.customer(), now=now, reason=reason or "customer")
        return ticket.id


def _cancel(tx: UnitOfWork, ticket: Ticket, *, actor: Actor, now: datetime, reason: str) -> None:
    ticket.cancelled_by = actor.label
    ticket.cancel_reason = reason[:500]
    apply_transition(tx, ticket, Action.CANCEL, actor=actor, now=now, details={"reason": reason[:500]})


def postpone_ticket(*, token: str, now: datetime, places: int = POSTPONE_PLACES) -> int:
    """Move a waiting ticket back a few places ("I need more time"), a bounded number of times."""
    try:
        return _postpone(token=token, now=now, places=places)
    except StaleDataError as error:
        raise Conflict("the ticket changed at the same moment; please try again") from error


def _postpone(*, token: str, now: datetime, places: int) -> int:
    from qserve.services.queue import waiting_tickets

    with transaction() as tx:
        ticket = ticket_by_token(tx.session, token)
        limit = ticket.location.settings.get("max_postpones", 2)
        if ticket.status != Status.WAITING:
            raise Conflict("only a waiting ticket can ask for more time")
        if ticket.postpone_count >= limit:
            raise Conflict(f"more time can be asked at most {limit} times")
        behind = sorted(
            (
                t
                for t in waiting_tickets(tx.session, service_ids=[ticket.service_id])
                if t.queued_at > ticket.queued_at
            ),
            key=lambda t: (t.queued_at, t.id),
        )
        if behind:
            target = behind[min(places, len(behind)) - 1]
            ticket.queued_at = target.queued_at + timedelta(microseconds=1)
        ticket.postpone_count += 1
        apply_transition(
            tx,
            ticket,
            Action.POSTPONE,
            actor=Actor.customer(),
            now=now,
            details={"moved_behind": len(behind[:places])},
        )
        return ticket.id


def set_ticket_language(*, token: str, language: str, now: datetime) -> int:
    """Remember the language a customer chose on their ticket page, so that notifications use it too."""
    language = normalize_language(language)
    with transaction() as tx:
        ticket = ticket_by_token(tx.session, token)
        if ticket.language != language:
            # A preference, not a step of the visit: a plain UPDATE leaves the optimistic version alone.
            table = Ticket.__table__
            tx.session.execute(table.update().where(table.c.id == ticket.id).values(language=language))
        return ticket.id
