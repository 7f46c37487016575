"""Replay an event log in time order, rebuilding the snapshot qserve would have seen at every join and call.

Only the past is used to build a snapshot: which counters exist and what they serve (services they called
in the last two weeks), who staffs them (the last staff seen there), whether they are open (a counter that
stayed free while a ticket it serves waited longer than a grace period is away; it is expected back after
a typical break when it left recently), and who is being served. Listeners learn as events happen.
Customers who cancelled or gave up without a recorded time are taken to leave 15 minutes after joining.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

from qserve.domain.ordering import FairnessRule, priority_streak
from qserve.predict.eventlog import EventLogRow
from qserve.predict.snapshot import CounterState, QueueSnapshot, WaitingTicket

GRACE = timedelta(minutes=3)
SKILL_MEMORY = timedelta(days=14)
DEFAULT_BREAK = timedelta(minutes=15)
LONGEST_BREAK = timedelta(hours=2)
UNKNOWN_LEAVE = timedelta(minutes=15)
UNKNOWN_HOLD = timedelta(minutes=1)
UNKNOWN_DURATION = timedelta(minutes=5)
# Order of events within one second: joins, then counters freeing, then calls; a service that ends in
# the second it was called ends after its call.
JOIN, FINISH, LEAVE, CALL, START = range(5)
FINISH_AFTER_CALL = 5


@dataclass(frozen=True)
class ReplayTicket:
    """One ticket of the log with integer ids for service, counter and staff."""

    id: int
    service_id: int
    priority: int
    joined_at: datetime
    called_at: datetime | None
    started_at: datetime | None
    closed_at: datetime
    outcome: str
    counter_id: int | None
    staff_id: int | None


class Listener(Protocol):
    """Something that learns while the log is replayed."""

    def on_event(self, kind: int, ticket: ReplayTicket, at: datetime) -> None:
        """Learn from one event of the log."""


@dataclass(frozen=True)
class Moment:
    """The location right after some events: who just joined and whose place in line moved."""

    now: datetime
    snapshot: QueueSnapshot
    joined: tuple[int, ...]
    updated: tuple[int, ...]


@dataclass
class _CounterLive:
    skills: dict[int, datetime] = field(default_factory=dict)  # service -> last time it was called here
    staff_id: int | None = None
    serving: ReplayTicket | None = None
    free_since: datetime | None = None


class Replay:
    """A log turned into tickets with integer ids, ready to be replayed."""

    def __init__(self, rows: list[EventLogRow], *, rule: FairnessRule | None = None) -> None:
        self.rule = rule or FairnessRule()
        self.services: dict[str, int] = {}
        self.counters: dict[str, int] = {}
        self.staff: dict[str, int] = {}
        self.numeric = {
            "service": _all_integers(r.service for r in rows),
            "counter": _all_integers(r.counter for r in rows if r.counter),
            "staff": _all_integers(r.staff for r in rows if r.staff),
        }
        self.tickets = [self._ticket(index, row) for index, row in enumerate(rows)]

    def _ticket(self, index: int, row: EventLogRow) -> ReplayTicket:
        called = row.call_time
        called = max(called, row.joined_at) if called else None
        started = max(row.started_at, called) if row.started_at and called else None
        if called is not None:
            fallback = (started + UNKNOWN_DURATION) if row.outcome == "served" else called + UNKNOWN_HOLD
            closed = max(row.finished_at, started or called) if row.finished_at else fallback
        else:
            closed = max(row.finished_at, row.joined_at) if row.finished_at else row.joined_at + UNKNOWN_LEAVE
        return ReplayTicket(
            id=index,
            service_id=self._id("service", self.services, row.service),
            priority=row.priority,
            joined_at=row.joined_at,
            called_at=called,
            started_at=started,
            closed_at=closed,
            outcome=row.outcome if called or row.outcome in ("cancelled", "abandoned") else "abandoned",
            counter_id=self._id("counter", self.counters, row.counter) if row.counter and called else None,
            staff_id=self._id("staff", self.staff, row.staff) if row.staff else None,
        )

    def _id(self, column: str, names: dict[str, int], name: str) -> int:
        """Return the id of a name: the name itself when the column holds only integers (qserve's own ids)."""
        found = names.get(name)
        if found is None:
            found = names[name] = int(name) if self.numeric[column] else len(names) + 1
        return found

    def events(self) -> list[tuple[datetime, int, int]]:
        """Return (time, kind, ticket id) of every event, in replay order."""
        events = []
        for t in self.tickets:
            events.append((t.joined_at, JOIN, t.id))
            if t.called_at is None:
                events.append((t.closed_at, LEAVE, t.id))
                continue
            events.append((t.called_at, CALL, t.id))
            if t.started_at is not None:
                events.append((t.started_at, START, t.id))
            events.append((t.closed_at, FINISH_AFTER_CALL if t.closed_at == t.called_at else FINISH, t.id))
        ordered = sorted(events, key=lambda e: (e[0], e[1], e[2]))
        return [(at, FINISH if kind == FINISH_AFTER_CALL else kind, ticket) for at, kind, ticket in ordered]

    def moments(self, listeners: tuple[Listener, ...] = ()) -> Iterator[Moment]:
        """Replay the log; yield a Moment right after people join (before anyone is called in that second),
        and another after calls, for those whose place in line moved."""
        state = _State(self.rule)
        events = self.events()
        index = 0
        while index < len(events):
            now = events[index][0]
            joined, called_services = [], set()
            while index < len(events) and events[index][0] == now and events[index][1] == JOIN:
                joined.append(self._apply(state, listeners, events[index]).id)
                index += 1
            if joined:
                yield Moment(now, state.snapshot(now), tuple(joined), ())
            while index < len(events) and events[index][0] == now:
                ticket = self._apply(state, listeners, events[index])
                if events[index][1] == CALL:
                    called_services.add(ticket.service_id)
                index += 1
            if called_services:
                updated = tuple(t.id for t in state.waiting.values() if t.service_id in called_services)
                if updated:
                    yield Moment(now, state.snapshot(now), (), updated)

    def _apply(self, state: _State, listeners: tuple[Listener, ...], event: tuple) -> ReplayTicket:
        _, kind, ticket_id = event
        ticket = self.tickets[ticket_id]
        state.apply(kind, ticket, event[0])
        for listener in listeners:
            listener.on_event(kind, ticket, event[0])
        return ticket


class _State:
    """The live location while replaying."""

    def __init__(self, rule: FairnessRule) -> None:
        self.rule = rule
        self.waiting: dict[int, ReplayTicket] = {}
        self.counters: dict[int, _CounterLive] = {}
        self.recent_priorities: list[int] = []
        self.breaks: list[float] = []

    def apply(self, kind: int, ticket: ReplayTicket, at: datetime) -> None:
        """Move the location on by one event."""
        counter = (
            self.counters.setdefault(ticket.counter_id, _CounterLive())
            if ticket.counter_id is not None
            else None
        )
        if kind == JOIN:
            self.waiting[ticket.id] = ticket
        elif kind == LEAVE:
            self.waiting.pop(ticket.id, None)
        elif kind == CALL:
            self.waiting.pop(ticket.id, None)
            self.recent_priorities = [ticket.priority, *self.recent_priorities[:19]]
            if counter is not None:
                self._learn_break(counter, ticket, at)
                counter.skills[ticket.service_id] = at
                counter.serving, counter.free_since = ticket, None
                counter.staff_id = ticket.staff_id if ticket.staff_id is not None else counter.staff_id
        elif kind == FINISH and counter is not None and counter.serving is ticket:
            counter.serving, counter.free_since = None, at

    def _learn_break(self, counter: _CounterLive, ticket: ReplayTicket, at: datetime) -> None:
        """Remember how long a counter stayed away while work was waiting for it."""
        if counter.free_since is None:
            return
        away = at - counter.free_since
        if GRACE < away < LONGEST_BREAK and ticket.joined_at <= at - GRACE:
            self.breaks = [*self.breaks[-199:], away.total_seconds()]

    def typical_break(self) -> timedelta:
        """Return the median break seen so far."""
        return timedelta(seconds=statistics.median(self.breaks)) if len(self.breaks) >= 3 else DEFAULT_BREAK

    def snapshot(self, now: datetime) -> QueueSnapshot:
        """Describe the location at `now` from what has happened so far."""
        waiting = sorted(self.waiting.values(), key=lambda t: (t.joined_at, t.id))
        oldest: dict[int, datetime] = {}
        for ticket in waiting:
            oldest.setdefault(ticket.service_id, ticket.joined_at)
        counters = tuple(
            state
            for counter_id, live in sorted(self.counters.items())
            if (state := self._counter(counter_id, live, now, oldest)) is not None
        )
        tickets = tuple(
            WaitingTicket(t.id, t.service_id, t.priority, t.joined_at, joined_at=t.joined_at) for t in waiting
        )
        return QueueSnapshot(now, counters, tickets, self.rule, priority_streak(self.recent_priorities))

    def _counter(
        self, counter_id: int, live: _CounterLive, now: datetime, oldest: dict
    ) -> CounterState | None:
        skills = frozenset(s for s, last in live.skills.items() if last >= now - SKILL_MEMORY)
        if not skills:
            return None
        if live.serving is not None:
            serving = live.serving
            return CounterState(
                counter_id, skills, True, live.staff_id, serving.service_id, serving.started_at
            )
        waited_since = min((oldest[s] for s in skills if s in oldest), default=None)
        free_since = live.free_since or now
        if waited_since is None or max(waited_since, free_since) > now - GRACE:
            return CounterState(counter_id, skills, True, live.staff_id)
        usual = self.typical_break()
        back = None
        if now - free_since < usual * 1.5:
            back = max(free_since + usual, now + timedelta(minutes=1))
        return CounterState(counter_id, skills, False, live.staff_id, reopens_at=back)


def _all_integers(names) -> bool:
    return all(name.isdigit() for name in names)
