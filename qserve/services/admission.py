"""Admission: the rules a join is held to, checked one join at a time in the order of their clocks, with
what the joins before it in the same batch already took (numbers under a daily cap, room under a site cap,
a phone number, an idempotency key), and the location's opening hours (qserve.services.opening: walk-ins
only while open, and a ticket taken while closed numbered in the day of the next opening). Reads only;
qserve.services.joining writes what it admits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from qserve.domain.actors import Actor
from qserve.domain.contact import normalize_email, normalize_language, normalize_phone
from qserve.domain.errors import Conflict, NotFound, ServiceClosed, ServiceFull, ValidationFailed
from qserve.domain.hours import Span
from qserve.domain.lifecycle import OPEN_STATUSES, Status
from qserve.domain.questions import clean_answers
from qserve.models import Location, Service, Ticket, TicketNumberCounter
from qserve.services.opening import hours_span, refuse_walk_in_while_closed, ticket_day

CHANNELS = ("kiosk", "remote", "staff", "appointment")
ON_SITE_STATUSES = (Status.WAITING, Status.CALLED, Status.SERVING, Status.PARKED)
# A booked customer whose slot starts within this long (or started within the grace) is counted on site.
EXPECTED_SOON_S = 900


# Built once, as the other statements of the join path (see qserve.services.joining).
# The batch's locations, each with those of the services asked for that are its own (one query for both).
LOCATIONS_AND_SERVICES = (
    select(Location, Service)
    .outerjoin(
        Service,
        (Service.location_id == Location.id) & Service.id.in_(bindparam("service_ids", expanding=True)),
    )
    .where(Location.slug.in_(bindparam("slugs", expanding=True)))
)


class AppointmentsOnly(ServiceClosed):
    """The service (or its location) takes customers by appointment only: book instead (409)."""

    code = "appointments_only"


class SiteFull(ServiceFull):
    """The location holds as many people as it may at once (409)."""

    code = "site_full"


@dataclass(frozen=True, eq=False)
class JoinRequest:
    """One customer asking to join a service's queue at a moment (`now`, read when the request began).

    `details` (e.g. {"kiosk_id": 3}) go to the event log and the TicketIssued event for handlers."""

    location_slug: str
    service_id: int
    now: datetime
    channel: str = "remote"
    name: str | None = None
    phone: str | None = None
    email: str | None = None
    language: str | None = None
    answers: dict | None = None
    priority: int = 0
    idempotency_key: str | None = None
    appointment_at: datetime | None = None
    actor: Actor | None = None
    details: dict | None = None


@dataclass
class Admitted:
    """A join that passed every rule and waits for its number."""

    request: JoinRequest
    location: Location
    service: Service
    day: date
    contact: dict
    answers: dict
    sequence: int | None = None
    row: dict | None = None  # the new ticket's columns, once it has its number and id
    ticket: Ticket | None = None


@dataclass(frozen=True)
class Replayed:
    """A join repeated with an idempotency key already used: the ticket it gave the first time, as it is
    now (or, when the first time is in the same batch, as that join's outcome)."""

    now: datetime
    ticket_id: int | None = None
    first: Admitted | None = None


class JoinRules:
    """The rules a join is held to, with what the joins before it in the same batch already took."""

    def __init__(self, session: Session, requests: list[JoinRequest]) -> None:
        self.session = session
        slugs = sorted({request.location_slug for request in requests})
        service_ids = sorted({r.service_id for r in requests if isinstance(r.service_id, int)})
        self.locations: dict[str, Location] = {}
        self.services: dict[int, Service] = {}  # only those at the location of the join asking for them
        rows = session.execute(LOCATIONS_AND_SERVICES, {"slugs": slugs, "service_ids": service_ids})
        for location, service in rows.tuples():
            self.locations[location.slug] = location
            if service is not None:
                self.services[service.id] = service
        self.on_site: dict[int, int] = {}  # location id -> people there, with the joins admitted so far
        self.phones: set[tuple[int, str]] = set()  # (location id, phone) taken by this batch
        self.keys: dict[tuple[int, str], Admitted] = {}  # idempotency keys used by this batch
        self.left: dict[tuple[int, date], int] = {}  # numbers still under a service's daily cap

    def admit(self, request: JoinRequest) -> Admitted | Replayed:
        """Check one join against every rule, in the order a single join checks them."""
        _check_input(request)
        location = self.locations.get(request.location_slug)
        if location is None:
            raise NotFound(f"no location called {request.location_slug!r}")
        replayed = self._replayed(location, request)
        if replayed is not None:
            return replayed
        service = _open_service(location, self.services.get(request.service_id))
        actor = request.actor
        if actor is not None and actor.kind == "staff":
            actor.require_location(location.id, location.organization_id)
        hours = hours_span(location, request.now)  # kept between joins and batches while it holds
        walk_in = is_walk_in(request.channel, actor=actor, details=request.details)
        if walk_in:
            self._refuse_walk_in(location, service, hours, now=request.now)
        contact = _contact(location, request)
        answers = clean_answers(service.questions, request.answers)
        # One ticket per phone holds joins; a check-in redeems a booking already made (the same customer may
        # hold two, at 10:00 and 11:00 or for two services) and is never refused for the tickets beside it.
        checking_in = request.channel == "appointment" and not walk_in
        several = location.settings.get("allow_several_per_phone", False)
        if contact["phone"] and not several and not checking_in:
            self._refuse_second_ticket(location.id, contact["phone"])
        day = ticket_day(location, hours, request.now)
        self._take_number_under_cap(service, day)
        admitted = Admitted(request, location, service, day, contact, answers)
        self._count_in(location, admitted)
        return admitted

    def _replayed(self, location: Location, request: JoinRequest) -> Replayed | None:
        key = request.idempotency_key
        if not key:
            return None
        if (location.id, key) in self.keys:
            return Replayed(request.now, first=self.keys[(location.id, key)])
        existing = self.session.scalar(
            select(Ticket.id).where(Ticket.location_id == location.id, Ticket.idempotency_key == key)
        )
        return Replayed(request.now, ticket_id=existing) if existing else None

    def _refuse_walk_in(
        self, location: Location, service: Service, hours: Span | None, *, now: datetime
    ) -> None:
        """Send walk-ins to the booking page where only appointments are taken, away while the location is
        closed (outside the early window before it opens), and away when the site is full."""
        if (service.mode or location.mode) == "appointments":
            raise AppointmentsOnly(
                f"{service.name()} takes customers by appointment only; book a time instead"
            )
        if hours is not None:
            refuse_walk_in_while_closed(location, hours, now)
        cap = ((location.settings or {}).get("appointments") or {}).get("on_site_cap")
        if cap is None:
            return
        if location.id not in self.on_site:
            self.on_site[location.id] = people_on_site(self.session, location, now=now)
        if self.on_site[location.id] >= int(cap):
            raise SiteFull(
                "the location is full at the moment; please come back a little later or book a time"
            )

    def _refuse_second_ticket(self, location_id: int, phone: str) -> None:
        query = select(func.count(Ticket.id)).where(
            Ticket.location_id == location_id,
            Ticket.phone == phone,
            Ticket.status.in_([s.value for s in OPEN_STATUSES]),
        )
        if (location_id, phone) in self.phones or self.session.scalar(query):
            raise Conflict("this phone number already has a ticket in line here", field="phone")

    def _take_number_under_cap(self, service: Service, day: date) -> None:
        """Refuse a join once the joins before it took the last of a service's daily tickets."""
        if service.daily_cap is None:
            return
        key = (service.id, day)
        if key not in self.left:
            given = self.session.scalar(
                select(TicketNumberCounter.last_number).where(
                    TicketNumberCounter.service_id == service.id, TicketNumberCounter.service_day == day
                )
            )
            self.left[key] = service.daily_cap - int(given or 0)
        if self.left[key] <= 0:
            raise daily_cap_reached()
        self.left[key] -= 1

    def _count_in(self, location: Location, admitted: Admitted) -> None:
        if location.id in self.on_site:
            self.on_site[location.id] += 1
        if admitted.contact["phone"]:
            self.phones.add((location.id, admitted.contact["phone"]))
        if admitted.request.idempotency_key:
            self.keys[(location.id, admitted.request.idempotency_key)] = admitted


def daily_cap_reached() -> ServiceFull:
    """Return the error of a join past its service's daily cap (refused here, or past the numbers taken)."""
    return ServiceFull("this service has given all of today's tickets")


def _check_input(request: JoinRequest) -> None:
    if request.channel not in CHANNELS:
        raise ValidationFailed(f"channel must be one of {list(CHANNELS)}", field="channel")
    if not 0 <= int(request.priority) <= 9:
        raise ValidationFailed("priority must be between 0 and 9", field="priority")


def _contact(location: Location, request: JoinRequest) -> dict:
    region = location.settings.get("phone_region", "FI")
    return {
        "name": (request.name or "").strip()[:200] or None,
        "phone": normalize_phone(request.phone, region=region),
        "email": normalize_email(request.email),
        "language": normalize_language(request.language, default=(location.languages or ["en"])[0]),
    }


def _open_service(location: Location, service: Service | None) -> Service:
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
