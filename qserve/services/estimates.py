"""Wait estimates stored on tickets: the learned estimate at join when the app has one, else a simple
queueing estimate."""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass

log = logging.getLogger(__name__)
MIN_SPREAD_S = 60


@dataclass(frozen=True)
class WaitRange:
    """An estimated wait in seconds: p50 is announced, p10 to p90 is the honest range."""

    p10_s: int
    p50_s: int
    p90_s: int

    def as_dict(self) -> dict:
        """Return the range as the API's estimated_wait object."""
        return {"p10_s": self.p10_s, "p50_s": self.p50_s, "p90_s": self.p90_s}


def join_estimate(session, ticket, *, now) -> WaitRange | None:
    """Return the app's learned estimate for a ticket that has just joined, or None when there is none
    (no learned estimator, or it failed: joining never fails because of an estimate)."""
    from qserve.services.refresh import current_estimator

    try:
        answer = getattr(current_estimator(session), "newcomer_estimate", None)
        estimate = answer(session, ticket, now) if answer is not None else None
    except Exception:
        log.exception("the learned estimate of ticket %s failed; the queueing estimate stands", ticket.id)
        return None
    return None if estimate is None else WaitRange(estimate.p10_s, estimate.p50_s, estimate.p90_s)


def queueing_estimate(*, ahead: int, duration_s: float, counters: int) -> WaitRange:
    """Estimate a wait from the people ahead, a mean service time and the counters serving."""
    counters = max(1, counters)
    p50 = (ahead + 0.5) * duration_s / counters if ahead or counters else 0.0
    spread = max(MIN_SPREAD_S, 0.35 * p50 + math.sqrt(max(ahead, 1)) * duration_s / counters * 0.5)
    return WaitRange(max(0, int(p50 - spread)), int(p50), int(p50 + spread * 1.4))
