"""Joining a queue: the rules of one join, and many joins committed together in one transaction.

Joins that arrive at the same moment are committed together (group commit, see `qserve.services.combining`):
one transaction, one number upsert per service and day, one INSERT of the tickets and one of their event-log
entries. Each join is still held to the rules of a join alone, in the order of its clock: the ticket cap, the
walk-in rules, one ticket per phone, idempotency. A join that breaks a rule gets its own error and costs the
others nothing; a batch that fails as a whole (a booking checked in twice, a collision with another process)
is run again one join at a time.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import Date, Integer, bindparam, func, insert, select, text, update
from sqlalchemy.orm import Session, make_transient_to_detached
from sqlalchemy.orm.attributes import manager_of_class, set_committed_value

from qserve.db import UnitOfWork, transaction
from qserve.domain.actors import Actor
from qserve.domain.contact import normalize_email, normalize_language, normalize_phone
from qserve.domain.errors import (
    Conflict,
    NotFound,
    QServeError,
    ServiceClosed,
    ServiceFull,
    ValidationFailed,
)
from qserve.domain.lifecycle import OPEN_STATUSES, Status
from qserve.domain.numbering import format_number, service_day
from qserve.domain.questions import clean_answers
from qserve.models import Location, Service, Ticket, TicketNumberCounter
from qserve.services.estimates import WaitRange
from qserve.services.transitions import IssueEntry, log_issues

CHANNELS = ("kiosk", "remote", "staff", "appointment")
ON_SITE_STATUSES = (Status.WAITING, Status.CALLED, Status.SERVING, Status.PARKED)
# A booked customer whose slot starts within this long (or started within the grace) is counted on site.
EXPECTED_SOON_S = 900


# The join path's statements are built once: SQLAlchemy keeps their compiled form, so a join pays only for
# running them (building a statement anew costs several times what running it does).
LOCATIONS = select(Location).where(Location.slug.in_(bindparam("slugs", expanding=True)))
SERVICES = select(Service).where(Service.id.in_(bindparam("ids", expanding=True)))
TICKETS = Ticket.__table__
_TICKET_MANAGER = manager_of_class(Ticket)
# Rows come back in any order: each is matched to its join by its token (asking for the order would make
# SQLite insert row by row).
INSERT_TICKETS = insert(TICKETS).returning(TICKETS.c.public_token, TICKETS.c.id)
STORE_JOIN_ESTIMATES = (
    update(TICKETS)
    .where(TICKETS.c.id == bindparam("ticket_id"))
    .values(
        joined_estimate_p10_s=bindparam("p10"),
        joined_estimate_p50_s=bindparam("p50"),
        joined_estimate_p90_s=bindparam("p90"),
        estimate_p10_s=bindparam("p10"),
        estimate_p50_s=bindparam("p50"),
        estimate_p90_s=bindparam("p90"),
        estimate_updated_at=bindparam("at"),
    )
)
COUNTERS = TicketNumberCounter.__table__
# SQLAlchemy cannot cache its ON CONFLICT constructs, so the upsert is written out: the same SQL on SQLite
# (3.35 and newer) and PostgreSQL.
TAKE_NUMBERS = (
    text(
        "INSERT INTO ticket_number_counters (service_id, service_day, last_number)"
        " VALUES (:service_id, :day, :count)"
        " ON CONFLICT (service_id, service_day)"
        " DO UPDATE SET last_number = ticket_number_counters.last_number + :count"
        " RETURNING last_number"
    )
    .bindparams(bindparam("service_id", type_=Integer()), bindparam("day", type_=Date()))
    .bindparams(bindparam("count", type_=Integer()))
    .columns(last_number=Integer())
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


# What a join gives: the ticket's public view, or the error that refused it (or broke its transaction).
JoinOutcome = dict | Exception


def join_queue_together(request: JoinRequest) -> dict:
    """Join a queue in the same transaction as whoever else joins at this moment (group commit) and return
    the ticket's public view; raise the error that refused it."""
    from qserve.services.combining import Combiner

    combiner = current_app.extensions.get("qserve.joins")
    if combiner is None:
        combiner = current_app.extensions.setdefault("qserve.joins", Combiner(join_queues))
    return combiner.submit(request)


def join_queues(requests: Sequence[JoinRequest]) -> list[JoinOutcome]:
    """Join customers to queues in one transaction; return, in the order given, each one's ticket view or
    the error that refused it. A transaction that fails as a whole is run again one join at a time."""
    order = sorted(range(len(requests)), key=lambda index: requests[index].now)
    ordered = [requests[index] for index in order]
    try:
        outcomes = _join_together(ordered)
    except Exception as error:
        if len(ordered) > 1:
            outcomes = [join_queues([request])[0] for request in ordered]
        elif isinstance(error, QServeError):
            outcomes = [error]
        else:
            raise
    result: list[JoinOutcome] = [None] * len(requests)  # type: ignore[list-item]
    for index, outcome in zip(order, outcomes, strict=True):
        result[index] = outcome
    return result


@dataclass
class _Admitted:
    """A join that passed every rule and waits for its number."""

    request: JoinRequest
    location: Location
    service: Service
    day: date
    contact: dict
    answers: dict
    sequence: int | None = None
    ticket: Ticket | None = None


@dataclass(frozen=True)
class _Replayed:
    """A join repeated with an idempotency key already used: the ticket it gave the first time, as it is
    now (or, when the first time is in the same batch, as that join's outcome)."""

    now: datetime
    ticket_id: int | None = None
    first: _Admitted | None = None


def _join_together(requests: list[JoinRequest]) -> list[JoinOutcome]:
    with transaction() as tx:
        rules = _Rules(tx.session, requests)
        admitted: list[_Admitted | _Replayed | QServeError] = []
        for request in requests:
            try:
                admitted.append(rules.admit(request))
            except QServeError as error:
                admitted.append(error)
        joining = [item for item in admitted if isinstance(item, _Admitted)]
        _number(tx.session, joining)
        issued = [item for item in joining if item.sequence is not None]
        _insert(tx, issued)
        views = _announce(tx.session, issued)
        return [_outcome(tx.session, item, views) for item in admitted]


def _outcome(session: Session, item, views: dict[int, dict]) -> JoinOutcome:
    if isinstance(item, QServeError):
        return item
    if isinstance(item, _Replayed) and item.first is not None:
        return _outcome(session, item.first, views)
    if isinstance(item, _Replayed):
        from qserve.services.views import ticket_with_place

        return ticket_with_place(session, session.get(Ticket, item.ticket_id), now=item.now)
    if item.sequence is None:
        return ServiceFull("this service has given all of today's tickets")
    return views[item.ticket.id]


class _Rules:
    """The rules a join is held to, with what the joins before it in the same batch already took."""

    def __init__(self, session: Session, requests: list[JoinRequest]) -> None:
        self.session = session
        slugs = sorted({request.location_slug for request in requests})
        self.locations = {
            location.slug: location for location in session.scalars(LOCATIONS, {"slugs": slugs})
        }
        service_ids = sorted({r.service_id for r in requests if isinstance(r.service_id, int)})
        self.services = {service.id: service for service in session.scalars(SERVICES, {"ids": service_ids})}
        self.on_site: dict[int, int] = {}  # location id -> people there, with the joins admitted so far
        self.phones: set[tuple[int, str]] = set()  # (location id, phone) taken by this batch
        self.keys: dict[tuple[int, str], _Admitted] = {}  # idempotency keys used by this batch
        self.left: dict[tuple[int, date], int | None] = {}  # numbers still under a service's daily cap

    def admit(self, request: JoinRequest) -> _Admitted | _Replayed:
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
        walk_in = is_walk_in(request.channel, actor=actor, details=request.details)
        if walk_in:
            self._refuse_walk_in(location, service, now=request.now)
        contact = _contact(location, request)
        answers = clean_answers(service.questions, request.answers)
        if contact["phone"] and not location.settings.get("allow_several_per_phone", False):
            self._refuse_second_ticket(location.id, contact["phone"])
        day = service_day(request.now, location.time_zone)
        self._take_number_under_cap(service, day)
        admitted = _Admitted(request, location, service, day, contact, answers)
        self._count_in(location, admitted)
        return admitted

    def _replayed(self, location: Location, request: JoinRequest) -> _Replayed | None:
        key = request.idempotency_key
        if not key:
            return None
        if (location.id, key) in self.keys:
            return _Replayed(request.now, first=self.keys[(location.id, key)])
        existing = self.session.scalar(
            select(Ticket.id).where(Ticket.location_id == location.id, Ticket.idempotency_key == key)
        )
        return _Replayed(request.now, ticket_id=existing) if existing else None

    def _refuse_walk_in(self, location: Location, service: Service, *, now: datetime) -> None:
        """Send walk-ins to the booking page where only appointments are taken, and away when the site is
        full."""
        if (service.mode or location.mode) == "appointments":
            raise AppointmentsOnly(
                f"{service.name()} takes customers by appointment only; book a time instead"
            )
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
            raise ServiceFull("this service has given all of today's tickets")
        self.left[key] -= 1

    def _count_in(self, location: Location, admitted: _Admitted) -> None:
        if location.id in self.on_site:
            self.on_site[location.id] += 1
        if admitted.contact["phone"]:
            self.phones.add((location.id, admitted.contact["phone"]))
        if admitted.request.idempotency_key:
            self.keys[(location.id, admitted.request.idempotency_key)] = admitted


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


def _number(session: Session, joining: list[_Admitted]) -> None:
    """Give the joins their numbers: one block per service and day, taken by one atomic upsert."""
    blocks: dict[tuple[Service, date], list[_Admitted]] = {}
    for item in joining:
        blocks.setdefault((item.service, item.day), []).append(item)
    for (service, day), items in blocks.items():
        first = allocate_numbers(
            session, service_id=service.id, day=day, count=len(items), cap=service.daily_cap
        )
        for offset, item in enumerate(items):
            sequence = first + offset
            if service.daily_cap is None or sequence <= service.daily_cap:
                item.sequence = sequence


def allocate_number(session: Session, *, service_id: int, day: date) -> int:
    """Take the next number of a service's day with one atomic upsert on its counter row."""
    return allocate_numbers(session, service_id=service_id, day=day, count=1)


def allocate_numbers(
    session: Session, *, service_id: int, day: date, count: int, cap: int | None = None
) -> int:
    """Take `count` consecutive numbers of a service's day with one atomic upsert on its counter row and
    return the first. With a daily cap, numbers beyond it are given back at once (the row stays locked
    until commit, so nobody took any meanwhile): the caller refuses the joins that would have had them."""
    connection = session.connection()
    last = connection.execute(
        TAKE_NUMBERS, {"service_id": service_id, "day": day, "count": count}
    ).scalar_one()
    first = last - count + 1
    if cap is not None and last > cap:
        row = (COUNTERS.c.service_id == service_id) & (COUNTERS.c.service_day == day)
        connection.execute(update(COUNTERS).where(row).values(last_number=max(first - 1, cap)))
    return first


def new_token() -> str:
    """Return an unguessable public ticket token that can never be mistaken for a numeric id."""
    return "t" + secrets.token_urlsafe(16)


def _insert(tx: UnitOfWork, issued: list[_Admitted]) -> None:
    """Insert the tickets with one statement and their first event-log entries with another."""
    if not issued:
        return
    rows = [_ticket_row(item) for item in issued]
    ids = dict(tx.session.connection().execute(INSERT_TICKETS, rows).tuples().all())
    entries = []
    for item, row in zip(issued, rows, strict=True):
        item.ticket = _loaded(tx.session, row, ids[row["public_token"]])
        request = item.request
        issuer = request.actor or Actor(kind="kiosk" if request.channel == "kiosk" else "customer")
        entries.append(IssueEntry(item.ticket, actor=issuer, now=request.now, details=request.details))
    log_issues(tx, entries)


def _loaded(session: Session, row: dict, ticket_id: int) -> Ticket:
    """Return the Ticket of a row just inserted, in the session as if loaded (no query: every column is
    known), so that views and handlers read it without going back to the database.

    Its attributes are filled in as the ORM's own loading does, straight into the instance's dict (eight
    times cheaper than the constructor's instrumented setters); make_transient_to_detached then commits
    them as its loaded state and gives it its identity."""
    ticket = _TICKET_MANAGER.new_instance()
    ticket.__dict__.update(row, id=ticket_id)
    make_transient_to_detached(ticket)
    session.add(ticket)
    return ticket


def _ticket_row(item: _Admitted) -> dict:
    request, service = item.request, item.service
    return NEW_TICKET_DEFAULTS | {
        "public_token": new_token(),
        "location_id": item.location.id,
        "service_id": service.id,
        "issued_service_id": service.id,
        "service_day": item.day,
        "sequence": item.sequence,
        "number": format_number(service.prefix, item.sequence),
        "channel": request.channel,
        "priority": int(request.priority),
        "status": Status.WAITING.value,
        "idempotency_key": request.idempotency_key,
        "answers": item.answers,
        "joined_at": request.now,
        "queued_at": request.appointment_at or request.now,
        "appointment_at": request.appointment_at,
        "version": 1,
        **item.contact,
    }


def _column_defaults() -> dict:
    """Return every column of a new ticket with its default, so that the inserted row is wholly known."""
    columns = {}
    for column in TICKETS.columns:
        if column.primary_key:
            continue
        default = column.default
        if default is None:
            columns[column.key] = None
        elif default.is_callable:
            columns[column.key] = default.arg(None)
        else:
            columns[column.key] = default.arg
    return columns


NEW_TICKET_DEFAULTS = _column_defaults()  # a row overrides the mutable ones (answers) with its own


def _announce(session: Session, issued: list[_Admitted]) -> dict[int, dict]:
    """Place the new tickets in line, estimate their waits, store the estimate announced with each and
    return their public views by ticket id."""
    from qserve.services.estimates import join_estimates
    from qserve.services.queue import newcomer_places
    from qserve.services.views import place_and_estimate, public_ticket

    if not issued:
        return {}
    tickets = [item.ticket for item in issued]
    now = max(ticket.joined_at for ticket in tickets)
    places = newcomer_places(session, tickets, now=now)
    estimates = join_estimates(session, [t for t in tickets if places.get(t.id) is not None], now=now)
    views = {}
    for ticket in tickets:
        place, estimate = places.get(ticket.id), estimates.get(ticket.id)
        if place is not None and estimate is None:
            place, estimate = place_and_estimate(session, ticket, now=now, place=place)
        if estimate is not None:
            estimates[ticket.id] = estimate
        views[ticket.id] = (ticket, place, estimate)
    _store_estimates(session, [(t, estimates[t.id]) for t in tickets if estimates.get(t.id)])
    return {
        ticket_id: public_ticket(ticket, place, now=ticket.joined_at, estimate=estimate)
        for ticket_id, (ticket, place, estimate) in views.items()
    }


def _store_estimates(session: Session, estimates: list[tuple[Ticket, WaitRange]]) -> None:
    """Write the announced estimates with one executemany UPDATE (a new ticket's version is left alone:
    nobody holds it yet) and keep the loaded tickets in step without marking them changed."""
    if not estimates:
        return
    rows = [
        {"ticket_id": t.id, "p10": e.p10_s, "p50": e.p50_s, "p90": e.p90_s, "at": t.joined_at}
        for t, e in estimates
    ]
    session.connection().execute(STORE_JOIN_ESTIMATES, rows)
    for ticket, estimate in estimates:
        for prefix in ("joined_estimate", "estimate"):
            set_committed_value(ticket, f"{prefix}_p10_s", estimate.p10_s)
            set_committed_value(ticket, f"{prefix}_p50_s", estimate.p50_s)
            set_committed_value(ticket, f"{prefix}_p90_s", estimate.p90_s)
        set_committed_value(ticket, "estimate_updated_at", ticket.joined_at)
