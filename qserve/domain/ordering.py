"""Who is called next: due appointments, then priority under a fairness rule, then first come first served."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class FairnessKind(StrEnum):
    """How priority tickets share the counters with everyone else."""

    STRICT = "strict"  # a waiting priority ticket always goes first
    MAX_IN_ROW = "max_in_row"  # at most N priority tickets in a row, then one normal ticket
    AGEING = "ageing"  # each priority level is worth a head start of credit_s seconds of waiting


@dataclass(frozen=True)
class FairnessRule:
    """A location's rule for priority classes."""

    kind: FairnessKind = FairnessKind.STRICT
    max_in_row: int = 3
    credit_s: int = 600

    @classmethod
    def from_settings(cls, settings: dict | None) -> FairnessRule:
        """Build a rule from a location's stored settings, with safe defaults."""
        settings = settings or {}
        return cls(
            kind=FairnessKind(settings.get("kind", FairnessKind.STRICT)),
            max_in_row=max(1, int(settings.get("max_in_row", 3))),
            credit_s=max(0, int(settings.get("credit_s", 600))),
        )


@dataclass(frozen=True)
class Candidate:
    """A waiting ticket as the call-next rules see it."""

    ticket_id: int
    service_id: int
    priority: int
    queued_at: datetime  # place in line: join time, slot time for appointments, moved when postponed
    appointment_at: datetime | None = None


def is_due(candidate: Candidate, now: datetime) -> bool:
    """Tell whether a checked-in appointment has reached its slot time."""
    return candidate.appointment_at is not None and candidate.appointment_at <= now


def before_slot(candidate, now: datetime) -> bool:
    """Tell whether a checked-in appointment (a Candidate or a ticket) is still before its slot time."""
    return candidate.appointment_at is not None and candidate.appointment_at > now


@dataclass(frozen=True)
class Place:
    """Where a waiting ticket stands in its service's line."""

    position: int  # 1 = next
    ahead: int
    ahead_appointments: int
    ahead_priority: int


def places_at_slots(candidates: list[Candidate]) -> dict[int, Place]:
    """Return the place of each appointment once its slot has started: behind the appointments of its
    service with earlier slots alone, which are due before it (due appointments are called first; before
    its slot, the walk-ins called ahead of it do not delay it past its slot)."""
    places: dict[int, Place] = {}
    by_service: dict[int, tuple[int, int]] = {}
    booked = (c for c in candidates if c.appointment_at is not None)
    for candidate in sorted(booked, key=lambda c: (c.appointment_at, c.ticket_id)):
        ahead, priorities = by_service.get(candidate.service_id, (0, 0))
        places[candidate.ticket_id] = Place(ahead + 1, ahead, ahead, priorities)
        by_service[candidate.service_id] = (ahead + 1, priorities + (candidate.priority > 0))
    return places


def _fcfs_key(candidate: Candidate) -> tuple:
    return (candidate.queued_at, candidate.ticket_id)


def _ageing_key(candidate: Candidate, rule: FairnessRule) -> tuple:
    head_start = candidate.priority * rule.credit_s
    return (candidate.queued_at.timestamp() - head_start, candidate.ticket_id)


def queue_order(
    candidates: list[Candidate], *, rule: FairnessRule, now: datetime, priority_streak: int = 0
) -> list[Candidate]:
    """Return the waiting tickets in the order the counters would call them."""
    due = sorted((c for c in candidates if is_due(c, now)), key=lambda c: (c.appointment_at, c.ticket_id))
    # An appointment before its slot stands among the rest at its slot time (its queued_at): everyone who
    # joined before that time goes first, and with nobody else waiting a counter serves it early, not idle.
    rest = [c for c in candidates if not is_due(c, now)]
    if rule.kind == FairnessKind.AGEING:
        return due + sorted(rest, key=lambda c: _ageing_key(c, rule))
    priority = sorted((c for c in rest if c.priority > 0), key=lambda c: (-c.priority, *_fcfs_key(c)))
    normal = sorted((c for c in rest if c.priority <= 0), key=_fcfs_key)
    if rule.kind == FairnessKind.STRICT:
        return due + priority + normal
    return due + _interleave(priority, normal, rule.max_in_row, priority_streak)


def _interleave(
    priority: list[Candidate], normal: list[Candidate], limit: int, streak: int
) -> list[Candidate]:
    """Merge two lines so that no more than `limit` priority tickets follow each other while others wait."""
    merged: list[Candidate] = []
    p = n = 0
    while p < len(priority) or n < len(normal):
        take_priority = p < len(priority) and (streak < limit or n >= len(normal))
        if take_priority:
            merged.append(priority[p])
            p += 1
            streak += 1
        else:
            merged.append(normal[n])
            n += 1
            streak = 0
    return merged


def choose_next(
    candidates: list[Candidate], *, rule: FairnessRule, now: datetime, priority_streak: int = 0
) -> Candidate | None:
    """Pick the ticket a counter calls next, or None when nobody waits."""
    order = queue_order(candidates, rule=rule, now=now, priority_streak=priority_streak)
    return order[0] if order else None


def priority_streak(recent_priorities: list[int]) -> int:
    """Count the priority tickets called in a row, newest first."""
    streak = 0
    for priority in recent_priorities:
        if priority <= 0:
            break
        streak += 1
    return streak
