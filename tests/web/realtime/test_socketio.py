"""Realtime: a watched ticket gets ticket_updated on every change and ticket_called when it is called."""

from datetime import UTC, datetime

from qserve.extensions import socketio
from qserve.services.calling import act_on_ticket, call_next
from tests.web.conftest import own_database

database_url = own_database()


def received(client, name):
    return [message["args"][0] for message in client.get_received("/ticket") if message["name"] == name]


def test_watching_a_ticket_gives_its_state_at_once_and_every_change(app, make):
    location = make.location()
    staff = make.user(organization_id=location["organization_id"], location_ids=[location["id"]])["actor"]
    now = datetime.now(UTC)
    ahead = make.ticket(location=location, now=now)
    mine = make.ticket(location=location, now=now)
    from qserve.db import read_session
    from qserve.models import Ticket

    with read_session() as session:
        token = session.get(Ticket, mine).public_token
    client = socketio.test_client(app, namespace="/ticket")
    assert client.emit("watch", {"token": token}, namespace="/ticket", callback=True) == {"ok": True}
    assert [u["position"] for u in received(client, "ticket_updated")] == [2]

    call_next(counter_id=location["counter_ids"][0], actor=staff, now=now)
    updates = received(client, "ticket_updated")
    assert updates[-1]["position"] == 1
    assert received(client, "ticket_called") == []

    act_on_ticket(ticket_id=ahead, action="finish", actor=staff, now=now)
    call_next(counter_id=location["counter_ids"][1], actor=staff, now=now)
    messages = client.get_received("/ticket")
    called = [m["args"][0] for m in messages if m["name"] == "ticket_called"]
    statuses = [m["args"][0]["status"] for m in messages if m["name"] == "ticket_updated"]
    assert called == [{"number": "A002", "counter": "2"}]
    assert statuses[-1] == "called"
    client.disconnect(namespace="/ticket")


def test_watching_an_unknown_ticket_answers_an_error(app):
    client = socketio.test_client(app, namespace="/ticket")
    answer = client.emit("watch", {"token": "tnope"}, namespace="/ticket", callback=True)
    assert answer["error"]["code"] == "not_found"
    assert (
        client.emit("watch", "garbage", namespace="/ticket", callback=True)["error"]["code"] == "bad_request"
    )


def test_the_display_hears_calls_with_a_spoken_number(app, make):
    location = make.location()
    staff = make.user(organization_id=location["organization_id"], location_ids=[location["id"]])["actor"]
    make.ticket(location=location, now=datetime.now(UTC))
    display = socketio.test_client(app, namespace="/display")
    assert display.emit("watch", {"location": location["slug"]}, namespace="/display", callback=True)["ok"]
    call_next(counter_id=location["counter_ids"][1], actor=staff, now=datetime.now(UTC))
    messages = {m["name"]: m["args"][0] for m in display.get_received("/display")}
    assert messages["ticket_called"]["number"] == "A001"
    assert messages["ticket_called"]["spoken"] == "A 1"
    assert messages["ticket_called"]["counter"] == "2"
    assert messages["queue_updated"]["services"][0]["waiting"] == 0


def test_staff_sockets_need_a_signed_in_session(app):
    client = socketio.test_client(app, namespace="/staff")
    assert not client.is_connected("/staff")


def test_an_undone_call_leaves_the_display_at_once(app, make):
    location = make.location()
    staff = make.user(organization_id=location["organization_id"], location_ids=[location["id"]])["actor"]
    ticket_id = make.ticket(location=location, now=datetime.now(UTC))
    display = socketio.test_client(app, namespace="/display")
    display.emit("watch", {"location": location["slug"]}, namespace="/display", callback=True)
    call_next(counter_id=location["counter_ids"][0], actor=staff, now=datetime.now(UTC))
    display.get_received("/display")
    act_on_ticket(ticket_id=ticket_id, action="requeue", actor=staff, now=datetime.now(UTC))
    withdrawn = [m["args"][0] for m in display.get_received("/display") if m["name"] == "call_withdrawn"]
    assert withdrawn == [{"ticket_id": ticket_id, "number": "A001"}]


def test_a_changed_message_line_or_closed_service_reaches_the_display_with_the_counts(app, make):
    from sqlalchemy import update

    from qserve.db import transaction
    from qserve.models import Location, Service

    location = make.location()
    display = socketio.test_client(app, namespace="/display")
    display.emit("watch", {"location": location["slug"]}, namespace="/display", callback=True)
    display.get_received("/display")
    with transaction() as tx:
        message = "Closing at 15 today"
        here = location["id"]
        tx.session.execute(update(Location).where(Location.id == here).values(display_message=message))
        first = location["service_ids"][0]
        tx.session.execute(update(Service).where(Service.id == first).values(is_open=False))
    publisher = app.extensions["qserve.publisher"]
    publisher.mark(location["id"])
    publisher.flush()
    (summary,) = [m["args"][0] for m in display.get_received("/display") if m["name"] == "queue_updated"]
    assert summary["message"] == "Closing at 15 today"
    assert summary["services"][0]["is_open"] is False


def test_a_plain_join_sends_the_new_counts_and_leaves_the_others_places_alone(app, make, monkeypatch):
    from qserve.services import refresh

    location = make.location()
    now = datetime.now(UTC)
    make.ticket(location=location, now=now)
    display = socketio.test_client(app, namespace="/display")
    display.emit("watch", {"location": location["slug"]}, namespace="/display", callback=True)
    recomputed = []
    full_refresh = refresh.refresh_location
    monkeypatch.setattr(refresh, "refresh_location", lambda **kw: recomputed.append(kw) or full_refresh(**kw))
    display.get_received("/display")

    make.ticket(location=location, now=now)  # a newcomer at the back: only the counts changed
    summaries = [m["args"][0] for m in display.get_received("/display") if m["name"] == "queue_updated"]
    assert summaries[-1]["services"][0]["waiting"] == 2
    assert recomputed == []

    make.ticket(location=location, now=now, priority=1)  # goes ahead of the others: their places moved
    summaries = [m["args"][0] for m in display.get_received("/display") if m["name"] == "queue_updated"]
    assert summaries[-1]["services"][0]["waiting"] == 3
    assert len(recomputed) == 1
    display.disconnect(namespace="/display")


def test_a_booking_made_for_a_slot_soon_moves_the_wait_of_the_walk_ins_it_goes_ahead_of(app, make):
    """In hybrid mode a booked customer is called at their slot, ahead of the walk-ins: the moment a booking
    is made, the walk-ins' pages hear their longer wait."""
    from zoneinfo import ZoneInfo

    from qserve.appointments.services import book_appointment, list_slots
    from qserve.db import read_session, transaction
    from qserve.models import Location, Ticket
    from qserve.services.counters import open_counter
    from tests.integration.appointments.helpers import make_bookable

    location = make_bookable(make, mode="hybrid", settings={"appointments": {"hybrid_share": 1.0}})
    with transaction() as tx:  # open round the clock: a slot starts within minutes whenever the test runs
        place = tx.session.get(Location, location["id"])
        place.opening_hours = {day: [["00:00", "24:00"]] for day in place.opening_hours}
    staff = make.user(organization_id=location["organization_id"], location_ids=[location["id"]])["actor"]
    now = datetime.now(UTC)
    open_counter(counter_id=location["counter_ids"][0], actor=staff, now=now)
    for _ in range(3):
        make.ticket(location=location, now=now)
    mine = make.ticket(location=location, now=now)
    with read_session() as session:
        token = session.get(Ticket, mine).public_token
    client = socketio.test_client(app, namespace="/ticket")
    client.emit("watch", {"token": token}, namespace="/ticket", callback=True)
    before = received(client, "ticket_updated")[-1]["estimated_wait"]["p50_s"]

    service_id = location["service_ids"][0]
    day = now.astimezone(ZoneInfo("Europe/Helsinki")).date()  # the factory's locations
    slot = list_slots(location_slug=location["slug"], service_id=service_id, day=day, now=now)[0]
    book_appointment(
        location_slug=location["slug"],
        service_id=service_id,
        starts_at=datetime.fromisoformat(slot["starts_at"]),
        now=now,
        name="Booked",
    )
    app.extensions["qserve.publisher"].flush()
    after = received(client, "ticket_updated")[-1]["estimated_wait"]["p50_s"]
    assert after > before + 120
    client.disconnect(namespace="/ticket")
