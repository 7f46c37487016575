"""An iCalendar (RFC 5545) file for a booking, so the customer's calendar reminds them too."""

from __future__ import annotations

from datetime import UTC, datetime


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _fold(line: str) -> list[str]:
    """Split a content line into pieces of at most 75 octets; continuation lines start with a space."""
    pieces: list[str] = []
    current = ""
    for char in line:
        limit = 75 if not pieces else 74  # the leading space of a continuation counts
        if len((current + char).encode()) > limit:
            pieces.append(current)
            current = ""
        current += char
    pieces.append(current)
    return [pieces[0], *(" " + piece for piece in pieces[1:])]


def booking_calendar(
    *,
    uid: str,
    starts_at: datetime,
    ends_at: datetime,
    summary: str,
    location: str,
    description: str,
    url: str,
    stamped_at: datetime,
) -> str:
    """Return the text of a one-event calendar file with a reminder an hour before."""
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//qserve//appointments//EN",
        "METHOD:PUBLISH",
        "BEGIN:VEVENT",
        f"UID:{uid}",
        f"DTSTAMP:{_stamp(stamped_at)}",
        f"DTSTART:{_stamp(starts_at)}",
        f"DTEND:{_stamp(ends_at)}",
        f"SUMMARY:{_escape(summary)}",
        f"LOCATION:{_escape(location)}",
        f"DESCRIPTION:{_escape(description)}",
        f"URL:{url}",
        "BEGIN:VALARM",
        "ACTION:DISPLAY",
        "TRIGGER:-PT1H",
        f"DESCRIPTION:{_escape(summary)}",
        "END:VALARM",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return "\r\n".join(piece for line in lines for piece in _fold(line)) + "\r\n"
