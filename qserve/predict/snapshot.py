"""The present state of one location, as the estimator sees it, and the estimate it gives back."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from qserve.domain.ordering import Candidate, FairnessRule


@dataclass(frozen=True)
class CounterState:
    """A counter now: open or not, who staffs it, what it serves and whom it is serving."""

    counter_id: int
    service_ids: frozenset[int]
    open: bool
    staff_id: int | None = None
    serving_service_id: int | None = None  # set while a called ticket occupies the counter
    serving_started_at: datetime | None = None  # None while the called customer walks up
    reopens_at: datetime | None = None  # a closed counter expected back (a break), None if closed for good


@dataclass(frozen=True)
class WaitingTicket:
    """A ticket waiting to be called."""

    ticket_id: int
    service_id: int
    priority: int
    queued_at: datetime
    appointment_at: datetime | None = None
    joined_at: datetime | None = None  # when the customer joined; queued_at when not given

    def candidate(self) -> Candidate:
        """Describe the ticket for the call-next rules."""
        return Candidate(self.ticket_id, self.service_id, self.priority, self.queued_at, self.appointment_at)

    @property
    def waiting_since(self) -> datetime:
        """Return when the customer started waiting."""
        return self.joined_at or self.queued_at


@dataclass(frozen=True)
class ExpectedBooking:
    """A booked customer who has not checked in yet: once their slot starts they are called ahead of the
    walk-ins, if they come in time to keep it (`chance`)."""

    appointment_id: int
    service_id: int
    starts_at: datetime
    chance: float

    def candidate(self, ticket_id: int) -> Candidate:
        """Describe the customer as the call-next rules will see their ticket once checked in (in line from
        their slot and due at it), under a stand-in id."""
        return Candidate(ticket_id, self.service_id, 0, self.starts_at, self.starts_at)


@dataclass(frozen=True)
class QueueSnapshot:
    """One location at one moment: its counters, its waiting tickets, its call-next rule and the booked
    customers due soon."""

    now: datetime
    counters: tuple[CounterState, ...]
    waiting: tuple[WaitingTicket, ...]
    rule: FairnessRule = FairnessRule()
    priority_streak: int = 0
    booked: tuple[ExpectedBooking, ...] = ()


@dataclass(frozen=True)
class WaitEstimate:
    """A wait from now until the ticket is called, in seconds: p50 is announced, p10 to p90 is the range."""

    p10_s: int
    p50_s: int
    p90_s: int

    def as_dict(self) -> dict:
        """Return the estimate as the API's estimated_wait object."""
        return {"p10_s": self.p10_s, "p50_s": self.p50_s, "p90_s": self.p90_s}
