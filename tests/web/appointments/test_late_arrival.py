"""A booking checked in after its grace period waits in order of arrival, and its ticket says so: the phone's
live ticket page, the kiosk's screen and the ticket it prints."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from qserve.appointments.services import book_appointment, check_in, list_slots
from qserve.db import read_session, transaction, utcnow
from qserve.formats import Figures
from qserve.models import Appointment, Ticket
from qserve.printing.preview import decode_text
from qserve.printing.simulator import PrinterSimulator
from tests.integration.appointments.helpers import MONDAY_MORNING, make_bookable
from tests.integration.kiosk.kiosk_helpers import make_kiosk

LATE = {
    "en": "You arrived after your booked time ({time}), so you are now served in order of arrival.",
    "fi": "Saavuit varatun aikasi (klo {time}) jälkeen, joten sinut palvellaan nyt saapumisjärjestyksessä.",
    "sv": "Du kom efter din bokade tid (kl. {time}) och betjänas därför nu i ankomstordning.",
    "pl": "Przybycie zgłoszono po zarezerwowanej godzinie ({time}), więc obsługa odbywa się teraz "
    "w kolejności przybycia.",
}
ON_TIME = {
    "en": "Your appointment: {time}",
    "fi": "Varattu aikasi: klo {time}",
    "sv": "Din bokade tid: kl. {time}",
    "pl": "Twoja rezerwacja: {time}",
}


@pytest.fixture
def printer():
    """Run a simulated ESC/POS printer on a free loopback port."""
    with PrinterSimulator("127.0.0.1", 0) as simulator:
        yield simulator


def first_slot(location) -> datetime:
    [slot, *_] = list_slots(
        location_slug=location["slug"],
        service_id=location["service_ids"][0],
        day=MONDAY_MORNING.date(),
        now=MONDAY_MORNING,
    )
    return datetime.fromisoformat(slot["starts_at"])


def local_clock(moment: datetime, language: str) -> str:
    """The booked time as every page and print writes a clock in that language ('9.05' in Finnish)."""
    return Figures(language).clock(moment.astimezone(ZoneInfo("Europe/Helsinki")))


def book(location, slot, language: str) -> str:
    return book_appointment(
        location_slug=location["slug"],
        service_id=location["service_ids"][0],
        starts_at=slot,
        now=MONDAY_MORNING,
        name="Aino",
        language=language,
    )["code"]


def token_of(ticket_id: int) -> str:
    with read_session() as session:
        return session.get(Ticket, ticket_id).public_token


@pytest.mark.parametrize("language", ["en", "fi", "sv", "pl"])
def test_the_live_ticket_of_a_booking_checked_in_after_its_grace_says_it_now_waits_in_order_of_arrival(
    app, make, language
):
    location = make_bookable(make, counters=2, settings={"appointments": {"grace_s": 600}})
    slot = first_slot(location)
    late = check_in(code=book(location, slot, language), now=slot + timedelta(minutes=20), channel="phone")
    on_time = check_in(code=book(location, slot, language), now=slot + timedelta(minutes=5))
    client = app.test_client()

    late_page = client.get(f"/t/{token_of(late)}").get_data(as_text=True)
    on_time_page = client.get(f"/t/{token_of(on_time)}").get_data(as_text=True)

    said = LATE[language].format(time=local_clock(slot, language))
    assert said in late_page and ON_TIME[language].format(time=local_clock(slot, language)) not in late_page
    assert ON_TIME[language].format(time=local_clock(slot, language)) in on_time_page
    assert 'id="late-arrival"' not in on_time_page


def test_a_walk_in_ticket_says_nothing_of_a_booking(app, make):
    location = make_bookable(make, mode="hybrid", settings={"appointments": {"hybrid_share": 0.5}})
    walk_in = make.ticket(location=location, now=MONDAY_MORNING, channel="appointment")  # no booking named

    page = app.test_client().get(f"/t/{token_of(walk_in)}").get_data(as_text=True)

    assert 'id="late-arrival"' not in page and 'id="appointment"' not in page


def test_a_late_check_in_at_the_kiosk_shows_and_prints_that_it_is_served_in_order_of_arrival(
    app, make, printer
):
    location = make_bookable(make, counters=2, settings={"appointments": {"grace_s": 600, "early_s": 86400}})
    make_kiosk(location, printer=printer.config)
    slot = first_slot(location)
    code = book(location, slot, "fi")
    now = utcnow()
    with transaction() as tx:  # the booking's time was twenty minutes ago (a booking is made ahead)
        appointment = tx.session.query(Appointment).filter_by(code=code.replace("-", "")).one()
        appointment.starts_at = now.replace(microsecond=0) - timedelta(minutes=20)
        starts_at = appointment.starts_at

    response = app.test_client().post(
        f"/kiosk/api/{location['slug']}/entrance/check-in", json={"code": code, "language": "fi"}
    )

    said = LATE["fi"].format(time=local_clock(starts_at, "fi"))
    assert response.status_code == 201 and response.get_json()["appointment_text"] == said
    [printed] = printer.wait_for_jobs(1)
    assert said in " ".join(decode_text(printed.data))  # wrapped across lines at spaces


def statements_run(session, action) -> int:
    """Count the SQL statements a call sends through a session's connection."""
    from sqlalchemy import event

    engine, sent = session.get_bind(), []
    listener = lambda *arguments: sent.append(arguments[2])  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        action()
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    return len(sent)


def test_the_public_ticket_view_gives_a_late_check_in_its_lost_booked_time_and_costs_walk_ins_nothing(
    app, make
):
    """GET /api/v1/tickets/{token} said nothing of it, while the phone page, the kiosk and the print did."""
    from qserve.services.views import public_ticket

    settings = {"appointments": {"grace_s": 600, "hybrid_share": 1}}  # hybrid: walk-ins join too
    location = make_bookable(make, mode="hybrid", counters=2, settings=settings)
    slot = first_slot(location)
    late = check_in(code=book(location, slot, "en"), now=slot + timedelta(minutes=20), channel="phone")
    on_time = check_in(code=book(location, slot, "en"), now=slot + timedelta(minutes=5))
    walk_in = make.ticket(location=location, now=MONDAY_MORNING)
    client = app.test_client()

    views = {
        ticket: client.get(f"/api/v1/tickets/{token_of(ticket)}").get_json() for ticket in (late, on_time)
    }
    views[walk_in] = client.get(f"/api/v1/tickets/{token_of(walk_in)}").get_json()

    assert datetime.fromisoformat(views[late]["late_booking_at"]) == slot
    assert views[late]["appointment_at"] is None
    assert views[on_time]["late_booking_at"] is None and views[walk_in]["late_booking_at"] is None
    described = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]["Ticket"]
    assert "late_booking_at" in described["properties"]
    with read_session() as session:  # the join path's view of a walk-in or a kept slot reads nothing more
        for ticket_id in (walk_in, on_time):
            ticket = session.get(Ticket, ticket_id)
            assert statements_run(session, lambda: public_ticket(ticket, None, now=utcnow())) == 0  # noqa: B023
