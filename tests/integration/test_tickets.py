"""Joining a queue: numbers, validation, caps, one ticket per phone, idempotency, more time, cancelling."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from qserve.db import read_session, transaction
from qserve.domain.errors import Conflict, NotFound, ServiceClosed, ServiceFull, ValidationFailed
from qserve.models import Service, Ticket, TicketEvent
from qserve.services.tickets import NobodyBehind, cancel_ticket_by_customer, postpone_ticket


def load(ticket_id):
    with read_session() as session:
        return session.get(Ticket, ticket_id)


def test_numbers_count_up_per_service_and_start_again_each_local_day(make, clock):
    location = make.location()
    first = [load(make.ticket(location=location, now=clock())).number for _ in range(3)]
    other = load(make.ticket(location=location, service_index=1, now=clock())).number
    clock.advance(hours=14)  # 23:00 UTC is the next day in Helsinki
    next_day = load(make.ticket(location=location, now=clock())).number
    assert first == ["A001", "A002", "A003"]
    assert other == "B001"
    assert next_day == "A001"


def test_a_ticket_keeps_contact_in_e164_its_answers_and_an_estimate(make, clock):
    location = make.location()
    ticket = load(
        make.ticket(
            location=location,
            now=clock(),
            name="Maija",
            phone="040 123 4567",
            email="maija@example.fi",
            language="fi",
        )
    )
    assert (ticket.phone, ticket.email, ticket.language, ticket.status) == (
        "+358401234567",
        "maija@example.fi",
        "fi",
        "waiting",
    )
    assert ticket.joined_estimate_p50_s is not None
    assert ticket.joined_estimate_p10_s <= ticket.joined_estimate_p50_s <= ticket.joined_estimate_p90_s
    assert len(ticket.public_token) >= 20


def test_bad_input_names_the_field(make, clock):
    location = make.location()
    with pytest.raises(ValidationFailed) as error:
        make.ticket(location=location, now=clock(), phone="12")
    assert error.value.field == "phone"
    with pytest.raises(ValidationFailed):
        make.ticket(location=location, now=clock(), channel="pigeon")
    with pytest.raises(NotFound):
        make.ticket(location=location, now=clock(), service_id=999999)


def test_a_closed_service_and_a_full_service_refuse_new_tickets(make, clock):
    location = make.location()
    with transaction() as tx:
        tx.session.get(Service, location["service_ids"][0]).is_open = False
        tx.session.get(Service, location["service_ids"][1]).daily_cap = 1
    with pytest.raises(ServiceClosed):
        make.ticket(location=location, now=clock())
    make.ticket(location=location, service_index=1, now=clock())
    with pytest.raises(ServiceFull):
        make.ticket(location=location, service_index=1, now=clock())


def test_one_phone_holds_one_open_ticket_per_location(make, clock):
    location = make.location()
    make.ticket(location=location, now=clock(), phone="+358401234567")
    with pytest.raises(Conflict):
        make.ticket(location=location, service_index=1, now=clock(), phone="040 123 4567")


def test_the_same_idempotency_key_returns_the_same_ticket(make, clock):
    location = make.location()
    first = make.ticket(location=location, now=clock(), idempotency_key="tap-1")
    second = make.ticket(location=location, now=clock(), idempotency_key="tap-1")
    assert first == second
    with read_session() as session:
        assert len(session.scalars(select(Ticket)).all()) == 1


def test_more_time_moves_the_ticket_back_a_bounded_number_of_times(make, clock):
    location = make.location()
    ids = [make.ticket(location=location, now=clock.advance(seconds=10)) for _ in range(6)]
    token = load(ids[0]).public_token
    postpone_ticket(token=token, now=clock())
    with read_session() as session:
        order = session.scalars(select(Ticket.id).order_by(Ticket.queued_at, Ticket.id)).all()
    assert order == [ids[1], ids[2], ids[3], ids[0], ids[4], ids[5]]
    postpone_ticket(token=token, now=clock())
    with pytest.raises(Conflict):
        postpone_ticket(token=token, now=clock())


def test_the_last_in_line_is_told_nobody_is_behind_and_keeps_every_request_for_more_time(make, clock):
    location = make.location()
    first = make.ticket(location=location, now=clock())
    token = load(first).public_token
    with pytest.raises(NobodyBehind) as refused:
        postpone_ticket(token=token, now=clock())
    assert refused.value.code == "nobody_behind" and refused.value.http_status == 409
    assert load(first).postpone_count == 0
    second = make.ticket(location=location, now=clock())  # joins in the very same instant, after it
    postpone_ticket(token=token, now=clock())
    with read_session() as session:
        order = session.scalars(select(Ticket.id).order_by(Ticket.queued_at, Ticket.id)).all()
    assert order == [second, first] and load(first).postpone_count == 1
    with pytest.raises(NobodyBehind):  # last again: the second request is still there for later
        postpone_ticket(token=token, now=clock())
    assert load(first).postpone_count == 1


def test_a_customer_cancels_and_the_log_says_who(make, clock):
    location = make.location()
    ticket_id = make.ticket(location=location, now=clock())
    cancel_ticket_by_customer(token=load(ticket_id).public_token, now=clock.advance(minutes=1))
    ticket = load(ticket_id)
    assert (ticket.status, ticket.cancelled_by) == ("cancelled", "customer")
    assert ticket.closed_at == clock() and ticket.closed_at - ticket.joined_at == timedelta(minutes=1)
    with read_session() as session:
        log = session.scalars(
            select(TicketEvent).where(TicketEvent.ticket_id == ticket_id).order_by(TicketEvent.id)
        ).all()
    assert [(e.action, e.from_status, e.to_status, e.actor_kind) for e in log] == [
        ("issue", None, "waiting", "customer"),
        ("cancel", "waiting", "cancelled", "customer"),
    ]


def set_mode(location, mode, *, service_mode=None, settings=None):
    with transaction() as tx:
        from qserve.models import Location

        place = tx.session.get(Location, location["id"])
        place.mode = mode
        if settings is not None:
            place.settings = settings
        if service_mode is not None:
            tx.session.get(Service, location["service_ids"][0]).mode = service_mode


@pytest.mark.parametrize("channel", ["remote", "kiosk"])
def test_walk_ins_are_sent_to_book_where_only_appointments_are_taken(make, clock, channel):
    from qserve.services.tickets import AppointmentsOnly

    location = make.location()
    set_mode(location, "appointments")
    with pytest.raises(AppointmentsOnly) as refused:
        make.ticket(location=location, now=clock(), channel=channel)
    assert refused.value.code == "appointments_only" and refused.value.http_status == 409
    assert isinstance(refused.value, ServiceClosed)  # front ends that know only "closed" still refuse


def test_signed_in_staff_may_still_let_a_walk_in_in_where_only_appointments_are_taken(make, clock):
    from qserve.services.tickets import AppointmentsOnly

    location = make.location()
    set_mode(location, "appointments")
    staff = make.user(organization_id=location["organization_id"], location_ids=[location["id"]])["actor"]
    let_in = make.ticket(location=location, now=clock(), channel="staff", actor=staff)
    assert load(let_in).status == "waiting"
    for claimed in ("staff", "appointment"):  # what anyone may write in a request does not open the door
        with pytest.raises(AppointmentsOnly):
            make.ticket(location=location, now=clock(), channel=claimed)


def test_hybrid_takes_walk_ins_and_one_service_can_be_by_appointment_only(make, clock):
    from qserve.services.tickets import AppointmentsOnly

    location = make.location()
    set_mode(location, "hybrid")
    assert load(make.ticket(location=location, now=clock())).status == "waiting"
    set_mode(location, "queue", service_mode="appointments")
    with pytest.raises(AppointmentsOnly):
        make.ticket(location=location, now=clock())
    assert load(make.ticket(location=location, service_index=1, now=clock())).status == "waiting"


def test_switching_to_appointments_honours_the_tickets_already_issued(make, clock):
    location = make.location()
    issued = [make.ticket(location=location, now=clock(), service_index=i % 2) for i in range(3)]
    set_mode(location, "appointments")
    assert [load(ticket_id).status for ticket_id in issued] == ["waiting"] * 3


def test_a_walk_in_is_told_when_the_site_holds_as_many_people_as_it_may(make, clock):
    from qserve.services.tickets import SiteFull

    location = make.location()
    set_mode(location, "hybrid", settings={"appointments": {"on_site_cap": 2}})
    first = make.ticket(location=location, now=clock())
    make.ticket(location=location, service_index=1, now=clock())
    with pytest.raises(SiteFull) as refused:
        make.ticket(location=location, now=clock())
    assert refused.value.code == "site_full" and isinstance(refused.value, ServiceFull)
    cancel_ticket_by_customer(token=load(first).public_token, now=clock())
    assert load(make.ticket(location=location, now=clock())).status == "waiting"
