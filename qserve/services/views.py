"""Plain-data views of tickets and queues for the API, the pages and Socket.IO."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session, object_session

from qserve.domain.lifecycle import Action, Status, can
from qserve.domain.ordering import before_slot
from qserve.models import Appointment, Ticket, TicketEvent
from qserve.services.estimates import WaitRange, queueing_estimate, slot_waits
from qserve.services.queue import Place, place_of, serving_counters, waiting_candidates


def public_link(path: str) -> str:
    """Return the address customers reach a path of qserve at (QSERVE_PUBLIC_URL), whatever host a request
    came in through (a proxy's inside address, say)."""
    return f"{current_app.config['PUBLIC_URL'].rstrip('/')}{path}"


def ticket_url(token: str) -> str:
    """Return the public URL of a ticket's live page."""
    return public_link(f"/t/{token}")


def iso(moment: datetime | None) -> str | None:
    """Format an aware datetime as ISO 8601, or None."""
    return moment.isoformat() if moment else None


def stored_estimate(ticket: Ticket) -> WaitRange | None:
    """Return the estimate last stored on a ticket."""
    if ticket.estimate_p50_s is None:
        return None
    return WaitRange(ticket.estimate_p10_s, ticket.estimate_p50_s, ticket.estimate_p90_s)


def public_ticket(
    ticket: Ticket, place: Place | None, *, now: datetime, estimate: WaitRange | None = None
) -> dict:
    """Return what a customer may see of their ticket (the body of GET /api/v1/tickets/{token})."""
    estimate = estimate or (stored_estimate(ticket) if place else None)
    if place is None:
        estimate = None
    base = ticket.estimate_updated_at or now
    return {
        "id": ticket.id,
        "token": ticket.public_token,
        "number": ticket.number,
        "service_id": ticket.service_id,
        "service_name": ticket.service.name(ticket.language),
        "location": ticket.location.slug,
        "location_name": ticket.location.name,
        "status": ticket.status,
        "channel": ticket.channel,
        "language": ticket.language,
        "position": place.position if place else None,
        "people_ahead": place.ahead if place else None,
        "ahead_appointments": place.ahead_appointments if place else None,
        "estimated_wait": estimate.as_dict() if estimate else None,
        "expected_call_at": iso(base + timedelta(seconds=estimate.p50_s)) if estimate else None,
        "counter": ticket.counter.name if ticket.counter and ticket.status in ("called", "serving") else None,
        "joined_at": iso(ticket.joined_at),
        "called_at": iso(ticket.called_at),
        "appointment_at": iso(ticket.appointment_at),
        "late_booking_at": iso(_late_booking_of(ticket)),
        "recall_count": ticket.recall_count,
        # Why the system closed it, as a code (e.g. closed_for_the_day); staff's and customers' own reasons
        # stay private.
        "cancel_code": ticket.cancel_reason if ticket.cancelled_by == "system" else None,
        "can_cancel": can(Action.CANCEL, ticket.status),
        "can_postpone": ticket.status == Status.WAITING
        and ticket.appointment_at is None  # called at its slot: more time would change nothing
        and ticket.postpone_count < ticket.location.settings.get("max_postpones", 2),
        "url": ticket_url(ticket.public_token),
    }


def staff_ticket(ticket: Ticket, place: Place | None, *, now: datetime) -> dict:
    """Return the staff view of a ticket: the public view plus contact, answers and notes."""
    view = public_ticket(ticket, place, now=now)
    view.update(
        {
            "priority": ticket.priority,
            "name": ticket.name,
            "phone": ticket.phone,
            "email": ticket.email,
            "answers": ticket.answers,
            "notes": ticket.notes,
            "queued_at": iso(ticket.queued_at),
            "serving_started_at": iso(ticket.serving_started_at),
            "finished_at": iso(ticket.finished_at),
            "waited_s": int(((ticket.called_at or now) - ticket.joined_at).total_seconds()),
            "counter_id": ticket.counter_id,
            "cancel_reason": ticket.cancel_reason,
        }
    )
    return view


def place_and_estimate(
    session: Session, ticket: Ticket, *, now: datetime, place: Place | None = None
) -> tuple[Place | None, WaitRange | None]:
    """Return a ticket's place in line (unless given) and its estimate (the stored one, or a queueing
    estimate)."""
    place = place or place_of(session, ticket, now=now)
    if place is None:
        return None, None
    estimate = stored_estimate(ticket)
    if estimate is None:
        service_id, duration_s = ticket.service_id, ticket.service.default_duration_s
        counters = sum(
            1
            for c in serving_counters(session, location_id=ticket.location_id)
            if service_id in c.serving_service_ids()
        )
        if before_slot(ticket, now):  # it waits for its slot, and for the appointments due before it
            line = waiting_candidates(session, service_ids=[service_id])
            waits = slot_waits(
                line, now=now, duration_s={service_id: duration_s}, counters={service_id: counters}
            )
            estimate = waits[ticket.id]
        else:
            estimate = queueing_estimate(ahead=place.ahead, duration_s=duration_s, counters=counters)
    return place, estimate


def ticket_with_place(session: Session, ticket: Ticket, *, now: datetime) -> dict:
    """Return a ticket's public view with its current place, estimating when none is stored yet."""
    place, estimate = place_and_estimate(session, ticket, now=now)
    return public_ticket(ticket, place, now=now, estimate=estimate)


def _checked_in_without_slot(ticket: Ticket) -> bool:
    """Tell, from the ticket alone, whether it may be a booking checked in late: every other ticket (a
    walk-in, a booking that kept its slot) is answered without a query."""
    return ticket.channel == "appointment" and ticket.appointment_at is None


def _late_booking_of(ticket: Ticket) -> datetime | None:
    """Return late_booking for a ticket read in a session. A new ticket's view is built in its join's
    transaction once its first log entry is written (qserve.services.joining), which this reads; a ticket
    outside any session is a plain join's, never a booking's."""
    if not _checked_in_without_slot(ticket):
        return None
    session = object_session(ticket)
    return late_booking(session, ticket) if session is not None else None


def late_booking(session: Session, ticket: Ticket) -> datetime | None:
    """Return the booked time of a ticket checked in after its slot's grace period (it waits in order of
    arrival, without the slot), or None for any other ticket."""
    if not _checked_in_without_slot(ticket):
        return None  # a walk-in, or a booking that kept its slot
    # The check-in wrote its outcome and booking into the ticket's first log entry (indexed by ticket).
    issued = session.scalar(
        select(TicketEvent.details).where(TicketEvent.ticket_id == ticket.id, TicketEvent.action == "issue")
    )
    if not issued or issued.get("check_in") != "walk_in" or not issued.get("appointment_id"):
        return None
    return session.scalar(select(Appointment.starts_at).where(Appointment.id == issued["appointment_id"]))
