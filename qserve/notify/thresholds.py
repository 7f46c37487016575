"""Threshold messages: position reached and time left, each announced once at most."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import exists, or_, select
from sqlalchemy.orm import Session

from qserve.domain.lifecycle import Status
from qserve.domain.ordering import Candidate, FairnessKind, FairnessRule
from qserve.models import Location, Service, Ticket
from qserve.models.notify import PushSubscription
from qserve.notify.outbox import Draft, allowed_channels, existing_keys, notification_settings, write_drafts
from qserve.services.queue import Place, location_streak, places_by_service


def due_thresholds(value: float, thresholds: Iterable[int], done: set[int]) -> tuple[int | None, list[int]]:
    """Return the threshold to announce for a value (position, seconds left) and those it makes moot.

    Only the closest newly reached threshold is announced; farther ones reached at the same time are
    marked done without a message, and nothing is announced that is farther than one already announced.
    """
    reached = sorted(t for t in thresholds if value <= t and t not in done)
    if not reached:
        return None, []
    closest = reached[0]
    if done and min(done) < closest:
        return None, reached
    return closest, reached[1:]


def position_key(ticket_id: int, service_id: int, threshold: int) -> str:
    """Return the dedupe key of a position threshold of a ticket in one service's line."""
    return f"ticket:{ticket_id}:position:{service_id}:{threshold}"


def time_left_key(ticket_id: int, service_id: int, threshold_s: int) -> str:
    """Return the dedupe key of a time-left threshold."""
    return f"ticket:{ticket_id}:time_left:{service_id}:{threshold_s}"


def seconds_left(
    estimate_p50_s: int | None, estimate_updated_at: datetime | None, now: datetime
) -> float | None:
    """Return a stored wait estimate minus the time since it was stored."""
    if estimate_p50_s is None:
        return None
    elapsed = (now - (estimate_updated_at or now)).total_seconds()
    return max(0.0, estimate_p50_s - elapsed)


def minutes_of(seconds: float | None, fallback_s: float) -> int:
    """Return whole minutes for a text, never less than one."""
    return max(1, round((seconds if seconds is not None else fallback_s) / 60))


LINE_COLUMNS = (
    Ticket.id,
    Ticket.service_id,
    Ticket.priority,
    Ticket.queued_at,
    Ticket.appointment_at,
    Ticket.estimate_p50_s,
    Ticket.estimate_updated_at,
)


def enqueue_threshold_messages(
    session: Session,
    *,
    location: Location,
    now: datetime,
    public_url: str,
    stale_estimates: frozenset[int] = frozenset(),
) -> int:
    """Write position-reached and time-left messages for waiting tickets that crossed a threshold.

    `stale_estimates` are tickets whose own place has just jumped (postponed, transferred, back in line):
    their stored estimate is from before, so time left is judged for them at the next scan, once refreshed.
    """
    settings = notification_settings(location)
    positions = sorted({int(t) for t in settings["position_thresholds"]})
    times = sorted({int(t) for t in settings["time_left_s"]})
    if not (positions or times) or not allowed_channels(settings, "position_reached"):
        return 0
    if not _anyone_reachable(session, location.id):
        return 0  # a line of walk-ins who left no address: nobody to tell, no need to rank it
    rows = session.execute(
        select(*LINE_COLUMNS).where(Ticket.location_id == location.id, Ticket.status == Status.WAITING)
    ).all()
    places = _places(session, location, rows, now)
    left = {
        r.id: None if r.id in stale_estimates else seconds_left(r.estimate_p50_s, r.estimate_updated_at, now)
        for r in rows
    }
    near = [r.id for r in rows if _is_near(r, places[r.id], left[r.id], positions, times, now)]
    tickets = _reachable_tickets(session, near)
    keys = [position_key(t.id, t.service_id, p) for t in tickets for p in positions]
    keys += [time_left_key(t.id, t.service_id, s) for t in tickets for s in times]
    done = existing_keys(session, keys)
    drafts: list[Draft] = []
    for ticket in tickets:
        line = Line(places[ticket.id], left[ticket.id], positions, times)
        drafts += _ticket_drafts(ticket, service_of(session, ticket), line, done, public_url)
    write_drafts(session, drafts, settings=settings, now=now, public_url=public_url)
    return sum(1 for draft in drafts if not draft.skip)


def _places(session: Session, location: Location, rows, now: datetime) -> dict[int, Place]:
    """Rank waiting tickets within their services in call order, as the counters will call them."""
    candidates = [Candidate(r.id, r.service_id, r.priority, r.queued_at, r.appointment_at) for r in rows]
    rule = FairnessRule.from_settings(location.fairness)
    streak = location_streak(session, location_id=location.id) if rule.kind == FairnessKind.MAX_IN_ROW else 0
    return places_by_service(candidates, rule=rule, now=now, streak=streak)


def _is_near(
    row, place: Place, left: float | None, positions: list[int], times: list[int], now: datetime
) -> bool:
    if row.appointment_at is not None and row.appointment_at > now:
        return False  # an appointment before its slot is told by reminders, not by its place among walk-ins
    if positions and place.position <= positions[-1]:
        return True
    return bool(times) and left is not None and left <= times[-1]


def _anyone_reachable(session: Session, location_id: int) -> bool:
    """Tell whether any waiting ticket of a location gave a phone, an e-mail or a push subscription."""
    waiting = Ticket.location_id == location_id, Ticket.status == Status.WAITING
    contact = or_(Ticket.phone.is_not(None), Ticket.email.is_not(None))
    subscribed = select(PushSubscription.ticket_id).join(Ticket, Ticket.id == PushSubscription.ticket_id)
    return bool(
        session.scalar(select(exists().where(*waiting, contact)))
        or session.scalar(select(exists(subscribed.where(*waiting))))
    )


def _reachable_tickets(session: Session, ticket_ids: list[int]) -> list[Ticket]:
    """Load the tickets among some that gave a phone, an email or a push subscription."""
    if not ticket_ids:
        return []
    subscribed = select(PushSubscription.ticket_id).where(PushSubscription.ticket_id.in_(ticket_ids))
    reachable = or_(Ticket.phone.is_not(None), Ticket.email.is_not(None), Ticket.id.in_(subscribed))
    query = select(Ticket).where(Ticket.id.in_(ticket_ids), reachable).order_by(Ticket.id)
    return list(session.scalars(query))


@dataclass(frozen=True)
class Line:
    """Where a ticket stands: its place, the seconds left, and the thresholds of its location."""

    place: Place
    seconds_left: float | None
    positions: list[int]
    times: list[int]


def _ticket_drafts(
    ticket: Ticket, service: Service, line: Line, done: set[str], public_url: str
) -> list[Draft]:
    """Return the drafts of one ticket: at most one message, plus the thresholds it makes moot."""

    def position_draft(threshold: int, fields: dict | None = None) -> Draft:
        key = position_key(ticket.id, service.id, threshold)
        return Draft(ticket, "position_reached", key, fields or {}, url if fields else None, skip=not fields)

    def time_draft(threshold: int, fields: dict | None = None) -> Draft:
        key = time_left_key(ticket.id, service.id, threshold)
        return Draft(ticket, "time_left", key, fields or {}, url if fields else None, skip=not fields)

    done_positions = {p for p in line.positions if position_key(ticket.id, service.id, p) in done}
    done_times = {s for s in line.times if time_left_key(ticket.id, service.id, s) in done}
    position, moot_positions = due_thresholds(line.place.position, line.positions, done_positions)
    timed, moot_times = (None, [])
    if line.seconds_left is not None:
        timed, moot_times = due_thresholds(line.seconds_left, line.times, done_times)
    url = f"{public_url.rstrip('/')}/t/{ticket.public_token}"
    fields = {
        "number": ticket.number,
        "service": service.name(ticket.language),
        "position": line.place.position,
        "minutes": minutes_of(line.seconds_left, line.place.ahead * service.default_duration_s),
    }
    drafts = [position_draft(p) for p in moot_positions] + [time_draft(s) for s in moot_times]
    if position is not None:
        drafts.append(position_draft(position, fields))
        if timed is not None:  # one message at a time: the position text already gives the minutes
            drafts.append(time_draft(timed))
    elif timed is not None:
        drafts.append(time_draft(timed, fields))
    return drafts


def moot_on_join(ticket: Ticket, *, position: int, seconds: float | None, settings: dict) -> list[Draft]:
    """Return the thresholds a new ticket has already passed: its joining message tells them."""
    drafts = [
        Draft(ticket, "position_reached", position_key(ticket.id, ticket.service_id, int(p)), skip=True)
        for p in settings["position_thresholds"]
        if position <= int(p)
    ]
    if seconds is not None:
        drafts += [
            Draft(ticket, "time_left", time_left_key(ticket.id, ticket.service_id, int(s)), skip=True)
            for s in settings["time_left_s"]
            if seconds <= int(s)
        ]
    return drafts


def service_of(session: Session, ticket: Ticket) -> Service:
    """Return the ticket's current service (its relationship may still hold the one before a transfer)."""
    return session.get(Service, ticket.service_id)
