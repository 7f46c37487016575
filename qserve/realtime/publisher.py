"""Turn committed events into Socket.IO messages; refresh positions and estimates, coalesced."""

from __future__ import annotations

import logging
import threading
import time

from flask import Flask

from qserve.domain.events import (
    AppointmentChanged,
    CounterChanged,
    DomainEvent,
    ServiceChanged,
    TicketCalled,
    TicketChanged,
    TicketIssued,
)
from qserve.domain.numbering import spoken_number
from qserve.extensions import socketio
from qserve.realtime.rooms import counter_room, display_room, service_room, staff_room, ticket_room

log = logging.getLogger(__name__)
REFRESH_SHARE_FACTOR = 4  # wait at least four times as long as the last refresh took
MAX_DELAY_S = 5.0  # but pages hear of a change within a few seconds whatever the line's length
# After plain joins alone only the counts are refreshed, but places and waits are recomputed at least this
# often (time passes for those being served, and the estimator prepares newcomers' estimates then).
RECOMPUTE_S = 10.0


class Publisher:
    """Emit calls at once; coalesce position and estimate refreshes per location."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.delay_s = float(app.config.get("REALTIME_COALESCE_S", 0.2))
        self._dirty: dict[int, set[str]] = {}
        self._lock = threading.Lock()
        self._scheduled = False
        self._last_sent: dict[str, tuple] = {}
        self._last_cost_s = 0.0
        self._flushing = 0
        self._moved: set[int] = set()  # dirty locations where someone's place or wait may have moved
        self._refreshed_at: dict[int, float] = {}  # location id -> when its places were last recomputed

    def on_events(self, events: list[DomainEvent]) -> None:
        """Handle the events of one commit."""
        for event in events:
            if isinstance(event, TicketCalled):
                self._emit_call(event)
            elif isinstance(event, TicketChanged) and event.action == "requeue":
                self._emit_withdrawn(event)
            if isinstance(event, TicketIssued) and event.at_back:
                self._mark(event.location_id, None, moved=False)  # the counts changed, nobody's place
            elif isinstance(event, TicketChanged):
                self._mark(event.location_id, event.token)
            elif isinstance(event, CounterChanged | ServiceChanged | AppointmentChanged):
                self._mark(event.location_id, None)
        if self.delay_s <= 0:
            self.flush()
        else:
            self._schedule()

    def _emit_call(self, event: TicketCalled) -> None:
        payload = {"number": event.number, "counter": event.counter_name}
        socketio.emit("ticket_called", payload, to=ticket_room(event.token), namespace="/ticket")
        announcement = payload | {
            "ticket_id": event.ticket_id,
            "service_id": event.service_id,
            "spoken": spoken_number(event.number),
            "recall": event.action == "recall",
        }
        socketio.emit("ticket_called", announcement, to=display_room(event.location_id), namespace="/display")
        socketio.emit("ticket_called", announcement, to=staff_room(event.location_id), namespace="/staff")
        if event.counter_id:
            socketio.emit(
                "ticket_called", announcement, to=counter_room(event.counter_id), namespace="/staff"
            )

    def _emit_withdrawn(self, event: TicketChanged) -> None:
        """An undone call leaves the waiting-room displays at once (they would drop it at their next
        resync anyway)."""
        payload = {"ticket_id": event.ticket_id, "number": event.number}
        socketio.emit("call_withdrawn", payload, to=display_room(event.location_id), namespace="/display")

    def mark(self, location_id: int, token: str | None = None) -> None:
        """Mark a location for the next refresh (jobs use this to keep estimates fresh)."""
        self._mark(location_id, token)

    def _mark(self, location_id: int, token: str | None, *, moved: bool = True) -> None:
        with self._lock:
            tokens = self._dirty.setdefault(location_id, set())
            if token:
                tokens.add(token)
            if moved:
                self._moved.add(location_id)

    def _schedule(self) -> None:
        with self._lock:
            if self._scheduled:
                return
            self._scheduled = True
        socketio.start_background_task(self._delayed_flush)

    def wait_until_idle(self, timeout_s: float = 10.0) -> bool:
        """Wait until no refresh is scheduled or running (tests and shutdown); tell whether it became idle."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            with self._lock:
                if not self._scheduled and not self._flushing:
                    return True
            socketio.sleep(0.02)
        return False

    def _delayed_flush(self) -> None:
        # A refresh of a long line costs time: wait long enough that refreshing takes at most a fifth of
        # the process, so a busy location keeps serving requests (pages hear of changes a little later).
        socketio.sleep(max(self.delay_s, min(MAX_DELAY_S, REFRESH_SHARE_FACTOR * self._last_cost_s)))
        with self._lock:
            self._scheduled = False
        with self.app.app_context():
            self.flush()

    def flush(self) -> None:
        """Refresh every location marked dirty and emit what changed."""
        with self._lock:
            dirty, self._dirty = self._dirty, {}
            moved, self._moved = self._moved, set()
            self._flushing += 1
        started = time.perf_counter()
        try:
            self._refresh(dirty, moved)
        finally:
            self._last_cost_s = time.perf_counter() - started
            with self._lock:
                self._flushing -= 1

    def _refresh(self, dirty: dict[int, set[str]], moved: set[int]) -> None:
        from qserve.db import utcnow
        from qserve.services.refresh import refresh_location, summarize_location

        for location_id, tokens in dirty.items():
            recomputed = self._refreshed_at.get(location_id)
            try:
                if location_id in moved or recomputed is None or time.monotonic() - recomputed > RECOMPUTE_S:
                    self._refreshed_at[location_id] = time.monotonic()
                    snapshot = refresh_location(
                        location_id=location_id,
                        now=utcnow(),
                        tokens=tokens,
                        known=self._last_sent,
                        listening=self._listening_tokens(),
                    )
                else:  # only plain joins since: the counts changed, nobody's place or wait
                    snapshot = summarize_location(location_id=location_id)
            except Exception:
                log.exception("refreshing location %s failed", location_id)
                continue
            self._emit_snapshot(snapshot)

    def _listening_tokens(self) -> set[str] | None:
        """Return the tokens whose live page is connected to this process, or None when other processes
        may hold listeners (a message queue is configured) and every changed ticket must be published."""
        if self.app.config.get("REDIS_URL"):
            return None
        try:
            rooms = socketio.server.manager.rooms.get("/ticket", {})
        except AttributeError:
            return None
        prefix = ticket_room("")
        return {room[len(prefix) :] for room in rooms if isinstance(room, str) and room.startswith(prefix)}

    def _emit_snapshot(self, snapshot: dict) -> None:
        for view in snapshot["tickets"]:
            token = view["token"]
            socketio.emit("ticket_updated", view, to=ticket_room(token), namespace="/ticket")
            if view["status"] in ("waiting", "called", "serving", "parked"):
                self._last_sent[token] = snapshot["keys"][token]
            else:
                self._last_sent.pop(token, None)
        summary = snapshot["summary"]
        location_id = snapshot["location_id"]
        socketio.emit("queue_updated", summary, to=display_room(location_id), namespace="/display")
        socketio.emit("queue_updated", summary, to=staff_room(location_id), namespace="/staff")
        for service in summary["services"]:
            socketio.emit("queue_updated", service, to=service_room(service["id"]), namespace="/ticket")
