"""Past-tense facts recorded by services and published after commit."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field

from qserve.domain.lifecycle import Status

WAITING = Status.WAITING.value


@dataclass(frozen=True)
class DomainEvent:
    """Base of all events; `name` is the snake_case Socket.IO event name."""

    @property
    def name(self) -> str:
        """Return the snake_case name of the event (TicketCalled -> ticket_called)."""
        return re.sub(r"(?<!^)(?=[A-Z])", "_", type(self).__name__).lower()

    def as_dict(self) -> dict:
        """Return the event's fields as a plain dict."""
        return asdict(self)


@dataclass(frozen=True)
class TicketChanged(DomainEvent):
    """A ticket went through a transition."""

    ticket_id: int
    token: str
    location_id: int
    service_id: int
    number: str
    action: str
    from_status: str | None
    to_status: str
    counter_id: int | None = None
    counter_name: str | None = None
    previous_service_id: int | None = None
    details: dict = field(default_factory=dict)


@dataclass(frozen=True)
class TicketIssued(TicketChanged):
    """A new ticket joined a queue; `at_back` when it stands behind everyone waiting (no priority, no
    appointment), so that nobody else's place or wait moved; `position` and `people_ahead` as its join
    placed it (None when it is not in line); `contact` when it has a phone number or an e-mail address to
    tell its holder anything by."""

    at_back: bool = False
    position: int | None = None
    people_ahead: int | None = None
    contact: bool = False


def moves_others(event: DomainEvent) -> bool:
    """Tell whether an event can move other waiting tickets' places: a step into or out of the line, or a
    join that does not stand at its back (priority or appointment)."""
    if isinstance(event, TicketIssued):
        return not event.at_back
    return isinstance(event, TicketChanged) and WAITING in (event.from_status, event.to_status)


@dataclass(frozen=True)
class TicketCalled(TicketChanged):
    """A counter called a ticket (first call or recall)."""


@dataclass(frozen=True)
class TicketServingStarted(TicketChanged):
    """Staff started serving the called customer."""


@dataclass(frozen=True)
class TicketFinished(TicketChanged):
    """Staff finished serving the customer."""


@dataclass(frozen=True)
class TicketMarkedNoShow(TicketChanged):
    """The called customer did not come."""


@dataclass(frozen=True)
class TicketParked(TicketChanged):
    """The ticket was put on hold."""


@dataclass(frozen=True)
class TicketResumed(TicketChanged):
    """A parked or no-show ticket went back into line."""


@dataclass(frozen=True)
class TicketTransferred(TicketChanged):
    """The visit continues at another service."""


@dataclass(frozen=True)
class TicketCancelled(TicketChanged):
    """The ticket was cancelled by the customer, staff or the system."""


@dataclass(frozen=True)
class TicketPostponed(TicketChanged):
    """The customer asked for more time and moved back a few places."""


@dataclass(frozen=True)
class CounterChanged(DomainEvent):
    """A counter opened, closed or changed the services it serves."""

    counter_id: int
    location_id: int
    is_open: bool


@dataclass(frozen=True)
class ServiceChanged(DomainEvent):
    """A service opened, closed or changed its settings."""

    service_id: int
    location_id: int


@dataclass(frozen=True)
class AppointmentChanged(DomainEvent):
    """A booking was made, moved, cancelled or expired (for reminders, staff screens and the waits of the
    walk-ins its slot will go ahead of)."""

    appointment_id: int
    location_id: int
    service_id: int
    change: str  # booked, rescheduled, cancelled, no_show
    starts_at: str
    at: str  # when the change was made (ISO): reminders are measured from it, not from the wall clock
