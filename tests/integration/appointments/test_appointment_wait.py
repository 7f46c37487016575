"""What a checked-in appointment's ticket says before its slot: it is called once its slot starts, ahead of
walk-ins, so its place and wait are those it will have then, on the page, in the API and after a refresh."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from qserve.appointments.services import check_in, list_slots
from qserve.db import read_session
from qserve.kiosk.checkin import check_in_at_kiosk
from qserve.kiosk.tickets import printable_ticket, screen_ticket
from qserve.models import Ticket
from qserve.services.calling import call_next
from qserve.services.refresh import QueueingEstimator, refresh_location
from qserve.services.staffview import location_queue, ticket_for_staff
from qserve.services.views import ticket_with_place
from tests.integration.appointments.helpers import MONDAY_MORNING, booked, make_bookable
from tests.integration.kiosk.kiosk_helpers import make_kiosk

DURATION_S = 300  # the factory's services


@pytest.fixture(params=["learned", "queueing"])
def estimator(request, app, monkeypatch):
    """Run each test with the app's learned estimator and with the plain queueing one (and no refresh after
    each commit, which reads the wall clock, not the test's)."""
    monkeypatch.setattr(app.extensions["qserve.publisher"], "flush", lambda: None)
    if request.param == "queueing":
        app.extensions["qserve.estimator"] = QueueingEstimator()
    return request.param


def hybrid(make):
    return make_bookable(make, mode="hybrid", settings={"appointments": {"hybrid_share": 1.0}})


def slot_at(location, index: int) -> datetime:
    slots = list_slots(
        location_slug=location["slug"],
        service_id=location["service_ids"][0],
        day=MONDAY_MORNING.date(),
        now=MONDAY_MORNING,
    )
    return datetime.fromisoformat(slots[index]["starts_at"])


def checked_in(location, slot: datetime, *, now: datetime) -> int:
    return check_in(code=booked(location, slot), now=now, channel="phone")


def view_of(ticket_id: int, *, now: datetime) -> dict:
    with read_session() as session:
        return ticket_with_place(session, session.get(Ticket, ticket_id), now=now)


def refreshed_view_of(location, ticket_id: int, *, now: datetime) -> dict:
    with read_session() as session:
        token = session.get(Ticket, ticket_id).public_token
    views = refresh_location(location_id=location["id"], now=now, tokens={token})["tickets"]
    return next(view for view in views if view["token"] == token)


def called_at_about(view: dict) -> datetime:
    return datetime.fromisoformat(view["expected_call_at"])


def test_an_appointment_checked_in_before_its_slot_is_next_and_waits_until_about_its_slot(make, estimator):
    location = hybrid(make)
    for minute in (1, 2):
        make.ticket(location=location, now=MONDAY_MORNING + timedelta(minutes=minute))
    slot = slot_at(location, 3)  # 09:20 local
    now = slot - timedelta(minutes=15)
    ticket_id = checked_in(location, slot, now=now)

    for view in (view_of(ticket_id, now=now), refreshed_view_of(location, ticket_id, now=now)):
        assert (view["position"], view["people_ahead"], view["ahead_appointments"]) == (1, 0, 0)
        assert slot <= called_at_about(view) <= slot + timedelta(seconds=DURATION_S)
        wait = view["estimated_wait"]
        assert 15 * 60 <= wait["p10_s"] <= wait["p50_s"] <= wait["p90_s"] <= 15 * 60 + 3 * DURATION_S


def test_an_appointment_waits_only_behind_appointments_with_earlier_slots(make, estimator):
    location = hybrid(make)
    make.ticket(location=location, now=MONDAY_MORNING + timedelta(minutes=1))
    early, late = slot_at(location, 2), slot_at(location, 3)
    now = early - timedelta(minutes=8)
    first = checked_in(location, early, now=now)
    second = checked_in(location, late, now=now)
    make.ticket(location=location, now=now + timedelta(minutes=1))  # a walk-in who comes later

    now += timedelta(minutes=2)
    for ticket_id, ahead in ((first, 0), (second, 1)):
        view = refreshed_view_of(location, ticket_id, now=now)
        assert (view["people_ahead"], view["ahead_appointments"]) == (ahead, ahead)
    assert (
        late <= called_at_about(refreshed_view_of(location, second, now=now)) <= late + timedelta(minutes=5)
    )


def test_once_due_the_appointment_stays_next_and_is_called_first(make, estimator):
    location = hybrid(make)
    staff = make.user(organization_id=location["organization_id"], location_ids=[location["id"]])
    for minute in (1, 2):
        make.ticket(location=location, now=MONDAY_MORNING + timedelta(minutes=minute))
    slot = slot_at(location, 3)
    ticket_id = checked_in(location, slot, now=slot - timedelta(minutes=10))
    make.ticket(location=location, now=slot - timedelta(minutes=5))  # joined later: never ahead of it

    for now in (slot - timedelta(minutes=1), slot + timedelta(seconds=5)):
        assert refreshed_view_of(location, ticket_id, now=now)["people_ahead"] == 0
    assert call_next(counter_id=location["counter_ids"][0], actor=staff["actor"], now=slot) == ticket_id


def test_the_kiosk_screen_and_its_printed_ticket_say_the_bookings_time(make, estimator):
    location = hybrid(make)
    slot = slot_at(location, 3)  # 09:20 in Helsinki
    code = booked(location, slot)
    now = slot - timedelta(minutes=10)
    kiosk_id = make_kiosk(location)
    ticket_id = check_in_at_kiosk(
        location_slug=location["slug"], kiosk_id=kiosk_id, code=code, language="fi", now=now
    )
    walk_in = make.ticket(location=location, now=now)
    with read_session() as session:
        by_booking, walked = session.get(Ticket, ticket_id), session.get(Ticket, walk_in)
        assert screen_ticket(session, by_booking, now=now)["appointment_text"] == "Varattu aikasi: klo 9.20"
        assert printable_ticket(session, by_booking, now=now).appointment_at.strftime("%H:%M") == "09:20"
        assert screen_ticket(session, walked, now=now)["appointment_text"] is None


def test_staff_see_an_appointment_before_its_slot_in_call_order_in_the_list_and_alone(make, estimator):
    location = hybrid(make)
    staff = make.user(organization_id=location["organization_id"], location_ids=[location["id"]])["actor"]
    for minute in (1, 2):
        make.ticket(location=location, now=MONDAY_MORNING + timedelta(minutes=minute))
    slot = slot_at(location, 3)
    now = slot - timedelta(minutes=15)
    ticket_id = checked_in(location, slot, now=now)
    with read_session() as session:
        listed = location_queue(session, slug=location["slug"], actor=staff, now=now)["services"][0][
            "waiting"
        ]
        alone = ticket_for_staff(session, ticket_id=ticket_id, actor=staff, now=now)
    assert [row["id"] for row in listed][-1] == ticket_id  # the walk-ins are called before its slot
    assert alone["position"] == listed[-1]["position"] == 3
    assert view_of(ticket_id, now=now)["position"] == 1  # its customer is told where it stands at its slot


def test_a_checked_in_appointment_is_not_offered_more_time_it_could_not_have(make):
    """Asking for "more time" moves a ticket back among the walk-ins, but an appointment is called at its
    slot, ahead of them: the button would change nothing, so it is not offered and the request is refused."""
    from qserve.domain.errors import Conflict
    from qserve.services.tickets import postpone_ticket

    location = hybrid(make)
    slot = slot_at(location, 3)
    now = slot - timedelta(minutes=10)
    ticket_id = checked_in(location, slot, now=now)
    view = view_of(ticket_id, now=now)
    assert view["can_postpone"] is False
    with pytest.raises(Conflict, match="booked time"):
        postpone_ticket(token=view["token"], now=now)
    walk_in = make.ticket(location=location, now=now)  # at the test's moment, inside the opening hours
    assert view_of(walk_in, now=now)["can_postpone"] is True
