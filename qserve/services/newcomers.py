"""Placing and estimating tickets that have just joined, together, from one count of each location's line;
and the columns of the estimate a join announces."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from qserve.domain.ordering import before_slot
from qserve.models import Ticket
from qserve.services.estimates import WaitRange, census_scope, join_estimates
from qserve.services.opening import until_opening_s
from qserve.services.queue import LineCensus, Place, line_census, newcomer_places
from qserve.services.views import place_and_estimate

TICKETS = Ticket.__table__
ESTIMATE_COLUMNS = (
    "joined_estimate_p10_s",
    "joined_estimate_p50_s",
    "joined_estimate_p90_s",
    "estimate_p10_s",
    "estimate_p50_s",
    "estimate_p90_s",
    "estimate_updated_at",
)
STORE_JOIN_ESTIMATES = (  # built once, as the join path's statements are (see qserve.services.joining)
    update(TICKETS)
    .where(TICKETS.c.id == bindparam("ticket_id"))
    .values({column: bindparam(f"new_{column}") for column in ESTIMATE_COLUMNS})
)
# A new ticket's place and estimate, with the ticket: what its view shows.
Placed = tuple[Ticket, Place | None, WaitRange | None]


def by_location(tickets: list[Ticket]) -> dict[int, list[Ticket]]:
    """Group tickets by their location, in the order given."""
    groups: dict[int, list[Ticket]] = {}
    for ticket in tickets:
        groups.setdefault(ticket.location_id, []).append(ticket)
    return groups


def census_with_newcomers(session: Session, joined: list[Ticket]) -> LineCensus:
    """Count the line of one location's new tickets before they go in, over the services the estimator
    asks for too, and return the count as it is with them in line."""
    scope = census_scope(session, joined[0].location_id)
    census = line_census(
        session,
        service_ids={t.service_id for t in joined} | scope.service_ids,
        last_id=scope.last_id,
        seen=scope.seen,
        newest_id=max(t.id for t in joined),
    )
    return census.with_newcomers(joined)


def counted_alone(tickets: list[Ticket], censuses: dict[int, LineCensus]) -> bool:
    """Tell whether the counts answer everything asked of these newcomers: every line counted holds plain
    walk-ins alone and so do they (else their places and the estimator's check read the line itself, which
    must hold them by then)."""
    return all(ticket.stands_at_back for ticket in tickets) and all(
        census.plain(census.waiting) for census in censuses.values()
    )


def place_newcomers(
    session: Session, tickets: list[Ticket], censuses: dict[int, LineCensus], *, now: datetime
) -> dict[int, Placed]:
    """Place the new tickets in line, each as if it had joined alone in the order given, and estimate
    their waits (the learned estimate, else the queueing one); return them by ticket id."""
    places, estimates = {}, {}
    for location_id, joined in by_location(tickets).items():
        census = censuses[location_id]
        places.update(newcomer_places(session, joined, now=now, census=census))
        # An appointment before its slot waits for its slot: the queueing estimate from its place then.
        placed = [t for t in joined if places.get(t.id) is not None and not before_slot(t, now)]
        estimates.update(join_estimates(session, placed, now=now, census=census))
    answers = {}
    closed_s = {
        location_id: until_opening_s(joined[0].location, now)
        for location_id, joined in by_location(tickets).items()
    }
    for ticket in tickets:
        place, estimate = places.get(ticket.id), estimates.get(ticket.id)
        if place is not None and estimate is None:
            place, estimate = place_and_estimate(session, ticket, now=now, place=place)
        if estimate is not None and not before_slot(ticket, now):  # joined before opening: called after it
            estimate = estimate.later_by(closed_s[ticket.location_id])
        answers[ticket.id] = (ticket, place, estimate)
    return answers


def estimate_columns(estimate: WaitRange, at: datetime) -> dict:
    """Return a new ticket's columns of the estimate announced at its join (also its current one)."""
    values = (estimate.p10_s, estimate.p50_s, estimate.p90_s) * 2 + (at,)
    return dict(zip(ESTIMATE_COLUMNS, values, strict=True))


def store_estimates(session: Session, estimates: list[tuple[Ticket, WaitRange]]) -> None:
    """Write the announced estimates of tickets already inserted with one executemany UPDATE (a new
    ticket's version is left alone: nobody holds it yet) and keep the tickets in step without marking them
    changed."""
    if not estimates:
        return
    columns = [(ticket, estimate_columns(estimate, ticket.joined_at)) for ticket, estimate in estimates]
    rows = [{"ticket_id": t.id} | {f"new_{key}": value for key, value in c.items()} for t, c in columns]
    session.connection().execute(STORE_JOIN_ESTIMATES, rows)
    for ticket, values in columns:
        for key, value in values.items():
            set_committed_value(ticket, key, value)
