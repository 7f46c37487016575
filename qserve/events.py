"""The event bus: handlers that write in the same transaction, subscribers that run after commit."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from qserve.domain.events import DomainEvent

if TYPE_CHECKING:
    from qserve.db import UnitOfWork

log = logging.getLogger(__name__)

InTransactionHandler = Callable[[DomainEvent, "UnitOfWork"], None]
Subscriber = Callable[[list[DomainEvent]], None]


class EventBus:
    """Route recorded events to in-transaction handlers (outbox) and after-commit subscribers."""

    def __init__(self) -> None:
        self._handlers: list[InTransactionHandler] = []
        self._subscribers: list[Subscriber] = []

    def add_handler(self, handler: InTransactionHandler) -> None:
        """Register a handler that writes durable side effects in the service's own transaction."""
        self._handlers.append(handler)

    def subscribe(self, subscriber: Subscriber) -> None:
        """Register a subscriber called with the events after a successful commit."""
        self._subscribers.append(subscriber)

    def before_commit(self, uow: UnitOfWork) -> None:
        """Let handlers add their rows; an exception here rolls the whole use case back."""
        for event in list(uow.events):
            for handler in self._handlers:
                handler(event, uow)

    def after_commit(self, events: list[DomainEvent]) -> None:
        """Deliver committed events; a failing subscriber is logged and never undoes the change."""
        if not events:
            return
        for subscriber in self._subscribers:
            try:
                subscriber(events)
            except Exception:
                log.exception("event subscriber %r failed", subscriber)
