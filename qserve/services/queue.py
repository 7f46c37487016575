"""Reading the live queue: call order, positions and what is ahead of a ticket."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Integer, bindparam, case, func, literal, literal_column, select, text, union_all
from sqlalchemy.orm import Session

from qserve.domain.lifecycle import Status
from qserve.domain.ordering import (
    Candidate,
    FairnessRule,
    Place,
    places_at_slots,
    priority_streak,
    queue_order,
)
from qserve.models import Counter, Location, Ticket
from qserve.models.ticket import SPECIAL_IN_LINE

RECENT_CALLS = 20
HEAD_SIZE = 20  # tickets read to call the head of a line: enough for counters racing for the same one


def candidate_of(ticket: Ticket) -> Candidate:
    """Describe a waiting ticket for the call-next rules."""
    return Candidate(
        ticket_id=ticket.id,
        service_id=ticket.service_id,
        priority=ticket.priority,
        queued_at=ticket.queued_at,
        appointment_at=ticket.appointment_at,
    )


def waiting_tickets(session: Session, *, service_ids: set[int] | list[int]) -> list[Ticket]:
    """Return the waiting tickets of some services."""
    if not service_ids:
        return []
    query = select(Ticket).where(Ticket.service_id.in_(list(service_ids)), Ticket.status == Status.WAITING)
    return list(session.scalars(query))


def waiting_candidates(session: Session, *, service_ids: set[int] | list[int]) -> list[Candidate]:
    """Return the waiting tickets of some services as light Candidates (no ORM objects: a hot path)."""
    if not service_ids:
        return []
    query = select(
        Ticket.id, Ticket.service_id, Ticket.priority, Ticket.queued_at, Ticket.appointment_at
    ).where(Ticket.service_id.in_(list(service_ids)), Ticket.status == Status.WAITING)
    return [Candidate(*row) for row in session.execute(query)]


_TICKETS = Ticket.__table__
# Those waiting in some services' lines (the covering index of the line: service, status, ...).
IN_LINE = (
    _TICKETS.c.service_id.in_(bindparam("service_ids", expanding=True)),
    _TICKETS.c.status == Status.WAITING.value,
)
_BOOKED = _TICKETS.c.appointment_at.is_not(None)
_DUE = _BOOKED & (_TICKETS.c.appointment_at <= bindparam("now"))
_HEAD_COLUMNS = (
    _TICKETS.c.id,
    _TICKETS.c.service_id,
    _TICKETS.c.priority,
    _TICKETS.c.queued_at,
    _TICKETS.c.appointment_at,
)
WAITING_LEVELS = select(_TICKETS.c.priority).where(*IN_LINE, ~_DUE).distinct()
_DUE_GROUP = -1
_HEADS: dict[tuple[int, ...], object] = {}  # the query of the groups' heads, built once per set of levels


def _heads_query(levels: tuple[int, ...]):
    """Return the query of the first tickets of each group: due appointments, then each priority level
    (one more than asked of each tells whether the group goes on beyond its head)."""
    query = _HEADS.get(levels)
    if query is None:
        size = bindparam("size")
        groups = [
            select(*_HEAD_COLUMNS, literal(_DUE_GROUP).label("grp"))
            .where(*IN_LINE, _DUE)
            .order_by(_TICKETS.c.appointment_at, _TICKETS.c.id)
        ]
        groups += [
            select(*_HEAD_COLUMNS, literal(level).label("grp"))
            .where(*IN_LINE, ~_DUE, _TICKETS.c.priority == level)
            .order_by(_TICKETS.c.queued_at, _TICKETS.c.id)
            for level in levels
        ]
        query = _HEADS.setdefault(levels, union_all(*(select(g.limit(size).subquery()) for g in groups)))
    return query


def head_candidates(
    session: Session, *, service_ids: set[int] | list[int], now: datetime, limit: int = HEAD_SIZE
) -> tuple[list[Candidate], bool]:
    """Return the waiting tickets that can be among the first `limit` of the call order under any fairness
    rule, and whether that is the whole line (a hot path: a long line is not loaded to call its head).

    Every rule keeps due appointments in slot order and, within one priority level, the others in line
    order; so the first `limit` of the call order are among the first `limit` of each of those groups.
    Each group's head is read on its own, in index order (one query for the priority levels waiting, one
    for the heads): nothing sorts or ranks the whole line."""
    if not service_ids:
        return [], True
    connection = session.connection()
    parameters = {"service_ids": sorted(service_ids), "now": now}
    levels = tuple(sorted(connection.execute(WAITING_LEVELS, parameters).scalars()))
    rows = connection.execute(_heads_query(levels), parameters | {"size": limit + 1}).all()
    by_group: dict[int, list] = {}
    for row in rows:
        by_group.setdefault(row.grp, []).append(row)
    for group, group_rows in by_group.items():  # a union keeps no order: each group in its own again
        group_rows.sort(key=lambda r: (r.appointment_at if group == _DUE_GROUP else r.queued_at, r.id))
    candidates = [
        Candidate(r.id, r.service_id, r.priority, r.queued_at, r.appointment_at)
        for group_rows in by_group.values()
        for r in group_rows[:limit]
    ]
    return candidates, all(len(group_rows) <= limit for group_rows in by_group.values())


# The last calls of a location, newest first (the index on (location_id, called_at) reads just these).
RECENT_CALLED_PRIORITIES = (
    select(_TICKETS.c.priority)
    .where(_TICKETS.c.location_id == bindparam("location_id"), _TICKETS.c.called_at.is_not(None))
    .order_by(_TICKETS.c.called_at.desc())
    .limit(RECENT_CALLS)
)


def location_streak(session: Session, *, location_id: int) -> int:
    """Count the priority tickets called in a row most recently at a location."""
    rows = session.connection().execute(RECENT_CALLED_PRIORITIES, {"location_id": location_id})
    return priority_streak(list(rows.scalars()))


def places_by_service(
    candidates: list[Candidate], *, rule: FairnessRule, now: datetime, streak: int = 0, at_slots: bool = False
) -> dict[int, Place]:
    """Return each waiting ticket's Place within its own service, in call order; with `at_slots`, as its
    customer is told it: an appointment where it stands once its slot starts (see places_at_slots)."""
    by_service: dict[int, list[Candidate]] = {}
    for candidate in candidates:
        by_service.setdefault(candidate.service_id, []).append(candidate)
    places: dict[int, Place] = {}
    for service_candidates in by_service.values():
        order = queue_order(service_candidates, rule=rule, now=now, priority_streak=streak)
        appointments = priorities = 0
        for rank, candidate in enumerate(order):
            places[candidate.ticket_id] = Place(rank + 1, rank, appointments, priorities)
            appointments += candidate.appointment_at is not None
            priorities += candidate.priority > 0
    return places | places_at_slots(candidates) if at_slots else places


def place_of(session: Session, ticket: Ticket, *, now: datetime, at_slots: bool = True) -> Place | None:
    """Return a ticket's Place in line as its customer is told it (the call order with `at_slots` false), or
    None when it is not waiting."""
    if ticket.status != Status.WAITING:
        return None
    location = session.get(Location, ticket.location_id)
    rule = FairnessRule.from_settings(location.fairness)
    candidates = waiting_candidates(session, service_ids=[ticket.service_id])
    streak = location_streak(session, location_id=location.id) if rule.kind == "max_in_row" else 0
    return places_by_service(candidates, rule=rule, now=now, streak=streak, at_slots=at_slots).get(ticket.id)


_DUE_OR_WALK_IN = _TICKETS.c.appointment_at.is_(None) | (_TICKETS.c.appointment_at <= bindparam("now"))
# Built once (a hot path: every join runs it); counts per service who a newcomer stands behind.
WAITING_AHEAD_COUNTS = (
    select(
        _TICKETS.c.service_id,
        func.count(_TICKETS.c.id),
        func.count(_TICKETS.c.appointment_at),
        func.coalesce(func.sum(case((_TICKETS.c.priority > 0, 1), else_=0)), 0),
    )
    .where(*IN_LINE, _DUE_OR_WALK_IN)
    .group_by(_TICKETS.c.service_id)
)


@dataclass(frozen=True)
class CensusScope:
    """What a census of a location's line should cover besides the services joined: the estimator's
    services, the last ticket id of its last refresh and how many waited then (`seen`)."""

    service_ids: frozenset[int] = frozenset()
    last_id: int = 0
    seen: int | None = None


@dataclass(frozen=True)
class LineCensus:
    """Who waits in some services' lines, read in one statement, so that a batch of joins counts a long
    line once for all it asks of it (their places, the estimator's check that nobody left).

    Per service: everyone waiting, with the appointments and priority tickets among them, and how many
    have an id above `last_id` (joined since a moment the estimator remembers)."""

    last_id: int
    waiting: dict[int, int]
    booked: dict[int, int]
    priority: dict[int, int]
    newer: dict[int, int]

    def unbooked(self, service_ids) -> bool:
        """Tell whether no appointment waits in these services' lines (then who stands ahead of a plain
        newcomer does not depend on the clock)."""
        return all(service_id in self.waiting and not self.booked[service_id] for service_id in service_ids)

    def plain(self, service_ids) -> bool:
        """Tell whether these services' lines hold only walk-ins without priority (then the counts alone
        say who joined ahead of whom)."""
        return self.unbooked(service_ids) and not any(self.priority[s] for s in service_ids)

    def with_newcomers(self, tickets: list[Ticket]) -> LineCensus:
        """Return the census as it is once these new tickets of its services wait in line too."""
        waiting, booked = dict(self.waiting), dict(self.booked)
        priority, newer = dict(self.priority), dict(self.newer)
        for ticket in tickets:
            service_id = ticket.service_id
            waiting[service_id] += 1
            booked[service_id] += ticket.appointment_at is not None
            priority[service_id] += ticket.priority != 0
            newer[service_id] += ticket.id > self.last_id
        return LineCensus(self.last_id, waiting, booked, priority, newer)


_SPECIAL = text(f"({SPECIAL_IN_LINE})")  # written as the partial index says it, so that the index serves
_CENSUS_WAITING, _CENSUS_NEWER, _CENSUS_OLDER, _CENSUS_SPECIAL = 0, 1, 2, 3
# The census's parts that read little: the appointments and priority tickets (the partial index
# ix_tickets_line_special, usually empty) and those above `last_id`, or those at or below it, whichever is
# the shorter range of ix_tickets_line.
_CENSUS_SPECIAL_PART = (
    select(
        literal_column(str(_CENSUS_SPECIAL)),
        _TICKETS.c.service_id,
        func.count(_TICKETS.c.appointment_at),
        func.count(case((_TICKETS.c.priority != 0, 1))),
    )
    .where(*IN_LINE, _SPECIAL)
    .group_by(_TICKETS.c.service_id)
)
_CENSUS_NEWER_PART = (
    select(literal_column(str(_CENSUS_NEWER)), _TICKETS.c.service_id, func.count(), literal_column("0"))
    .where(*IN_LINE, _TICKETS.c.id > bindparam("last_id"))
    .group_by(_TICKETS.c.service_id)
)
_CENSUS_OLDER_PART = (
    select(literal_column(str(_CENSUS_OLDER)), _TICKETS.c.service_id, func.count(), literal_column("0"))
    .where(*IN_LINE, _TICKETS.c.id <= bindparam("last_id"))
    .group_by(_TICKETS.c.service_id)
)
_SINCE_PARTS = {None: [], _CENSUS_NEWER: [_CENSUS_NEWER_PART], _CENSUS_OLDER: [_CENSUS_OLDER_PART]}
_CENSUSES: dict[tuple[int, int | None], object] = {}  # built once per number of services and range


def _census_query(services: int, since: int | None):
    """Return the census of `services` lines as one statement: per service a plain count of who waits (a
    count per service steps through the index at half the cost of one count grouped by service), then the
    parts that read little."""
    query = _CENSUSES.get((services, since))
    if query is None:
        counts = [
            select(
                literal_column(str(_CENSUS_WAITING)),
                bindparam(f"service_{index}", type_=Integer()),
                func.count(),
                literal_column("0"),
            ).where(
                _TICKETS.c.service_id == bindparam(f"service_{index}", type_=Integer()),
                _TICKETS.c.status == Status.WAITING.value,
            )
            for index in range(services)
        ]
        parts = [*counts, _CENSUS_SPECIAL_PART, *_SINCE_PARTS[since]]
        query = _CENSUSES.setdefault((services, since), union_all(*parts))
    return query


def line_census(
    session: Session, *, service_ids, last_id: int = 0, seen: int | None = None, newest_id: int = 0
) -> LineCensus:
    """Count the lines of some services in one query (see LineCensus).

    Those above `last_id` are counted directly, or, when fewer waited at or below it than ids were given
    out since (`seen` of them then, ids up to `newest_id` now), as the rest of those at or below it: a
    line that grew long since needs only its short end read."""
    service_ids = sorted(set(service_ids))
    waiting = dict.fromkeys(service_ids, 0)
    booked, priority, older = dict(waiting), dict(waiting), dict(waiting)
    newer = dict(waiting)
    if not service_ids:
        return LineCensus(last_id=last_id, waiting=waiting, booked=booked, priority=priority, newer=newer)
    since = None
    if last_id:
        shorter_below = seen is not None and seen < newest_id - last_id
        since = _CENSUS_OLDER if shorter_below else _CENSUS_NEWER
    parameters = {"service_ids": service_ids, "last_id": last_id}
    parameters |= {f"service_{index}": service_id for index, service_id in enumerate(service_ids)}
    for kind, service_id, count, more in session.connection().execute(
        _census_query(len(service_ids), since), parameters
    ):
        if kind == _CENSUS_WAITING:
            waiting[service_id] = int(count)
        elif kind == _CENSUS_NEWER:
            newer[service_id] = int(count)
        elif kind == _CENSUS_OLDER:
            older[service_id] = int(count)
        else:
            booked[service_id], priority[service_id] = int(count), int(more)
    if since != _CENSUS_NEWER:  # counted from below, or no id to count from: the rest are newer
        newer = {service_id: waiting[service_id] - older[service_id] for service_id in service_ids}
    return LineCensus(last_id=last_id, waiting=waiting, booked=booked, priority=priority, newer=newer)


# Of those above `last_id`, how many by (service, priority, booked): what a census cannot tell apart.
NEWER_BY_KIND = (
    select(_TICKETS.c.service_id, _TICKETS.c.priority, _BOOKED.label("booked"), func.count())
    .where(*IN_LINE, _TICKETS.c.id > bindparam("last_id"))
    .group_by(_TICKETS.c.service_id, _TICKETS.c.priority, _BOOKED)
)


def newer_by_kind(session: Session, *, service_ids, last_id: int) -> dict[tuple[int, int], int] | None:
    """Count, by (service, priority), those waiting in some services' lines with an id above `last_id`;
    None when a booked ticket is among them."""
    newer: dict[tuple[int, int], int] = {}
    parameters = {"service_ids": sorted(service_ids), "last_id": last_id}
    for service_id, priority, booked, count in session.connection().execute(NEWER_BY_KIND, parameters):
        if booked:
            return None
        newer[(service_id, priority)] = newer.get((service_id, priority), 0) + count
    return newer


def newcomer_places(
    session: Session, tickets: list[Ticket], *, now: datetime, census: LineCensus | None = None
) -> dict[int, Place | None]:
    """Return the places of tickets that have just joined, in the order they joined, each as if it had
    joined alone: a plain newcomer stands behind everyone already waiting except appointments whose slot
    is still ahead (one COUNT per service, not the line, or a census already taken in this transaction);
    a priority or appointment ticket is placed in the whole line."""
    places: dict[int, Place | None] = {}
    base = _waiting_ahead_counts(session, tickets, now=now, census=census)
    for ticket in tickets:
        ahead, appointments, priorities = base[ticket.service_id]
        if ticket.stands_at_back:
            places[ticket.id] = Place(ahead + 1, ahead, appointments, priorities)
        else:
            places[ticket.id] = place_of(session, ticket, now=now)
        base[ticket.service_id] = _plus(base[ticket.service_id], _counted_ahead(ticket, now))  # behind it
    return places


def _counted_ahead(ticket: Ticket, now: datetime) -> tuple[int, int, int]:
    """Return what a waiting ticket adds to the (people, appointments, priority) a newcomer stands behind:
    nothing for an appointment whose slot is still ahead."""
    if ticket.appointment_at is not None and ticket.appointment_at > now:
        return (0, 0, 0)
    return (1, int(ticket.appointment_at is not None), int(ticket.priority > 0))


def _plus(counts: tuple, more: tuple, sign: int = 1) -> tuple:
    return tuple(a + sign * b for a, b in zip(counts, more, strict=True))


def _waiting_ahead_counts(
    session: Session, tickets: list[Ticket], *, now: datetime, census: LineCensus | None = None
) -> dict[int, tuple]:
    """Count, per service of the given new tickets, those waiting that a newcomer stands behind (all but
    appointments still ahead, and but the new tickets), with the appointments and priority tickets among
    them. A census taken after the new tickets went in answers it when no appointment waits there (only
    appointments depend on the clock)."""
    if not tickets:
        return {}
    service_ids = sorted({t.service_id for t in tickets})
    if census is not None and census.unbooked(service_ids):
        counts = {s: (census.waiting[s], 0, census.priority[s]) for s in service_ids}
    else:
        parameters = {"service_ids": service_ids, "now": now}
        rows = session.connection().execute(WAITING_AHEAD_COUNTS, parameters).all()
        counts = {service_id: (0, 0, 0) for service_id in service_ids}
        for service_id, waiting, appointments, priorities in rows:
            counts[service_id] = (int(waiting), int(appointments), int(priorities))
    for ticket in tickets:  # the new tickets themselves are counted: take them out (cheaper than in SQL)
        counts[ticket.service_id] = _plus(counts[ticket.service_id], _counted_ahead(ticket, now), sign=-1)
    return counts


def serving_counters(session: Session, *, location_id: int) -> list[Counter]:
    """Return the counters of a location that are open now."""
    query = select(Counter).where(Counter.location_id == location_id, Counter.is_open.is_(True))
    return list(session.scalars(query))
