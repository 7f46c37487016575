"""Turn qserve's call-next rules into rank arrays that a vectorised simulation can follow.

The rules live in `qserve.domain.ordering`; this module only asks them questions. A counter calls the head
of `queue_order` over the tickets of the services it serves. With strict priority and the ageing credit
that order is the restriction of one total order over all waiting tickets, so each ticket gets one rank.
Under "at most N priority tickets in a row" the order depends on the location's streak: each ticket gets a
rank within its class (priority or normal), and whether a counter takes the best priority or the best
normal ticket at a given streak is read from `choose_next` once. Due appointments always come first, in
the order `queue_order` gives them once due.

Tickets are grouped into lanes (service x kind x class): within a lane the rank only grows, so the next
ticket a counter may call from a lane is always the lane's head.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

import numpy as np

from qserve.domain.ordering import Candidate, FairnessKind, FairnessRule, choose_next, queue_order

DUE_OFFSET = -1e12  # a due appointment's key: lower than every other rank
CLASS_OFFSET = 1e9  # pushes the class a counter does not take now behind the other
FAR_FUTURE = timedelta(days=3650)


@dataclass(frozen=True)
class Plan:
    """Rank arrays of the waiting (and virtual) tickets, indexed 0..M-1 with a sentinel at M."""

    real_count: int  # tickets 0..real_count-1 are waiting now; the rest are possible future arrivals
    service_index: np.ndarray  # (M+1,) index into the services list
    priority: np.ndarray  # (M+1,)
    join_s: np.ndarray  # (M+1,) seconds from now until the ticket may be called (0 for waiting tickets)
    due_s: np.ndarray  # (M+1,) seconds from now until an appointment is due (inf if none)
    rest_rank: np.ndarray  # (M+1,) rank outside due appointments (within class under max-in-row)
    due_rank: np.ndarray  # (M+1,)
    lane_flat: np.ndarray  # ticket indices of all lanes, each lane closed by the sentinel M
    lane_offset: np.ndarray  # (L,) where each lane starts in lane_flat
    lane_service: np.ndarray  # (L,) service index of each lane
    lane_is_priority: np.ndarray  # (L,) bool: the lane holds priority tickets
    by_class: bool  # max-in-row: choose a class first, then the best rank within it
    prefer_priority: np.ndarray  # (limit+1,) at each streak, does a counter take priority over normal?
    has_appointments: bool
    presence: np.ndarray  # (M+1,) chance that the ticket exists: 1 for waiting tickets
    ghost: np.ndarray  # (M+1,) bool: a newcomer whose call is recorded but takes no counter time

    @property
    def sentinel(self) -> int:
        """Return the index that closes every lane."""
        return len(self.service_index) - 1

    @property
    def lane_classes(self) -> np.ndarray:
        """Return an (L, 2) bool matrix: column 0 marks normal lanes, column 1 priority lanes."""
        return np.column_stack([~self.lane_is_priority, self.lane_is_priority])

    @property
    def class_offsets(self) -> np.ndarray:
        """Return (2, L) key offsets: row 0 when a counter takes a normal ticket, row 1 a priority one."""
        return np.stack([self.lane_is_priority, ~self.lane_is_priority]) * CLASS_OFFSET


def build_plan(
    real: list[Candidate],
    virtual: list[Candidate],
    *,
    services: list[int],
    rule: FairnessRule,
    now: datetime,
    virtual_presence: list[float] | None = None,
    ghosts: int = 0,
) -> Plan:
    """Rank waiting and virtual tickets (negative ids) under the location's rule; group them in lanes.
    The last `ghosts` of `real` are newcomers that are called but take no counter time."""
    everyone, size = real + virtual, len(real) + len(virtual)
    service_position = {service_id: index for index, service_id in enumerate(services)}
    service_index = np.array([service_position[c.service_id] for c in everyone] + [0], dtype=np.intp)
    priority = np.array([c.priority for c in everyone] + [0], dtype=np.int64)
    join_s = np.array([0.0] * len(real) + [_offset(c.queued_at, now) for c in virtual] + [np.inf])
    due_s = np.array(
        [_offset(c.appointment_at, now) if c.appointment_at else np.inf for c in everyone] + [np.inf]
    )
    by_class = rule.kind == FairnessKind.MAX_IN_ROW
    rest_rank = _rest_ranks(everyone, rule=rule, now=now, by_class=by_class)
    due_rank = _due_ranks(everyone, rule=rule, now=now)
    lanes = _lanes(everyone, service_index, size)
    flat, offsets, lane_service, lane_priority = _flatten(lanes, rest_rank, due_rank, size)
    return Plan(
        real_count=len(real),
        service_index=service_index,
        priority=priority,
        join_s=join_s,
        due_s=due_s,
        rest_rank=rest_rank,
        due_rank=due_rank,
        lane_flat=flat,
        lane_offset=offsets,
        lane_service=lane_service,
        lane_is_priority=lane_priority,
        by_class=by_class,
        prefer_priority=_prefer_priority(rule, now) if by_class else np.ones(1, dtype=bool),
        has_appointments=bool(np.isfinite(due_s).any()),
        presence=np.array([1.0] * len(real) + list(virtual_presence or [1.0] * len(virtual)) + [0.0]),
        ghost=np.isin(np.arange(size + 1), np.arange(len(real) - ghosts, len(real))),
    )


def _offset(at: datetime, now: datetime) -> float:
    return (at - now).total_seconds()


def _rest_ranks(
    everyone: list[Candidate], *, rule: FairnessRule, now: datetime, by_class: bool
) -> np.ndarray:
    """Rank every ticket as if no appointment were due (appointments wait by their slot time until then)."""
    undated = [replace(c, appointment_at=None) if c.appointment_at else c for c in everyone]
    index_of = {id(c): i for i, c in enumerate(undated)}
    ranks = np.full(len(everyone) + 1, np.inf)
    groups = (
        [[c for c in undated if c.priority > 0], [c for c in undated if c.priority <= 0]]
        if by_class
        else [undated]
    )
    for group in groups:
        for rank, candidate in enumerate(queue_order(group, rule=rule, now=now)):
            ranks[index_of[id(candidate)]] = rank
    return ranks


def _due_ranks(everyone: list[Candidate], *, rule: FairnessRule, now: datetime) -> np.ndarray:
    """Rank the appointments in the order queue_order calls them once they are all due."""
    ranks = np.full(len(everyone) + 1, np.inf)
    dated = [(i, c) for i, c in enumerate(everyone) if c.appointment_at is not None]
    if not dated:
        return ranks
    index_of = {id(c): i for i, c in dated}
    later = max(c.appointment_at for _, c in dated) + FAR_FUTURE
    for rank, candidate in enumerate(queue_order([c for _, c in dated], rule=rule, now=max(later, now))):
        ranks[index_of[id(candidate)]] = rank
    return ranks


def _lanes(everyone: list[Candidate], service_index: np.ndarray, size: int) -> dict[tuple, list[int]]:
    """Group tickets by (service, appointment or not, waiting or future, priority class or level)."""
    lanes: dict[tuple, list[int]] = {}
    for index, candidate in enumerate(everyone):
        is_appointment = candidate.appointment_at is not None
        is_virtual = candidate.ticket_id < 0
        # Future arrivals and appointments keep one lane per priority level: within a level their rank
        # follows their time (arrival, or slot, which orders them both before and after they are due).
        level = candidate.priority if is_virtual or is_appointment else int(candidate.priority > 0)
        key = (int(service_index[index]), is_appointment, is_virtual, level)
        lanes.setdefault(key, []).append(index)
    return lanes


def _flatten(lanes: dict[tuple, list[int]], rest_rank: np.ndarray, due_rank: np.ndarray, sentinel: int):
    flat: list[int] = []
    offsets, lane_service, lane_priority = [], [], []
    for (service, is_appointment, _virtual, level), members in lanes.items():
        if is_appointment:
            members = sorted(members, key=lambda i: (due_rank[i], rest_rank[i]))
        else:
            members = sorted(members, key=lambda i: rest_rank[i])
        offsets.append(len(flat))
        flat.extend(members)
        flat.append(sentinel)
        lane_service.append(service)
        lane_priority.append(level > 0)
    return (
        np.array(flat, dtype=np.intp),
        np.array(offsets, dtype=np.intp),
        np.array(lane_service, dtype=np.intp),
        np.array(lane_priority, dtype=bool),
    )


def _prefer_priority(rule: FairnessRule, now: datetime) -> np.ndarray:
    """Ask choose_next, at each streak, whether a priority ticket beats an older normal one."""
    normal = Candidate(1, 0, 0, now - timedelta(hours=1))
    urgent = Candidate(2, 0, 1, now)
    return np.array(
        [
            choose_next([normal, urgent], rule=rule, now=now, priority_streak=s) is urgent
            for s in range(rule.max_in_row + 1)
        ]
    )
