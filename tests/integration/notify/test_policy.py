"""Which changes write which notifications, in the same transaction, once per dedupe key."""

from __future__ import annotations

import contextlib
import random
import threading
from collections import Counter

import pytest
from sqlalchemy.orm.exc import StaleDataError

from qserve.domain.errors import QServeError
from qserve.notify.usecases import enqueue_timed_messages
from qserve.services.tickets import cancel_ticket_by_customer, postpone_ticket

PHONE = "+358401234{:03d}"


def test_joining_with_a_phone_writes_the_confirmation_with_the_ticket_link(desk):
    location = desk.location()
    ticket_id = desk.join(location, phone="040 123 4001", language="fi")
    ticket = desk.ticket(ticket_id)
    rows = desk.outbox(ticket_id)
    joined = [row for row in rows if row.topic == "joined"]
    assert len(joined) == 1
    assert joined[0].status == "pending"
    assert joined[0].dedupe_key == f"ticket:{ticket_id}:joined"
    assert joined[0].payload["url"] == f"https://queue.example.org/t/{ticket.public_token}"
    assert joined[0].payload["language"] == "fi"
    assert joined[0].payload["fields"]["position"] == 1
    # first in line: the position thresholds are passed already and covered by the confirmation
    assert {row.dedupe_key for row in rows if row.status == "skipped"} >= {
        f"ticket:{ticket_id}:position:{ticket.service_id}:5",
        f"ticket:{ticket_id}:position:{ticket.service_id}:2",
    }


def test_joins_committed_together_are_each_told_their_own_place(desk):
    from qserve.services.joining import JoinRequest, join_queues

    location = desk.location()
    desk.join(location)  # one already waiting
    requests = [
        JoinRequest(
            location_slug=location["slug"],
            service_id=location["service_ids"][0],
            now=desk.clock(),
            phone=PHONE.format(index),
        )
        for index in range(3)
    ]
    views = join_queues(requests)
    for view in views:
        joined = [row for row in desk.outbox(view["id"]) if row.topic == "joined"]
        assert joined[0].payload["fields"]["position"] == view["position"]
    assert [view["position"] for view in views] == [2, 3, 4]


def test_a_ticket_without_contact_writes_nothing(desk):
    location = desk.location()
    ticket_id = desk.join(location)
    desk.call_next(location)
    assert desk.outbox(ticket_id) == []


def test_calls_recalls_and_the_last_call_each_write_one_message_with_the_counter(desk):
    location = desk.location()
    ticket_id = desk.join(location, phone=PHONE.format(1))
    desk.call_next(location, counter_index=1)
    desk.act(ticket_id, "recall")
    desk.act(ticket_id, "recall")
    calls = [row for row in desk.outbox(ticket_id) if row.topic in ("called", "recalled", "no_show_warning")]
    assert [row.topic for row in calls] == ["called", "recalled", "no_show_warning"]
    assert {row.payload["fields"]["counter"] for row in calls} == {"5"}
    assert all(row.payload["urgent"] for row in calls)


def test_position_thresholds_are_announced_once_each_as_the_line_moves(desk):
    location = desk.location()
    tickets = [desk.join(location, phone=PHONE.format(i)) for i in range(8)]
    while desk.call_next(location) is not None:
        pass
    reached = Counter()
    for row in desk.outbox():
        if row.topic == "position_reached" and row.status == "pending":
            reached[(row.ticket_id, row.dedupe_key.rsplit(":", 1)[1])] += 1
    # tickets 1-2 joined within 2, 3-5 within 5: their joined message covered those thresholds
    expected = {(t, "2") for t in tickets[2:]} | {(t, "5") for t in tickets[5:]}
    assert set(reached) == expected
    assert set(reached.values()) == {1}


@pytest.mark.timeout(120)
def test_a_flood_of_position_changes_sends_each_threshold_message_once(
    desk, notify_app, clock, deliver, twilio
):
    location = desk.location(counters=1, max_postpones=1000)
    tickets = [desk.join(location, phone=PHONE.format(i)) for i in range(30)]
    tokens = [desk.ticket(t).public_token for t in tickets]
    deliver()  # the confirmations
    errors, churning = [], threading.Event()

    def in_app(work) -> None:
        with notify_app.app_context():
            try:
                work()
            except Exception as error:  # noqa: BLE001 (any failure fails the test below)
                errors.append(error)

    def customers() -> None:  # "I need more time", again and again, from many phones
        rng = random.Random(1)
        for _ in range(40):
            # StaleDataError: a staff change won the ticket's row at the same moment (postpone_ticket does
            # not map it to Conflict yet); the customer would simply tap again.
            with contextlib.suppress(QServeError, StaleDataError):
                postpone_ticket(token=rng.choice(tokens), now=clock())

    def staff() -> None:  # tickets put on hold and back, and a clerk calling now and then
        rng = random.Random(2)
        for step in range(40):
            ticket_id = rng.choice(tickets)
            with contextlib.suppress(QServeError):
                desk.act(ticket_id, "park")
                desk.act(ticket_id, "resume")
            if step % 5 == 0:
                desk.call_next(location)

    def sender() -> None:  # the scheduler delivers all the while
        while churning.is_set():
            deliver()

    churning.set()
    workers = [threading.Thread(target=in_app, args=(work,)) for work in (customers, staff)]
    delivery = threading.Thread(target=in_app, args=(sender,))
    for thread in [*workers, delivery]:
        thread.start()
    for thread in workers:
        thread.join()
    churning.clear()
    delivery.join()
    deliver()
    assert errors == []
    sent = [row for row in desk.outbox(status="sent") if row.topic == "position_reached"]
    received = [m for m in twilio.messages if "you are now number" in m["body"]]
    assert sent and len(received) == len(sent)
    assert sorted(m["sid"] for m in received) == sorted(row.provider_message_id for row in sent)
    announced = Counter((m["to"], m["body"].split("number ")[1].split(" ")[0]) for m in received)
    assert set(announced.values()) == {1}  # no customer heard the same place twice
    # A call is told at most once (not at all when the clerk put the ticket on hold before it went out): a
    # called ticket put on hold and back is called, and may be told, again.
    calls = _calls_by_phone(tickets)
    told = Counter(m["to"] for m in twilio.messages if "it's your turn" in m["body"])
    assert told and all(told[phone] <= calls[phone] for phone in told)
    others = [(m["to"], m["body"]) for m in twilio.messages if "it's your turn" not in m["body"]]
    assert len(set(others)) == len(others)  # nothing else twice


def _calls_by_phone(ticket_ids: list[int]) -> Counter:
    """Count the calls in the event log of some tickets, by their phone."""
    from sqlalchemy import select

    from qserve.db import read_session
    from qserve.models import Ticket, TicketEvent

    with read_session() as session:
        rows = session.execute(
            select(Ticket.phone)
            .join(TicketEvent, TicketEvent.ticket_id == Ticket.id)
            .where(Ticket.id.in_(ticket_ids), TicketEvent.action == "call")
        )
        return Counter(phone for (phone,) in rows)


def test_nothing_but_the_feedback_link_follows_a_finished_visit(desk):
    location = desk.location()
    ticket_id = desk.join(location, phone=PHONE.format(1))
    desk.call_next(location)
    desk.act(ticket_id, "start")
    desk.act(ticket_id, "finish")
    before = [row.dedupe_key for row in desk.outbox(ticket_id)]
    desk.call_next(location)  # the line moves on; the finished ticket is not in it
    assert [row.dedupe_key for row in desk.outbox(ticket_id)] == before
    feedback = [row for row in desk.outbox(ticket_id) if row.topic == "feedback"]
    assert len(feedback) == 1
    assert feedback[0].payload["url"].endswith("/feedback")


def test_a_location_whose_feedback_form_is_off_sends_no_feedback_message(desk, clock):
    from qserve.db import read_session
    from qserve.insights.feedback import set_feedback_form
    from qserve.insights.texts import DEFAULT_FORM
    from qserve.models import Location

    location, other = desk.location(), desk.location()
    with read_session() as session:
        organization_id = session.get(Location, location["id"]).organization_id
    off = DEFAULT_FORM | {"enabled": False}
    set_feedback_form(organization_id=organization_id, location_id=location["id"], config=off, now=clock())
    for place in (location, other):
        ticket_id = desk.join(place, phone=PHONE.format(1))
        desk.call_next(place)
        desk.act(ticket_id, "start")
        desk.act(ticket_id, "finish")
        asked = "feedback" in desk.topics(ticket_id)
        assert asked is (place is other)


def test_staff_cancelling_tells_the_customer_and_a_customer_cancelling_does_not(desk, clock):
    location = desk.location()
    by_staff = desk.join(location, phone=PHONE.format(1))
    by_customer = desk.join(location, phone=PHONE.format(2))
    desk.act(by_staff, "cancel", reason="duplicate ticket")
    cancel_ticket_by_customer(token=desk.ticket(by_customer).public_token, now=clock())
    assert "cancelled_by_staff" in desk.topics(by_staff)
    assert "cancelled_by_staff" not in desk.topics(by_customer)


def test_a_transfer_by_staff_tells_the_new_service_and_place(desk):
    location = desk.location(services=2)
    desk.join(location, service_index=1)
    ticket_id = desk.join(location, phone=PHONE.format(1), language="sv")
    desk.act(ticket_id, "transfer", service_id=location["service_ids"][1], keep_place=False)
    moved = [row for row in desk.outbox(ticket_id) if row.topic == "moved_by_staff"]
    assert len(moved) == 1
    assert desk.topics(ticket_id) == ["joined", "moved_by_staff"]  # not also "you are number 2"
    assert moved[0].payload["fields"].items() >= {"service": "Loans 1", "position": 2}.items()


def test_time_left_is_announced_when_the_estimate_runs_down(desk, clock):
    location = desk.location(notifications={"position_thresholds": []})
    desk.join(location)
    desk.join(location)
    ticket_id = desk.join(location, email="maija@example.fi")  # 2 ahead x 300 s: about 750 s
    assert desk.topics(ticket_id) == ["joined"]
    enqueue_timed_messages(now=clock())
    assert desk.topics(ticket_id) == ["joined"]
    clock.advance(seconds=200)
    enqueue_timed_messages(now=clock())
    enqueue_timed_messages(now=clock.advance(seconds=30))
    assert desk.topics(ticket_id) == ["joined", "time_left"]


def test_a_location_can_keep_sms_for_calls_only_or_turn_it_off(desk):
    location = desk.location(notifications={"sms_kinds": ["called"]})
    ticket_id = desk.join(location, phone=PHONE.format(1))
    desk.call_next(location)
    assert desk.topics(ticket_id) == ["called"]  # the confirmation could only go by SMS: not written
    quiet = desk.location(notifications={"sms": False})
    quiet_id = desk.join(quiet, phone=PHONE.format(2))
    desk.call_next(quiet)
    assert desk.outbox(quiet_id) == []


def test_a_ticket_reachable_only_by_push_in_a_line_of_walk_ins_still_hears_its_place(desk):
    from qserve.db import transaction
    from qserve.models.notify import PushSubscription

    location = desk.location()
    walk_ins = [desk.join(location) for _ in range(6)]
    subscribed = desk.join(location)
    with transaction() as tx:
        tx.session.add(
            PushSubscription(
                ticket_id=subscribed,
                endpoint="https://push.example.org/x",
                p256dh="p",
                auth="a",
                created_at=desk.clock(),
            )
        )
    for _ in walk_ins[:2]:
        desk.call_next(location)
    reached = [(row.ticket_id, row.dedupe_key) for row in desk.outbox() if row.topic == "position_reached"]
    service_id = location["service_ids"][0]
    assert reached == [(subscribed, f"ticket:{subscribed}:position:{service_id}:5")]  # seventh, now fifth
