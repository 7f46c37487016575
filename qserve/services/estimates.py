"""Wait estimates stored on tickets; a simple queueing estimate until the learned estimator is wired."""

from __future__ import annotations

import math
from dataclasses import dataclass

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


def queueing_estimate(*, ahead: int, duration_s: float, counters: int) -> WaitRange:
    """Estimate a wait from the people ahead, a mean service time and the counters serving."""
    counters = max(1, counters)
    p50 = (ahead + 0.5) * duration_s / counters if ahead or counters else 0.0
    spread = max(MIN_SPREAD_S, 0.35 * p50 + math.sqrt(max(ahead, 1)) * duration_s / counters * 0.5)
    return WaitRange(max(0, int(p50 - spread)), int(p50), int(p50 + spread * 1.4))
