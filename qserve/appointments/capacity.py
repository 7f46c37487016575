"""Slot rules of a service read from the database, booking codes, and places taken atomically."""

from __future__ import annotations

import secrets
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from qserve.appointments.slots import (
    Slot,
    SlotRules,
    booking_horizon,
    booking_share,
    generate_slots,
    horizon_days,
)
from qserve.domain.errors import ValidationFailed
from qserve.models import Counter, Service, counter_services
from qserve.models.appointment import SlotLoad

# No 0/O, 1/I/L: a code read aloud or typed at a kiosk cannot be mistaken. 31**8 is about 2**40.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8
DEFAULT_HYBRID_SHARE = 0.5
# The on-site cap is counted per minute, so bookings of services with different lengths that overlap
# without starting together still share it.
SITE_TICK_S = 60


def new_code() -> str:
    """Return a fresh unguessable booking code (8 characters, stored without the dash)."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalize_code(code: str | None) -> str:
    """Return a booking code as stored: upper case, no spaces or dashes; raise if it cannot be one."""
    text = (code or "").strip().upper().replace("-", "").replace(" ", "")
    if len(text) != CODE_LENGTH or any(char not in CODE_ALPHABET for char in text):
        raise ValidationFailed("a booking code has 8 letters and digits, like ABCD-2345", field="code")
    return text


def display_code(code: str) -> str:
    """Return a stored code in its readable form (ABCD-2345)."""
    return f"{code[:4]}-{code[4:]}"


def booking_settings(location) -> dict:
    """Return a location's appointment settings (hybrid share, cap, arrival rules) as stored."""
    return (location.settings or {}).get("appointments") or {}


def horizon_of(location, now: datetime) -> datetime:
    """Return the instant a location's bookings end, seen now (its booking_horizon_days, whole local
    days)."""
    return booking_horizon(now, location.time_zone, horizon_days(location.settings))


def serving_counters(session: Session, service: Service) -> int:
    """Count the location's counters that can serve a service."""
    query = (
        select(func.count(Counter.id))
        .join(counter_services, counter_services.c.counter_id == Counter.id)
        .where(counter_services.c.service_id == service.id, Counter.location_id == service.location_id)
    )
    return int(session.scalar(query) or 0)


def rules_for(session: Session, service: Service) -> SlotRules:
    """Return the slot rules of a service under its own mode, or its location's."""
    location = service.location
    settings = booking_settings(location)
    cap = settings.get("on_site_cap")
    return SlotRules(
        time_zone=location.time_zone,
        opening_hours=location.opening_hours or {},
        duration_s=int(service.default_duration_s),
        counters=serving_counters(session, service),
        booking_share=booking_share(
            service.mode or location.mode, settings.get("hybrid_share", DEFAULT_HYBRID_SHARE)
        ),
        on_site_cap=int(cap) if cap is not None else None,
    )


def slots_of(session: Session, service: Service, day: date) -> list[Slot]:
    """Return a service's slots on a local day."""
    return generate_slots(rules_for(session, service), day)


def service_scope(service_id: int) -> str:
    """Name the load row of a service's slots."""
    return f"service:{service_id}"


def location_scope(location_id: int) -> str:
    """Name the load row of the on-site cap at a location."""
    return f"location:{location_id}"


def take_place(session: Session, *, scope: str, starts_at: datetime, capacity: int) -> bool:
    """Take one place at a start time if one is left; exactly one of two racers gets the last place."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    table = SlotLoad.__table__
    session.execute(insert(table).values(scope=scope, starts_at=starts_at, taken=0).on_conflict_do_nothing())
    # The WHERE is checked against the row as committed: PostgreSQL re-reads it after the other
    # writer's commit, SQLite's BEGIN IMMEDIATE lets only one writer in at a time.
    result = session.execute(
        update(table)
        .where(table.c.scope == scope, table.c.starts_at == starts_at, table.c.taken < capacity)
        .values(taken=table.c.taken + 1)
    )
    return result.rowcount == 1


def release_place(session: Session, *, scope: str, starts_at: datetime) -> None:
    """Give one place back at a start time."""
    table = SlotLoad.__table__
    session.execute(
        update(table)
        .where(table.c.scope == scope, table.c.starts_at == starts_at, table.c.taken > 0)
        .values(taken=table.c.taken - 1)
    )


def site_ticks(starts_at: datetime, duration_s: int) -> list[datetime]:
    """Return the minute marks a visit from `starts_at` lasting `duration_s` covers (for the on-site cap)."""
    start = int(starts_at.timestamp())
    end = start + max(1, int(duration_s))
    first = start // SITE_TICK_S * SITE_TICK_S
    return [datetime.fromtimestamp(mark, UTC) for mark in range(first, end, SITE_TICK_S)]


def take_site_places(session: Session, *, scope: str, ticks: list[datetime], capacity: int) -> bool:
    """Take one place at every minute of a visit, in time order (so racers lock rows in the same order)."""
    return all(take_place(session, scope=scope, starts_at=tick, capacity=capacity) for tick in sorted(ticks))


def release_site_places(session: Session, *, scope: str, ticks: list[datetime]) -> None:
    """Give back the places of every minute of a visit."""
    for tick in ticks:
        release_place(session, scope=scope, starts_at=tick)


def site_load(session: Session, *, scope: str, start: datetime, end: datetime) -> dict[datetime, int]:
    """Return the places taken in a scope at each start time (a service's) or minute mark (a location's)
    between two instants."""
    rows = session.execute(
        select(SlotLoad.starts_at, SlotLoad.taken).where(
            SlotLoad.scope == scope,
            SlotLoad.starts_at >= start - timedelta(seconds=SITE_TICK_S),
            SlotLoad.starts_at < end,
            SlotLoad.taken > 0,
        )
    )
    return {row.starts_at: row.taken for row in rows}


def site_free(load: dict[datetime, int], *, starts_at: datetime, duration_s: int, capacity: int) -> int:
    """Return the places left under the on-site cap for a visit: the fullest minute it covers decides."""
    busiest = max((load.get(tick, 0) for tick in site_ticks(starts_at, duration_s)), default=0)
    return capacity - busiest


def free_places(session: Session, service: Service, slots: list[Slot]) -> list[int]:
    """Return the places still free in each of a service's slots (given in time order), under the location's
    on-site cap too: one read of the service's load and one of the location's, however many days they span."""
    if not slots:
        return []
    start, end = slots[0].starts_at, slots[-1].ends_at
    taken = site_load(session, scope=service_scope(service.id), start=start, end=end)
    on_site = booking_settings(service.location).get("on_site_cap")
    site_taken = (
        site_load(session, scope=location_scope(service.location_id), start=start, end=end)
        if on_site is not None
        else {}
    )
    free = []
    for slot in slots:
        places = slot.capacity - taken.get(slot.starts_at, 0)
        if on_site is not None:
            duration_s = int((slot.ends_at - slot.starts_at).total_seconds())
            places = min(
                places,
                site_free(site_taken, starts_at=slot.starts_at, duration_s=duration_s, capacity=int(on_site)),
            )
        free.append(max(0, places))
    return free
