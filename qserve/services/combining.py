"""Group commit: calls that arrive together run as one batch, led by the first of them.

A caller hands its item to the combiner and waits. The first caller to arrive while no batch runs leads:
it lets the others that are ready join (a few yields to the scheduler, so under gevent every greenlet that
has read its request gets in), runs the batch function once for all of them, gives each its outcome and
hands the lead to the next caller waiting, if any. No thread of its own, no timer: an idle server answers
a lone caller after one yield, a busy one commits many callers with one transaction.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

Item = TypeVar("Item")
Outcome = TypeVar("Outcome")
MAX_BATCH = 64
RECENT_BATCHES = 16
MAX_WAIT_S = 0.010  # how long a leader waits at most for the callers of the last batch to come back


class _Slot(Generic[Item]):
    """One caller's item, its outcome and the event it waits on."""

    __slots__ = ("item", "outcome", "ready", "leads")

    def __init__(self, item: Item) -> None:
        self.item = item
        self.outcome: object = None
        self.ready = threading.Event()
        self.leads = False


class Combiner(Generic[Item, Outcome]):
    """Run `run_batch(items) -> outcomes` for callers that arrive together; an outcome that is an exception
    is raised in its own caller."""

    def __init__(
        self,
        run_batch: Callable[[Sequence[Item]], Sequence[Outcome | Exception]],
        *,
        max_batch: int = MAX_BATCH,
        max_wait_s: float = MAX_WAIT_S,
    ) -> None:
        self._run_batch = run_batch
        self._max_batch = max_batch
        self._max_wait_s = max_wait_s
        self._recent_sizes: deque[int] = deque([1], maxlen=RECENT_BATCHES)
        self._lock = threading.Lock()
        self._pending: list[_Slot] = []
        self._leading = False
        # A leader waiting for the rest of a batch sleeps on this until `_enough` callers wait.
        self._gathered = threading.Event()
        self._enough = max_batch

    def submit(self, item: Item) -> Outcome:
        """Run an item with whoever else is submitting now and return its outcome (or raise its error)."""
        slot = _Slot(item)
        with self._lock:
            self._pending.append(slot)
            slot.leads = not self._leading
            self._leading = True
            if len(self._pending) >= self._enough:
                self._gathered.set()
        if not slot.leads:
            try:
                slot.ready.wait()
            except BaseException:  # killed while waiting: never leave the others without a leader
                self._withdraw(slot)
                raise
        if slot.leads:  # first to arrive, or handed the lead by the batch before
            self._lead(slot)
        if isinstance(slot.outcome, BaseException):
            raise slot.outcome
        return slot.outcome  # type: ignore[return-value]

    def _lead(self, own: _Slot) -> None:
        batch: list[_Slot] = []
        try:
            self._gather()
            with self._lock:
                batch, self._pending = self._pending[: self._max_batch], self._pending[self._max_batch :]
                self._recent_sizes.append(len(batch))
            try:
                outcomes = list(self._run_batch([slot.item for slot in batch]))
            except BaseException as error:  # the batch function itself failed: every caller hears of it
                outcomes = [error] * len(batch)
            for slot, outcome in zip(batch, outcomes, strict=True):
                slot.outcome = outcome
                slot.leads = False
        finally:
            own.leads = True  # the lead passes on (own is still in line only if cut short before its batch)
            self._withdraw(own)
            for slot in batch:
                slot.ready.set()

    def _withdraw(self, slot: _Slot) -> None:
        """Take a slot out of the line and, if it was to lead, hand the lead to the next caller waiting."""
        with self._lock:
            if slot in self._pending:
                self._pending.remove(slot)
            if not slot.leads:
                return
            slot.leads = False
            if self._pending:
                successor = self._pending[0]
                successor.leads = True
                successor.ready.set()
            else:
                self._leading = False

    def _gather(self) -> None:
        """Let the callers on their way join: yield while more keep arriving, then, until as many wait as
        came to the largest of the recent batches (most likely the same clients, finishing their previous
        responses: waiting for the largest keeps them from settling into two halves that alternate), sleep
        until the last of them arrives, for at most `max_wait_s` in all. A lone caller on an idle server
        waits one yield.

        Sleeping on an event rather than polling matters: a leader that polled with short sleeps spent as
        much CPU as the HTTP handling of the callers it waited for."""
        deadline = time.monotonic() + self._max_wait_s
        target = min(max(self._recent_sizes), self._max_batch)
        seen = 0
        while True:
            with self._lock:
                waiting = len(self._pending)
                if waiting >= self._max_batch or (waiting >= target and waiting == seen):
                    return
                if time.monotonic() >= deadline:
                    return
                if waiting == seen:  # nobody came during the last yield: sleep until the rest has come
                    self._enough = target
                    self._gathered.clear()
            if waiting > seen:
                seen = waiting
                time.sleep(0)
                continue
            self._gathered.wait(max(0.0, deadline - time.monotonic()))
            with self._lock:
                self._enough = self._max_batch
            return
