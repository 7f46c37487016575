"""The end of a location's day: an hour after it closes, the tickets still in line are cancelled by the
system, their customers are told and their pages say why; tickets being served or taken after closing stay."""

from __future__ import annotations

from sqlalchemy import select

from qserve.db import read_session
from qserve.domain.actors import Actor
from qserve.models import TicketEvent
from qserve.services.closing import DAY_CLOSED, close_ended_days

PHONE = "+358401234{:03d}"
OPEN_MONDAY = {"mon": [["08:00", "18:00"]]}  # Helsinki; the clock starts on Monday at 11:00 there


def test_an_hour_after_closing_the_tickets_left_in_line_are_cancelled_and_told(desk, clock, notify_app):
    location = desk.location(opening_hours=OPEN_MONDAY)
    serving = desk.join(location, phone=PHONE.format(1))
    desk.call_next(location, 0)
    desk.act(serving, "start")
    parked = desk.join(location, phone=PHONE.format(2))
    desk.call_next(location, 1)
    desk.act(parked, "park")
    called = desk.join(location, phone=PHONE.format(3))
    desk.call_next(location, 1)
    waiting = desk.join(location, phone=PHONE.format(4), language="fi")

    clock.advance(hours=7, minutes=30)  # 18:30: closed, but staff may still serve whoever is left
    assert close_ended_days(clock()) == 0
    clock.advance(minutes=15)
    # Staff let someone in for the next opening (a customer's own join is refused while closed).
    after_hours = desk.join(location, phone=PHONE.format(5), channel="staff", actor=Actor(kind="staff"))
    clock.advance(minutes=16)  # 19:01
    assert close_ended_days(clock()) == 3
    assert close_ended_days(clock()) == 0

    status = {ticket_id: desk.ticket(ticket_id).status for ticket_id in (serving, after_hours)}
    assert status == {serving: "serving", after_hours: "waiting"}
    for ticket_id in (parked, called, waiting):
        ticket = desk.ticket(ticket_id)
        closed = (ticket.status, ticket.cancelled_by, ticket.cancel_reason)
        assert closed == ("cancelled", "system", DAY_CLOSED)
        assert "closed_for_the_day" in desk.topics(ticket_id)
        assert "cancelled_by_staff" not in desk.topics(ticket_id)
    with read_session() as session:
        last = session.scalars(
            select(TicketEvent).where(TicketEvent.ticket_id == waiting).order_by(TicketEvent.id.desc())
        ).first()
    assert (last.action, last.actor_kind, last.details) == ("cancel", "system", {"reason": DAY_CLOSED})

    token = desk.ticket(waiting).public_token
    client = notify_app.test_client()
    view = client.get(f"/api/v1/tickets/{token}").get_json()
    assert (view["status"], view["cancel_code"]) == ("cancelled", DAY_CLOSED)
    page = client.get(f"/t/{token}?lang=fi").get_data(as_text=True)
    assert "Suljimme tältä päivältä ennen kuin vuorosi tuli." in page


def test_a_lunch_break_does_not_end_the_day(desk, clock):
    location = desk.location(opening_hours={"mon": [["08:00", "11:30"], ["13:30", "18:00"]]})
    waiting = desk.join(location)
    clock.advance(hours=2)  # 13:00, an hour and a half into the break
    assert close_ended_days(clock()) == 0
    assert desk.ticket(waiting).status == "waiting"
