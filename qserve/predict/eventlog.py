"""The event-log CSV that qserve exports, simulates and evaluates, also readable from other systems.

Columns: ticket_id, service, priority, joined_at, called_at, started_at, finished_at, outcome, counter,
staff. Times are ISO 8601 in the location's local time: they keep the offset they carry (qserve's export
writes the location's offset), and a time without an offset is read as local wall time (kept at offset
zero), so that hours of the day and weekdays are the location's. `finished_at` is when the ticket closed:
the end of service, the moment a no-show was recorded, or when a waiting customer cancelled or gave up;
it and `called_at`, `started_at`, `counter`, `staff` are empty when unknown or when it did not happen.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

COLUMNS = (
    "ticket_id",
    "service",
    "priority",
    "joined_at",
    "called_at",
    "started_at",
    "finished_at",
    "outcome",
    "counter",
    "staff",
)
OUTCOMES = ("served", "no_show", "cancelled", "abandoned")


class EventLogError(ValueError):
    """A row of an event log that cannot be read; says which line and column."""


@dataclass(frozen=True)
class EventLogRow:
    """One ticket's history in an event log."""

    ticket_id: str
    service: str
    priority: int
    joined_at: datetime
    called_at: datetime | None
    started_at: datetime | None
    finished_at: datetime | None
    outcome: str
    counter: str | None
    staff: str | None

    @property
    def was_called(self) -> bool:
        """Tell whether a counter called the ticket."""
        return self.call_time is not None

    @property
    def call_time(self) -> datetime | None:
        """Return when the ticket was called (the start of service when the call was not logged)."""
        return self.called_at or (self.started_at if self.outcome in ("served", "no_show") else None)

    def as_csv(self) -> dict[str, str]:
        """Return the row as CSV fields."""
        return {
            "ticket_id": self.ticket_id,
            "service": self.service,
            "priority": str(self.priority),
            "joined_at": _format(self.joined_at),
            "called_at": _format(self.called_at),
            "started_at": _format(self.started_at),
            "finished_at": _format(self.finished_at),
            "outcome": self.outcome,
            "counter": self.counter or "",
            "staff": self.staff or "",
        }


def write_eventlog(rows: Iterable[EventLogRow], path: str | Path | io.TextIOBase) -> int:
    """Write rows as an event-log CSV (a path or an open text file) and return how many were written."""
    if isinstance(path, str | Path):
        with open(path, "w", newline="", encoding="utf-8") as handle:
            return write_eventlog(rows, handle)
    writer = csv.DictWriter(path, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    count = 0
    for row in rows:
        writer.writerow(row.as_csv())
        count += 1
    return count


def read_eventlog(path: str | Path | io.TextIOBase) -> list[EventLogRow]:
    """Read an event-log CSV (a path or an open text file), sorted by join time."""
    if isinstance(path, str | Path):
        with open(path, newline="", encoding="utf-8-sig") as handle:
            return read_eventlog(handle)
    reader = csv.DictReader(path)
    missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise EventLogError(f"missing columns: {', '.join(missing)}")
    rows = [_parse(record, line) for line, record in enumerate(reader, start=2)]
    return sorted(rows, key=lambda r: (r.joined_at, r.ticket_id))


def _parse(record: dict[str, str], line: int) -> EventLogRow:
    outcome = (record["outcome"] or "").strip()
    if outcome not in OUTCOMES:
        raise EventLogError(f"line {line}: outcome {outcome!r} is not one of {', '.join(OUTCOMES)}")
    try:
        priority = int((record["priority"] or "0").strip())
    except ValueError:
        raise EventLogError(f"line {line}: priority {record['priority']!r} is not an integer") from None
    joined_at = _time(record, "joined_at", line)
    if joined_at is None:
        raise EventLogError(f"line {line}: joined_at is empty")
    return EventLogRow(
        ticket_id=record["ticket_id"].strip(),
        service=record["service"].strip(),
        priority=priority,
        joined_at=joined_at,
        called_at=_time(record, "called_at", line),
        started_at=_time(record, "started_at", line),
        finished_at=_time(record, "finished_at", line),
        outcome=outcome,
        counter=(record["counter"] or "").strip() or None,
        staff=(record["staff"] or "").strip() or None,
    )


def _time(record: dict[str, str], column: str, line: int) -> datetime | None:
    text = (record[column] or "").strip()
    if not text:
        return None
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise EventLogError(f"line {line}: {column} {text!r} is not an ISO 8601 time") from None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def _format(value: datetime | None) -> str:
    return "" if value is None else value.isoformat(timespec="seconds")
