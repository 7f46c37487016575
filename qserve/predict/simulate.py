"""A discrete-event simulator of an office that writes the event log qserve would have written.

Counters call with qserve's own `choose_next`. Arrivals follow a Poisson process whose rate varies by hour
and weekday; each staff member has a speed factor; breaks start when the counter next becomes free.
"""

from __future__ import annotations

import heapq
import itertools
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import numpy as np

from qserve.domain.ordering import Candidate, choose_next, priority_streak
from qserve.predict.eventlog import EventLogRow
from qserve.predict.scenarios import SCENARIOS, Scenario, ServiceSpec

START = datetime(2026, 1, 5, tzinfo=UTC)  # a Monday
NO_SHOW_HOLD_S = (45.0, 150.0)  # the counter recalls for a while before giving up


@dataclass
class _Ticket:
    number: int
    service: ServiceSpec
    priority: int
    joined_s: float
    called_s: float | None = None
    started_s: float | None = None
    finished_s: float | None = None
    outcome: str = "waiting"
    counter: str | None = None
    staff: str | None = None


@dataclass
class _Counter:
    name: str
    skills: frozenset[str]
    staff: str = ""
    opens_s: float = 0.0
    closes_s: float = 0.0
    busy: bool = False
    away: bool = False
    breaks: list[tuple[float, float]] = field(default_factory=list)  # (not before, length), in order


class _Office:
    """One simulation run: the event queue, the waiting line, the counters and the rows written."""

    def __init__(self, scenario: Scenario, rng: np.random.Generator) -> None:
        self.scenario = scenario
        self.rng = rng
        self.events: list = []
        self.sequence = itertools.count()
        self.waiting: dict[int, _Ticket] = {}
        self.done: list[_Ticket] = []
        self.recent_priorities: list[int] = []
        self.numbers = itertools.count(1)
        staff_count = len(scenario.counters) + 1
        self.staff_names = [f"S{index:02d}" for index in range(1, staff_count + 1)]
        self.speed = dict(
            zip(self.staff_names, np.exp(rng.normal(0, scenario.staff_speed_sigma, staff_count)), strict=True)
        )
        self.counters = [_Counter(c.name, frozenset(c.services)) for c in scenario.counters]

    def schedule(self, at_s: float, kind: str, payload=None) -> None:
        """Put an event on the queue."""
        heapq.heappush(self.events, (at_s, next(self.sequence), kind, payload))

    def run(self, days: int) -> list[_Ticket]:
        """Simulate the days and return every closed ticket by join time."""
        for day in range(days):
            self._plan_day(day)
        while self.events:
            at_s, _, kind, payload = heapq.heappop(self.events)
            getattr(self, f"_on_{kind}")(at_s, payload)
        return sorted(self.done, key=lambda t: t.joined_s)

    def _plan_day(self, day: int) -> None:
        base = day * 86400.0
        scenario = self.scenario
        staff = list(self.rng.permutation(self.staff_names)) if scenario.rotate_staff else self.staff_names
        for counter, spec, person in zip(self.counters, scenario.counters, staff, strict=False):
            self.schedule(base + spec.opens * 3600, "shift", (counter, person, base + spec.closes * 3600))
        rate = scenario.arrivals_per_hour * scenario.week_profile[(START.weekday() + day) % 7]
        peak = rate * max(scenario.day_profile)
        at_s = base + scenario.opens * 3600
        while peak > 0:
            at_s += self.rng.exponential(3600.0 / peak)
            if at_s >= base + scenario.closes * 3600:
                break
            hour = int((at_s - base) // 3600)
            if self.rng.random() * peak < rate * scenario.day_profile[hour]:
                self.schedule(at_s, "arrival")

    def _on_shift(self, at_s: float, payload) -> None:
        counter, person, closes_s = payload
        counter.staff, counter.opens_s, counter.closes_s, counter.away = person, at_s, closes_s, False
        counter.breaks = self._breaks(at_s, closes_s) if self.scenario.breaks else []
        self._call(counter, at_s)

    def _breaks(self, opens_s: float, closes_s: float) -> list[tuple[float, float]]:
        length = closes_s - opens_s
        if length < 5 * 3600:
            return [(opens_s + self.rng.uniform(0.3, 0.7) * length, 600.0)]
        lunch = opens_s + self.rng.uniform(3.5, 5.0) * 3600
        return sorted(
            [
                (opens_s + self.rng.uniform(1.0, 3.0) * 3600, 600.0),
                (lunch, 1800.0),
                (lunch + self.rng.uniform(1.0, 2.0) * 3600, 600.0),
            ]
        )

    def _on_arrival(self, at_s: float, _payload) -> None:
        services = self.scenario.services
        spec = services[self.rng.choice(len(services), p=[s.share for s in services])]
        priority = 0
        roll = self.rng.random()
        for level, share in enumerate(spec.priority_shares, start=1):
            if roll < share:
                priority = level
                break
            roll -= share
        ticket = _Ticket(next(self.numbers), spec, priority, at_s)
        self.waiting[ticket.number] = ticket
        if spec.patience_s:
            self.schedule(at_s + self.rng.exponential(spec.patience_s), "give_up", ticket)
        idle = [c for c in self.counters if not c.busy and not c.away and c.staff and spec.name in c.skills]
        if idle:
            self._call(idle[int(self.rng.integers(len(idle)))], at_s)

    def _on_give_up(self, at_s: float, ticket: _Ticket) -> None:
        if self.waiting.pop(ticket.number, None) is not None:
            ticket.outcome = "cancelled" if self.rng.random() < 0.3 else "abandoned"
            ticket.finished_s = at_s
            self.done.append(ticket)

    def _on_free(self, at_s: float, counter: _Counter) -> None:
        counter.busy = False
        self._call(counter, at_s)

    def _on_back(self, at_s: float, counter: _Counter) -> None:
        counter.away = False
        self._call(counter, at_s)

    def _call(self, counter: _Counter, at_s: float) -> None:
        """Let a free counter take a break, go home, or call its next ticket."""
        if counter.breaks and counter.breaks[0][0] <= at_s:
            _, length = counter.breaks.pop(0)
            counter.away = True
            self.schedule(at_s + length * self.rng.uniform(0.8, 1.3), "back", counter)
            return
        eligible = [t for t in self.waiting.values() if t.service.name in counter.skills]
        if at_s >= counter.closes_s and (not eligible or self._part_time(counter)):
            counter.staff = ""
            return
        now = START + timedelta(seconds=at_s)
        candidates = [
            Candidate(t.number, 0, t.priority, START + timedelta(seconds=t.joined_s)) for t in eligible
        ]
        streak = priority_streak(self.recent_priorities)
        chosen = choose_next(candidates, rule=self.scenario.rule, now=now, priority_streak=streak)
        if chosen is None:
            return
        self._serve(counter, self.waiting.pop(chosen.ticket_id), at_s)

    def _part_time(self, counter: _Counter) -> bool:
        """Tell whether a counter closes before the office (it leaves on time even with customers waiting)."""
        return counter.closes_s % 86400 < self.scenario.closes * 3600

    def _serve(self, counter: _Counter, ticket: _Ticket, at_s: float) -> None:
        spec = ticket.service
        self.recent_priorities = [ticket.priority, *self.recent_priorities[:19]]
        ticket.called_s, ticket.counter, ticket.staff = at_s, counter.name, counter.staff
        counter.busy = True
        if self.rng.random() < spec.no_show:
            ticket.outcome, ticket.finished_s = "no_show", at_s + self.rng.uniform(*NO_SHOW_HOLD_S)
        else:
            ticket.outcome = "served"
            ticket.started_s = at_s + spec.walk_up_s * self.rng.uniform(0.4, 1.6)
            ticket.finished_s = ticket.started_s + self._duration(spec, counter.staff, ticket.started_s)
        self.done.append(ticket)
        self.schedule(ticket.finished_s, "free", counter)

    def _duration(self, spec: ServiceSpec, staff: str, at_s: float) -> float:
        mean = spec.mean_s * self.speed[staff]
        if (at_s % 86400) >= 14 * 3600:
            mean *= 1.0 + self.scenario.afternoon_slowdown
        if spec.sigma is None:
            return float(self.rng.exponential(mean))
        return float(mean * np.exp(self.rng.normal(-(spec.sigma**2) / 2, spec.sigma)))


def simulate(scenario: Scenario | str, *, days: int, seed: int = 0) -> list[EventLogRow]:
    """Simulate an office for some days and return its event log."""
    if isinstance(scenario, str):
        if scenario not in SCENARIOS:
            raise KeyError(f"unknown scenario {scenario!r}; known: {', '.join(SCENARIOS)}")
        scenario = SCENARIOS[scenario]
    office = _Office(scenario, np.random.default_rng(seed))
    return [_row(ticket) for ticket in office.run(days)]


def _row(ticket: _Ticket) -> EventLogRow:
    def at(seconds: float | None) -> datetime | None:
        return None if seconds is None else START + timedelta(seconds=round(seconds))

    return EventLogRow(
        ticket_id=f"T{ticket.number:06d}",
        service=ticket.service.name,
        priority=ticket.priority,
        joined_at=at(ticket.joined_s),
        called_at=at(ticket.called_s),
        started_at=at(ticket.started_s),
        finished_at=at(ticket.finished_s),
        outcome=ticket.outcome,
        counter=ticket.counter,
        staff=ticket.staff,
    )
