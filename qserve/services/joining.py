"""Joining a queue: many joins committed together in one transaction, each admitted by the rules of one
(qserve.services.admission).

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
from datetime import date

from flask import current_app
from sqlalchemy import Date, Integer, bindparam, insert, text, update
from sqlalchemy.orm import Session, make_transient_to_detached
from sqlalchemy.orm.attributes import manager_of_class

from qserve.db import UnitOfWork, transaction
from qserve.domain.actors import Actor
from qserve.domain.errors import QServeError
from qserve.domain.lifecycle import Status
from qserve.domain.numbering import format_number
from qserve.models import Service, Ticket, TicketNumberCounter
from qserve.services.admission import (
    Admitted,
    AppointmentsOnly,
    JoinRequest,
    JoinRules,
    Replayed,
    SiteFull,
    daily_cap_reached,
)
from qserve.services.newcomers import (
    Placed,
    by_location,
    census_with_newcomers,
    counted_alone,
    estimate_columns,
    place_newcomers,
    store_estimates,
)
from qserve.services.transitions import IssueEntry, log_issues

# The join path's statements are built once: SQLAlchemy keeps their compiled form, so a join pays only for
# running them (building a statement anew costs several times what running it does).
TICKETS = Ticket.__table__
_TICKET_MANAGER = manager_of_class(Ticket)
INSERT_TICKETS = insert(TICKETS)  # every row carries its id, taken beforehand (_number)
SQLITE_LAST_TICKET_ID = text("SELECT coalesce(max(id), 0) FROM tickets")  # see _number
COUNTERS = TicketNumberCounter.__table__
# SQLAlchemy cannot cache its ON CONFLICT constructs, so the upsert is written out: the same SQL on SQLite
# (3.35 and newer) and PostgreSQL.
_UPSERT_NUMBERS = (
    "INSERT INTO ticket_number_counters (service_id, service_day, last_number)"
    " VALUES (:service_id, :day, :count)"
    " ON CONFLICT (service_id, service_day)"
    " DO UPDATE SET last_number = ticket_number_counters.last_number + :count"
    " RETURNING last_number"
)
TAKE_NUMBERS = (
    text(_UPSERT_NUMBERS)
    .bindparams(bindparam("service_id", type_=Integer()), bindparam("day", type_=Date()))
    .bindparams(bindparam("count", type_=Integer()))
    .columns(last_number=Integer())
)
# The upsert and the next `ids` ids of the tickets' sequence, a row per id (PostgreSQL).
POSTGRESQL_TAKE_NUMBERS_AND_IDS = (
    text(
        f"WITH taken AS ({_UPSERT_NUMBERS})"
        " SELECT taken.last_number, nextval(pg_get_serial_sequence('tickets', 'id')) AS id"
        " FROM taken CROSS JOIN generate_series(1, :ids)"
    )
    .bindparams(bindparam("service_id", type_=Integer()), bindparam("day", type_=Date()))
    .bindparams(bindparam("count", type_=Integer()), bindparam("ids", type_=Integer()))
    .columns(last_number=Integer(), id=Integer())
)


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
            outcomes = [_alone(request) for request in ordered]
        elif isinstance(error, QServeError):
            outcomes = [error]
        else:
            raise
    result: list[JoinOutcome] = [None] * len(requests)  # type: ignore[list-item]
    for index, outcome in zip(order, outcomes, strict=True):
        result[index] = outcome
    return result


def _alone(request: JoinRequest) -> JoinOutcome:
    """Run one join of a batch that failed as a whole; even an unexpected error is its outcome alone (the
    joins before it may have committed their tickets, and their callers must hear so)."""
    try:
        return join_queues([request])[0]
    except Exception as error:
        return error


def _join_together(requests: list[JoinRequest]) -> list[JoinOutcome]:
    with transaction() as tx:
        rules = JoinRules(tx.session, requests)
        admitted: list[Admitted | Replayed | QServeError] = []
        for request in requests:
            try:
                admitted.append(rules.admit(request))
            except QServeError as error:
                admitted.append(error)
        joining = [item for item in admitted if isinstance(item, Admitted)]
        ids = _number(tx.session, joining)
        issued = [item for item in joining if item.sequence is not None]
        placed = _issue(tx.session, issued, ids)
        _log(tx, issued, placed)
        # Viewed once their first log entries are in: a booking checked in late is known by its entry.
        views = _views(placed)
        return [_outcome(tx.session, item, views) for item in admitted]


def _outcome(session: Session, item, views: dict[int, dict]) -> JoinOutcome:
    if isinstance(item, QServeError):
        return item
    if isinstance(item, Replayed) and item.first is not None:
        return _outcome(session, item.first, views)
    if isinstance(item, Replayed):
        from qserve.services.views import ticket_with_place

        return ticket_with_place(session, session.get(Ticket, item.ticket_id), now=item.now)
    if item.sequence is None:
        return daily_cap_reached()
    return views[item.ticket.id]


def _number(session: Session, joining: list[Admitted]) -> list[int]:
    """Give the joins their numbers, one block per service and day taken by one atomic upsert, and take an
    id for each join; return the ids, ascending (those of joins a cap refuses go unused).

    PostgreSQL's ids come from the tickets' sequence in the same statement as the first block (a round
    trip less). SQLite gives a new row the highest id plus one, and the transaction holds the write lock
    from its BEGIN IMMEDIATE, so nobody takes the next ones meanwhile."""
    blocks: dict[tuple[Service, date], list[Admitted]] = {}
    for item in joining:
        blocks.setdefault((item.service, item.day), []).append(item)
    postgresql = session.get_bind().dialect.name == "postgresql"
    ids: list[int] = []
    for (service, day), items in blocks.items():
        first, taken = _take_numbers(
            session,
            service_id=service.id,
            day=day,
            count=len(items),
            cap=service.daily_cap,
            ids=len(joining) if postgresql and not ids else 0,
        )
        ids = ids or taken
        for offset, item in enumerate(items):
            sequence = first + offset
            if service.daily_cap is None or sequence <= service.daily_cap:
                item.sequence = sequence
    if joining and not postgresql:
        last = session.connection().execute(SQLITE_LAST_TICKET_ID).scalar_one()
        ids = list(range(last + 1, last + 1 + len(joining)))
    return ids


def _take_numbers(
    session: Session, *, service_id: int, day: date, count: int, cap: int | None, ids: int
) -> tuple[int, list[int]]:
    """Take `count` consecutive numbers of a service's day with one atomic upsert on its counter row and
    return the first, with `ids` ticket ids from the tickets' sequence in the same statement, ascending
    (PostgreSQL only; none when 0). With a daily cap, numbers beyond it are given back at once (the row
    stays locked until commit, so nobody took any meanwhile): the caller refuses the joins that would have
    had them."""
    connection = session.connection()
    parameters = {"service_id": service_id, "day": day, "count": count}
    if ids:
        rows = connection.execute(POSTGRESQL_TAKE_NUMBERS_AND_IDS, parameters | {"ids": ids}).all()
        last, taken = rows[0].last_number, sorted(row.id for row in rows)
    else:
        last, taken = connection.execute(TAKE_NUMBERS, parameters).scalar_one(), []
    first = last - count + 1
    if cap is not None and last > cap:
        row = (COUNTERS.c.service_id == service_id) & (COUNTERS.c.service_day == day)
        connection.execute(update(COUNTERS).where(row).values(last_number=max(first - 1, cap)))
    return first, taken


def new_token() -> str:
    """Return an unguessable public ticket token that can never be mistaken for a numeric id."""
    return "t" + secrets.token_urlsafe(16)


def _insert(session: Session, issued: list[Admitted]) -> None:
    """Insert the tickets with one statement and hold in the session, as loaded, those that the
    transaction's handlers read back: a ticket with someone to tell, a kiosk's or a booking's, and one that
    does not stand at the back of the line (its line is scanned). A handler that asks for another reads it
    from the database; putting every plain join in the session cost a tenth of a batch."""
    session.connection().execute(INSERT_TICKETS, [item.row for item in issued])
    for item in issued:
        if _read_back(item.ticket, item.request):
            make_transient_to_detached(item.ticket)
            session.add(item.ticket)


def _read_back(ticket: Ticket, request: JoinRequest) -> bool:
    return ticket.has_contact or bool(request.details) or not ticket.stands_at_back


def _log(tx: UnitOfWork, issued: list[Admitted], placed: dict[int, Placed]) -> None:
    """Write the tickets' first event-log entries with one statement and record their TicketIssued events,
    each with the place its join was given (what the handlers tell the customer)."""
    entries = []
    for item in issued:
        request, place = item.request, placed[item.ticket.id][1]
        issuer = request.actor or Actor(kind="kiosk" if request.channel == "kiosk" else "customer")
        entries.append(
            IssueEntry(
                item.ticket,
                actor=issuer,
                now=request.now,
                details=request.details,
                position=place.position if place else None,
                people_ahead=place.ahead if place else None,
            )
        )
    log_issues(tx, entries)


def _new_ticket(row: dict, item: Admitted) -> Ticket:
    """Return the Ticket of a row about to be inserted, every column known and so its location and service,
    and that it has no counter, so that views and handlers read it without going back to the database.

    Its attributes are filled in as the ORM's own loading does, straight into the instance's dict (eight
    times cheaper than the constructor's instrumented setters); once the row is in, _insert commits them as
    its loaded state and gives it its identity (make_transient_to_detached)."""
    ticket = _TICKET_MANAGER.new_instance()
    ticket.__dict__.update(row, location=item.location, service=item.service, counter=None)
    return ticket


def _ticket_row(item: Admitted) -> dict:
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


def _issue(session: Session, issued: list[Admitted], ids: list[int]) -> dict[int, Placed]:
    """Insert the new tickets, place them in line, estimate their waits and store the estimate announced
    with each; return them with their places and estimates by ticket id.

    The line is counted before the insert and the new tickets added to the count. When the lines counted
    hold plain walk-ins alone and so do the new tickets (the usual join: no priority, no booking), that
    count alone places and estimates them, and their estimates go into the INSERT itself; otherwise the
    tickets go in first, so that the clock-aware counts, the whole-line places and the estimator's
    detailed counts see them, and their estimates follow in an UPDATE. `ids` are those _number took (at
    least one per ticket)."""
    if not issued:
        return {}
    for item, ticket_id in zip(issued, ids[: len(issued)], strict=True):
        item.row = _ticket_row(item) | {"id": ticket_id}
        item.ticket = _new_ticket(item.row, item)
    tickets = [item.ticket for item in issued]
    censuses = {
        location_id: census_with_newcomers(session, joined)
        for location_id, joined in by_location(tickets).items()
    }
    early = counted_alone(tickets, censuses)
    if not early:
        _insert(session, issued)
    placed = place_newcomers(session, tickets, censuses, now=max(t.joined_at for t in tickets))
    if early:
        for item in issued:
            estimate = placed[item.ticket.id][2]
            if estimate is not None:
                columns = estimate_columns(estimate, item.ticket.joined_at)
                item.row.update(columns)
                item.ticket.__dict__.update(columns)
        _insert(session, issued)
    else:
        store_estimates(session, [(t, estimate) for t, _place, estimate in placed.values() if estimate])
    return placed


def _views(placed: dict[int, Placed]) -> dict[int, dict]:
    """Return the public views of new tickets by id, each with the place and estimate its join was given."""
    from qserve.services.views import public_ticket

    return {
        ticket_id: public_ticket(ticket, place, now=ticket.joined_at, estimate=estimate)
        for ticket_id, (ticket, place, estimate) in placed.items()
    }


__all__ = ["AppointmentsOnly", "JoinRequest", "SiteFull", "join_queue_together", "join_queues"]
