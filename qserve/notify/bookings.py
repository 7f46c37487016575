"""Booking messages: an appointment's confirmation and its reminders, before it becomes a ticket at check-in.

Keys carry the booking's reschedule count, so a moved booking is confirmed again and reminded afresh.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from qserve.models.appointment import Appointment
from qserve.notify.messages import format_time
from qserve.notify.outbox import Draft, allowed_channels, existing_keys, notification_settings, write_drafts
from qserve.notify.thresholds import due_thresholds

BOOKED = "booked"
MAX_REMINDER_S = 7 * 86400


def booking_code(code: str) -> str:
    """Return a stored booking code in the readable form the customer typed (ABCD-2345)."""
    return f"{code[:4]}-{code[4:]}" if len(code) > 4 else code


def booking_fields(appointment: Appointment) -> dict:
    """Return the text fields of a booking message."""
    location = appointment.location
    return {
        "number": booking_code(appointment.code),
        "service": appointment.service.name(appointment.language),
        "location": location.name,
        "time": format_time(appointment.starts_at, appointment.language, location.time_zone),
    }


def booking_link(appointment: Appointment, public_url: str) -> str:
    """Return the link to a booking's page."""
    return f"{public_url.rstrip('/')}/booking/{appointment.code}"


def reminder_key(appointment: Appointment, offset_s: int) -> str:
    """Return the dedupe key of one reminder of a booking's current time."""
    return f"appointment:{appointment.id}:reminder:{appointment.reschedule_count}:{offset_s}"


def is_reachable(appointment: Appointment, settings: dict, kind: str) -> bool:
    """Tell whether a booking left an address on a channel allowed for a kind (a booking has no push)."""
    channels = allowed_channels(settings, kind)
    return bool(("sms" in channels and appointment.phone) or ("email" in channels and appointment.email))


def enqueue_booking_confirmation(
    session: Session, *, appointment_id: int, public_url: str, changed_at: datetime
) -> None:
    """Confirm a booking (made or moved) and mark the reminders it is already too close for."""
    appointment = session.get(Appointment, appointment_id)
    if appointment is None or appointment.status != BOOKED:
        return
    settings = notification_settings(appointment.location)
    if not is_reachable(appointment, settings, "appointment_confirmation"):
        return
    # Rows take the booking's time (due at once either way); a moved booking is measured from the time
    # it was moved, so that a reminder it is already too close for is not sent after it.
    now = appointment.booked_at
    reference = now if appointment.reschedule_count == 0 else max(now, changed_at)
    key = f"appointment:{appointment.id}:booked:{appointment.reschedule_count}"
    fields, link = booking_fields(appointment), booking_link(appointment, public_url)
    confirmation = Draft(None, "appointment_confirmation", key, fields, link, appointment=appointment)
    left = (appointment.starts_at - reference).total_seconds()
    moot = [
        Draft(
            None,
            "appointment_reminder",
            reminder_key(appointment, int(s)),
            skip=True,
            appointment=appointment,
        )
        for s in settings["reminders_s"]
        if left <= int(s)
    ]
    write_drafts(session, [confirmation, *moot], settings=settings, now=now, public_url=public_url)


def enqueue_booking_reminders(session: Session, *, now: datetime, public_url: str) -> int:
    """Write the reminders of bookings coming up (a day and an hour before, as configured)."""
    query = select(Appointment).where(
        Appointment.status == BOOKED,
        Appointment.starts_at > now,
        Appointment.starts_at <= now + timedelta(seconds=MAX_REMINDER_S),
        or_(Appointment.phone.is_not(None), Appointment.email.is_not(None)),
    )
    written = 0
    for appointment in session.scalars(query).all():
        settings = notification_settings(appointment.location)
        if not is_reachable(appointment, settings, "appointment_reminder"):
            continue
        offsets = sorted({int(s) for s in settings["reminders_s"]})
        keys = {s: reminder_key(appointment, s) for s in offsets}
        taken = existing_keys(session, list(keys.values()))
        left = (appointment.starts_at - now).total_seconds()
        offset, moot = due_thresholds(left, offsets, {s for s, key in keys.items() if key in taken})
        drafts = [
            Draft(None, "appointment_reminder", keys[s], skip=True, appointment=appointment) for s in moot
        ]
        if offset is not None:
            fields, link = booking_fields(appointment), booking_link(appointment, public_url)
            drafts.append(
                Draft(None, "appointment_reminder", keys[offset], fields, link, appointment=appointment)
            )
            written += 1
        write_drafts(session, drafts, settings=settings, now=now, public_url=public_url)
    return written
