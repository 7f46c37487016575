"""Which events become which notifications, written to the outbox inside the transaction that causes them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from flask import current_app, has_app_context
from sqlalchemy import select
from sqlalchemy.orm import Session

from qserve.db import UnitOfWork
from qserve.domain import events as ev
from qserve.domain.lifecycle import CLOSED_STATUSES, Status
from qserve.models import Ticket, TicketEvent
from qserve.notify.bookings import enqueue_booking_confirmation
from qserve.notify.outbox import Draft, allowed_channels, is_reachable, notification_settings, write_drafts
from qserve.notify.thresholds import (
    enqueue_threshold_messages,
    minutes_of,
    moot_on_join,
    seconds_left,
    service_of,
)
from qserve.services.queue import place_of

DEFAULT_PUBLIC_URL = "http://127.0.0.1:5000"
# Actions that move a ticket's own place by more than one step: its stored estimate is from before.
JUMPS = frozenset({"postpone", "transfer", "resume", "reactivate", "requeue"})


def public_url() -> str:
    """Return the configured base URL of the public pages."""
    if has_app_context():
        return current_app.config.get("PUBLIC_URL") or DEFAULT_PUBLIC_URL
    return DEFAULT_PUBLIC_URL


def ticket_link(token: str, base_url: str) -> str:
    """Return the link to a ticket's live page (never shortened)."""
    return f"{base_url.rstrip('/')}/t/{token}"


def enqueue_notifications(event: ev.DomainEvent, uow: UnitOfWork) -> None:
    """Turn one recorded event into outbox rows in the same transaction (register with bus.add_handler)."""
    if isinstance(event, ev.AppointmentChanged):
        if event.change in ("booked", "rescheduled"):
            enqueue_booking_confirmation(
                uow.session,
                appointment_id=event.appointment_id,
                public_url=public_url(),
                changed_at=datetime.fromisoformat(event.at),
            )
        return
    if not isinstance(event, ev.TicketChanged):
        return
    if isinstance(event, ev.TicketIssued) and not event.contact and not should_scan(event, uow):
        return  # nobody to tell and no line to scan (spares reading the ticket: most joins)
    session = uow.session
    ticket = session.get(Ticket, event.ticket_id)
    if ticket is None or ticket.personal_data_erased_at is not None:
        return
    maker = MESSAGES.get(type(event))
    if maker is not None and not _may_have_address(session, event, ticket):
        maker = None  # nobody to tell: spare the queries (a kiosk ticket without contact)
    scan = should_scan(event, uow)
    if maker is None and not scan:
        return
    settings = notification_settings(ticket.location)
    log_id, now = _latest_log(session, ticket)
    base_url = public_url()
    drafts = maker(session, event, ticket, settings, now, log_id, base_url) if maker else []
    if drafts and is_reachable(session, ticket, allowed_channels(settings, drafts[0].kind)):
        write_drafts(session, drafts, settings=settings, now=now, public_url=base_url)
    if scan:
        stale = frozenset(
            e.ticket_id
            for e in uow.events
            if isinstance(e, ev.TicketChanged) and e.location_id == event.location_id and e.action in JUMPS
        )
        enqueue_threshold_messages(
            session, location=ticket.location, now=now, public_url=base_url, stale_estimates=stale
        )


def _may_have_address(session: Session, event: ev.TicketChanged, ticket: Ticket) -> bool:
    if ticket.has_contact:
        return True
    if isinstance(event, ev.TicketIssued):
        return False  # a new ticket has no push subscription yet
    return is_reachable(session, ticket, ["push"])


def should_scan(event: ev.TicketChanged, uow: UnitOfWork) -> bool:
    """Scan a location's line once per transaction, at its last event, when something in it moved the line
    (any of its events: a priority join committed together with plain ones counts)."""
    last, moved = _lines_moved(uow).get(event.location_id, (None, False))
    return last is event and moved


def _lines_moved(uow: UnitOfWork) -> dict[int, tuple[ev.TicketChanged, bool]]:
    """Return, per location, the transaction's last ticket event there and whether any of its events there
    moved the line; read once per transaction (a batch of joins asks it for every ticket), again only when
    a handler has recorded more events since."""
    seen, lines = uow.memo.get("lines_moved", (-1, {}))
    if seen != len(uow.events):
        lines = {}
        for event in uow.events:
            if isinstance(event, ev.TicketChanged):
                moved = lines.get(event.location_id, (None, False))[1] or ev.moves_others(event)
                lines[event.location_id] = (event, moved)
        uow.memo["lines_moved"] = (len(uow.events), lines)
    return lines


def _latest_log(session: Session, ticket: Ticket) -> tuple[int, datetime]:
    """Return the id and time of the ticket's newest event-log entry: this transition's, just written."""
    row = session.execute(
        select(TicketEvent.id, TicketEvent.at)
        .where(TicketEvent.ticket_id == ticket.id)
        .order_by(TicketEvent.id.desc())
        .limit(1)
    ).first()
    return (row.id, row.at) if row else (0, ticket.joined_at)


def _on_issued(session, event, ticket, settings, now, log_id, base_url) -> list[Draft]:
    url = ticket_link(ticket.public_token, base_url)  # also after an appointment's check-in: follow it live
    if event.position is None:  # not in line (its join placed it nowhere)
        return []
    left = seconds_left(ticket.estimate_p50_s, ticket.estimate_updated_at, now)
    service = service_of(session, ticket)
    fields = {
        "number": ticket.number,
        "service": service.name(ticket.language),
        "position": event.position,
        "minutes": minutes_of(left, event.people_ahead * service.default_duration_s),
    }
    joined = Draft(ticket, "joined", f"ticket:{ticket.id}:joined", fields, url)
    return [joined, *moot_on_join(ticket, position=event.position, seconds=left, settings=settings)]


def _on_called(session, event, ticket, settings, now, log_id, base_url) -> list[Draft]:
    if ticket.status != Status.CALLED:
        return []
    kind = "called"
    if event.action == "recall":
        last_call = int(settings["no_show_warning_at_recall"] or 0)
        kind = "no_show_warning" if last_call and ticket.recall_count >= last_call else "recalled"
    counter = event.counter_name or (ticket.counter.name if ticket.counter else "")
    fields = {"number": ticket.number, "counter": counter}
    return [Draft(ticket, kind, f"ticket:{ticket.id}:called:{log_id}:{ticket.recall_count}", fields)]


def _on_transferred(session, event, ticket, settings, now, log_id, base_url) -> list[Draft]:
    place = place_of(session, ticket, now=now)
    if place is None:
        return []
    fields = {
        "number": ticket.number,
        "service": service_of(session, ticket).name(ticket.language),
        "position": place.position,
    }
    url = ticket_link(ticket.public_token, base_url)
    moved = Draft(ticket, "moved_by_staff", f"ticket:{ticket.id}:moved:{log_id}", fields, url)
    # The new line's thresholds already passed are told by this message, like a newcomer's.
    return [moved, *moot_on_join(ticket, position=place.position, seconds=None, settings=settings)]


def _on_cancelled(session, event, ticket, settings, now, log_id, base_url) -> list[Draft]:
    if (ticket.cancelled_by or "customer").startswith("customer"):
        return []  # the customer did it and already knows
    fields = {"number": ticket.number, "service": service_of(session, ticket).name(ticket.language)}
    kind = "closed_for_the_day" if ticket.cancel_reason == "closed_for_the_day" else "cancelled_by_staff"
    return [Draft(ticket, kind, f"ticket:{ticket.id}:cancelled", fields)]


def _on_finished(session, event, ticket, settings, now, log_id, base_url) -> list[Draft]:
    # Imported here: qserve.insights sends its reports through this package's channels.
    from qserve.insights.feedback import asks_for_feedback

    if not settings["feedback"] or ticket.status not in CLOSED_STATUSES:
        return []
    if not asks_for_feedback(session, location_id=ticket.location_id):
        return []  # the location turned its feedback form off: no message asking for it
    fields = {"number": ticket.number, "location": ticket.location.name}
    url = ticket_link(ticket.public_token, base_url) + "/feedback"
    delay = int(settings["feedback_delay_s"] or 0)
    return [Draft(ticket, "feedback", f"ticket:{ticket.id}:feedback", fields, url, delay_s=delay)]


Maker = Callable[..., list[Draft]]
MESSAGES: dict[type, Maker] = {
    ev.TicketIssued: _on_issued,
    ev.TicketCalled: _on_called,
    ev.TicketTransferred: _on_transferred,
    ev.TicketCancelled: _on_cancelled,
    ev.TicketFinished: _on_finished,
}
