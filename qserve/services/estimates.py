"""Wait estimates stored on tickets: the learned estimate at join when the app has one, else a simple
queueing estimate."""

from __future__ import annotations

import logging
import math
from dataclasses import astuple, dataclass

from qserve.services.queue import CensusScope

log = logging.getLogger(__name__)
MIN_SPREAD_S = 60


@dataclass(frozen=True)
class WaitRange:
    """An estimated wait in seconds: p50 is announced, p10 to p90 is the honest range."""

    p10_s: int
    p50_s: int
    p90_s: int

    @classmethod
    def of(cls, estimate) -> WaitRange:
        """Return the range of an estimate that has one (the learned estimator's WaitEstimate)."""
        return cls(estimate.p10_s, estimate.p50_s, estimate.p90_s)

    def as_dict(self) -> dict:
        """Return the range as the API's estimated_wait object."""
        return {"p10_s": self.p10_s, "p50_s": self.p50_s, "p90_s": self.p90_s}

    def later_by(self, seconds: int) -> WaitRange:
        """Return the range starting `seconds` later (a wait that cannot begin before the doors open)."""
        return (
            WaitRange(self.p10_s + seconds, self.p50_s + seconds, self.p90_s + seconds) if seconds else self
        )


def census_scope(session, location_id: int) -> CensusScope:
    """Return the services and the ticket id above which the app's estimator would like the line counted
    for `join_estimates` (none for the queueing estimator)."""
    from qserve.services.refresh import current_estimator

    try:
        scope = getattr(current_estimator(session), "census_scope", None)
        return scope(location_id) if scope is not None else CensusScope()
    except Exception:  # joining never fails because of an estimate: join_estimates says what went wrong
        return CensusScope()


def join_estimates(session, tickets, *, now, census) -> dict[int, WaitRange]:
    """Return the app's learned estimates for tickets that have just joined together at one location, by
    ticket id; none where there is no learned estimator or it failed (joining never fails because of an
    estimate). `census` (qserve.services.queue.LineCensus) counts the location's line in this transaction,
    over what `census_scope` named."""
    from qserve.services.refresh import current_estimator

    if not tickets:
        return {}
    try:
        estimator = current_estimator(session)
        if not hasattr(estimator, "newcomer_estimates"):
            return {}  # the queueing estimator: the caller computes its estimate from the place
        answers = estimator.newcomer_estimates(session, tickets, now, census)
    except Exception:
        ids = [t.id for t in tickets]
        log.exception("the learned estimates of tickets %s failed; the queueing estimate stands", ids)
        return {}
    return {
        ticket_id: WaitRange.of(estimate) for ticket_id, estimate in answers.items() if estimate is not None
    }


def newcomer_waits(session, location, *, now, waiting: dict[int, int]) -> dict[int, WaitRange]:
    """Return, by service, the learned wait a plain walk-in joining a location now would be told: what the
    service lists (the API's, the kiosk's buttons, the phone's join page) show, so that the wait a customer
    chooses by is the one the ticket then says. Empty where there is no learned estimator or it failed (the
    lists fall back on the queueing estimate). `waiting` counts who waits in each service now."""
    from qserve.services.refresh import current_estimator

    try:
        preview = getattr(current_estimator(session), "newcomer_waits", None)
        answers = preview(session, location, now, waiting) if preview is not None else {}
    except Exception:
        log.exception("the learned waits of newcomers at location %s failed", location.id)
        return {}
    return {
        service_id: WaitRange.of(estimate) for service_id, estimate in answers.items() if estimate is not None
    }


def queueing_estimate(*, ahead: int, duration_s: float, counters: int) -> WaitRange:
    """Estimate a wait from the people ahead, a mean service time and the counters serving."""
    counters = max(1, counters)
    p50 = (ahead + 0.5) * duration_s / counters if ahead or counters else 0.0
    spread = max(MIN_SPREAD_S, 0.35 * p50 + math.sqrt(max(ahead, 1)) * duration_s / counters * 0.5)
    return WaitRange(max(0, int(p50 - spread)), int(p50), int(p50 + spread * 1.4))


def slot_waits(
    candidates, *, now, duration_s: dict[int, float], counters: dict[int, int]
) -> dict[int, WaitRange]:
    """Return the waits of the appointments whose slot is still ahead, from the Candidates waiting in their
    services: each is called at its slot (before it, walk-ins are called ahead of it; once due, it goes
    first), or once the counters have called the appointments before it, whichever is later."""
    waits: dict[int, WaitRange] = {}
    last_called: dict[int, float] = {}  # per service: when its latest appointment so far is called (s)
    booked = (c for c in candidates if c.appointment_at is not None)
    for candidate in sorted(booked, key=lambda c: (c.appointment_at, c.ticket_id)):
        service_id, serving = candidate.service_id, max(1, counters.get(candidate.service_id, 0))
        step = duration_s[service_id] / serving
        until_slot = max(0.0, (candidate.appointment_at - now).total_seconds())
        called = max(until_slot + 0.5 * step, last_called.get(service_id, -math.inf) + step)
        last_called[service_id] = called
        if until_slot > 0:  # how many the counters still have to call before it once its slot starts
            behind = max(0, round((called - until_slot) / step - 0.5))
            wait = queueing_estimate(ahead=behind, duration_s=duration_s[service_id], counters=serving)
            waits[candidate.ticket_id] = WaitRange(*(int(until_slot) + s for s in astuple(wait)))
    return waits
