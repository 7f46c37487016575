"""Two-way SMS: act on a customer's keyword (CANCEL, LATE, HERE, STOP, START) once, and word the reply.

The phone's newest open ticket is what CANCEL and LATE act on; HERE checks in the phone's next booking
(through the appointments package when it is installed); without either, the reply says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from importlib import import_module

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from qserve.db import read_session, transaction
from qserve.domain.errors import QServeError
from qserve.domain.lifecycle import OPEN_STATUSES
from qserve.models import Ticket
from qserve.models.appointment import Appointment
from qserve.models.notify import InboundSms
from qserve.notify.bookings import BOOKED, booking_code
from qserve.notify.keywords import parse_command, reply_text
from qserve.notify.optouts import forget_opt_out, remember_opt_out

BOOKING_LOOKBACK = timedelta(hours=12)  # a booking a little in the past may still check in (late arrival)


@dataclass(frozen=True)
class Sender:
    """Who texted, and what they hold: an open ticket, a booking, both or neither."""

    phone: str
    now: datetime
    language: str
    ticket_id: int | None = None
    token: str | None = None
    number: str | None = None
    booking_code: str | None = None


def find_sender(session: Session, *, phone: str, now: datetime, language: str | None) -> Sender:
    """Find the phone's newest open ticket and next booking; reply in the language they were made in."""
    ticket = session.scalars(
        select(Ticket)
        .where(Ticket.phone == phone, Ticket.status.in_([s.value for s in OPEN_STATUSES]))
        .order_by(Ticket.joined_at.desc(), Ticket.id.desc())
        .limit(1)
    ).first()
    booking = session.scalars(
        select(Appointment)
        .where(
            Appointment.phone == phone,
            Appointment.status == BOOKED,
            Appointment.starts_at >= now - BOOKING_LOOKBACK,
        )
        .order_by(Appointment.starts_at, Appointment.id)
        .limit(1)
    ).first()
    held = ticket or booking
    return Sender(
        phone=phone,
        now=now,
        language=held.language if held else (language or "en"),
        ticket_id=ticket.id if ticket else None,
        token=ticket.public_token if ticket else None,
        number=ticket.number if ticket else None,
        booking_code=booking.code if booking else None,
    )


def handle_inbound_sms(*, message_sid: str, phone: str, body: str, now: datetime) -> str:
    """Act once on an inbound SMS keyword and return the reply text (a retried webhook gets the same)."""
    command, keyword_language = parse_command(body)
    with read_session() as session:
        earlier = session.scalar(select(InboundSms.reply).where(InboundSms.message_sid == message_sid))
        if earlier is not None:
            return earlier
        sender = find_sender(session, phone=phone, now=now, language=keyword_language)
    reply = ACTIONS[command](sender)
    with transaction() as tx:
        insert = postgresql.insert if tx.session.get_bind().dialect.name == "postgresql" else sqlite.insert
        values = {"message_sid": message_sid, "phone": phone, "command": command, "reply": reply[:500]}
        values |= {"ticket_id": sender.ticket_id, "received_at": now}
        tx.session.execute(
            insert(InboundSms.__table__)
            .values(**values)
            .on_conflict_do_nothing(index_elements=["message_sid"])
        )
    return reply


def appointment_services():
    """Return the appointments package's use cases, or None when it is not installed."""
    try:
        return import_module("qserve.appointments.services")
    except ModuleNotFoundError:
        return None


def _cancel(sender: Sender) -> str:
    from qserve.services.tickets import cancel_ticket_by_customer

    if sender.token is not None:
        try:
            cancel_ticket_by_customer(token=sender.token, now=sender.now, reason="sms")
        except QServeError:
            return reply_text("refused", sender.language, number=sender.number)
        return reply_text("cancelled", sender.language, number=sender.number)
    bookings = appointment_services()
    if sender.booking_code is None or bookings is None:
        return reply_text("no_ticket", sender.language)
    code = booking_code(sender.booking_code)
    try:
        bookings.cancel_appointment(code=sender.booking_code, now=sender.now)
    except QServeError:
        return reply_text("here_refused", sender.language)
    return reply_text("booking_cancelled", sender.language, code=code)


def _late(sender: Sender) -> str:
    from qserve.services.tickets import NobodyBehind, postpone_ticket

    if sender.token is None:
        return reply_text("no_ticket", sender.language)
    try:
        postpone_ticket(token=sender.token, now=sender.now)
    except NobodyBehind:
        return reply_text("last_in_line", sender.language, number=sender.number)
    except QServeError:
        return reply_text("refused", sender.language, number=sender.number)
    return reply_text("postponed", sender.language, number=sender.number)


def _here(sender: Sender) -> str:
    bookings = appointment_services()
    if sender.booking_code is None or bookings is None:
        if sender.token is not None:
            return reply_text("here_desk", sender.language, number=sender.number)
        return reply_text("no_ticket", sender.language)
    try:
        ticket_id = bookings.check_in(code=sender.booking_code, now=sender.now, channel="sms")
    except QServeError:
        return reply_text("here_refused", sender.language)
    with read_session() as session:
        number = session.scalar(select(Ticket.number).where(Ticket.id == ticket_id))
    return reply_text("here", sender.language, number=number)


def _stop(sender: Sender) -> str:
    with transaction() as tx:
        remember_opt_out(tx.session, phone=sender.phone, now=sender.now)
    return reply_text("stopped", sender.language)


def _start(sender: Sender) -> str:
    with transaction() as tx:
        forget_opt_out(tx.session, phone=sender.phone)
    return reply_text("started", sender.language)


def _help(sender: Sender) -> str:
    return reply_text("help", sender.language)


ACTIONS = {"cancel": _cancel, "late": _late, "here": _here, "stop": _stop, "start": _start, "help": _help}
