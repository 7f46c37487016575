"""Feedback tied to the visit, one answer per ticket, expiring links, erasure and retention."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from qserve.db import read_session
from qserve.domain.errors import Conflict, ValidationFailed
from qserve.insights.feedback import feedback_state, set_feedback_form, submit_feedback
from qserve.insights.jobs import JOBS
from qserve.insights.privacy import erase_my_personal_data
from qserve.models import Ticket
from tests.integration.insights.helpers import serve

T0 = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
CONTACT = {"name": "Zofia Żółć", "phone": "+358401234567", "email": "zofia@example.org"}


@pytest.fixture
def place(make):
    location = make.location()
    staff = make.user(organization_id=location["organization_id"], location_ids=[location["id"]])
    return location, staff


def token_of(ticket_id: int) -> str:
    with read_session() as session:
        return session.get(Ticket, ticket_id).public_token


def row(sql: str, **params):
    with read_session() as session:
        return session.execute(text(sql), params).mappings().one()


def test_an_answer_is_tied_to_the_service_counter_staff_wait_and_service_time(make, place):
    location, staff = place
    ticket_id = serve(make, location, staff, joined=T0, wait_s=420, service_s=300, counter=1, **CONTACT)
    token = token_of(ticket_id)
    submit_feedback(
        token=token,
        rating="4",
        recommendation="9",
        answers={"best": "speed", "comment": "Nice"},
        language="pl",
        now=T0 + timedelta(minutes=20),
    )
    answer = row("SELECT * FROM feedback_answers WHERE ticket_id = :id", id=ticket_id)
    assert (answer["rating"], answer["recommendation"], answer["wait_s"], answer["service_s"]) == (
        4,
        9,
        420,
        300,
    )
    assert answer["service_id"] == location["service_ids"][0]
    assert answer["counter_id"] == location["counter_ids"][1]
    assert answer["served_by_id"] == staff["id"]
    assert feedback_state(token=token, now=T0 + timedelta(minutes=21))["state"] == "answered"


def test_a_visit_gets_only_one_answer(make, place):
    location, staff = place
    token = token_of(serve(make, location, staff, joined=T0, wait_s=60, service_s=60))
    submit_feedback(token=token, rating=5, now=T0 + timedelta(minutes=5))
    with pytest.raises(Conflict):
        submit_feedback(token=token, rating=1, now=T0 + timedelta(minutes=6))


def test_the_link_expires_after_the_form_valid_hours(make, place):
    location, staff = place
    set_feedback_form(
        organization_id=location["organization_id"],
        location_id=location["id"],
        config={"valid_hours": 2},
        now=T0,
    )
    token = token_of(serve(make, location, staff, joined=T0, wait_s=60, service_s=60))
    finished = T0 + timedelta(minutes=2)
    assert feedback_state(token=token, now=finished + timedelta(hours=1))["state"] == "open"
    assert feedback_state(token=token, now=finished + timedelta(hours=2))["state"] == "expired"
    with pytest.raises(Conflict):
        submit_feedback(token=token, rating=5, now=finished + timedelta(hours=3))


@pytest.mark.parametrize(
    ("rating", "recommendation", "answers", "field"),
    [("0", None, {}, "rating"), ("5", "11", {}, "recommendation"), ("5", None, {"best": "price"}, "best")],
)
def test_answers_outside_the_form_are_refused_naming_the_field(
    make, place, rating, recommendation, answers, field
):
    location, staff = place
    token = token_of(serve(make, location, staff, joined=T0, wait_s=60, service_s=60))
    with pytest.raises(ValidationFailed) as error:
        submit_feedback(
            token=token,
            rating=rating,
            recommendation=recommendation,
            answers=answers,
            now=T0 + timedelta(minutes=5),
        )
    assert error.value.field == field


def test_deleting_my_data_erases_contact_and_free_text_but_keeps_the_statistics(make, place, caplog):
    location, staff = place
    caplog.set_level(logging.DEBUG)
    ticket_id = serve(make, location, staff, joined=T0, wait_s=300, service_s=200, **CONTACT)
    token = token_of(ticket_id)
    submit_feedback(
        token=token,
        rating=3,
        recommendation=7,
        answers={"best": "expertise", "comment": "Call me"},
        now=T0 + timedelta(minutes=10),
    )
    erase_my_personal_data(token=token, now=T0 + timedelta(minutes=11))
    ticket = row(
        "SELECT name, phone, email, notes, answers, personal_data_erased_at, status, called_at "
        "FROM tickets WHERE id = :id",
        id=ticket_id,
    )
    assert (ticket["name"], ticket["phone"], ticket["email"], ticket["notes"]) == (None, None, None, "")
    assert ticket["answers"] in ("{}", {}) and ticket["personal_data_erased_at"] is not None
    assert ticket["status"] == "done" and ticket["called_at"] is not None
    answer = row(
        "SELECT rating, recommendation, choices, texts, wait_s FROM feedback_answers WHERE ticket_id = :id",
        id=ticket_id,
    )
    assert (answer["rating"], answer["recommendation"], answer["wait_s"]) == (3, 7, 300)
    assert "expertise" in str(answer["choices"]) and answer["texts"] in ("{}", {})
    logged = caplog.text
    assert all(value not in logged for value in (*CONTACT.values(), "Call me"))


def test_the_retention_job_erases_closed_visits_older_than_the_organization_keeps_them(make, place):
    location, staff = place
    old = serve(make, location, staff, joined=T0, wait_s=60, service_s=60, **CONTACT)
    recent = serve(make, location, staff, joined=T0 + timedelta(days=20), wait_s=60, service_s=60, **CONTACT)
    waiting = make.ticket(location=location, now=T0, **(CONTACT | {"phone": "+358401234568"}))
    ((every_s, job),) = [(every, job) for name, every, job in JOBS if name == "erase-expired-personal-data"]
    assert every_s == 3600
    assert job(T0 + timedelta(days=31)) == 1  # retention_days defaults to 30
    assert job(T0 + timedelta(days=31)) == 0
    phones = {r.id: r.phone for r in _tickets()}
    assert phones[old] is None
    assert phones[recent] == CONTACT["phone"]
    assert phones[waiting] is not None  # an open ticket keeps what it needs


def _tickets():
    with read_session() as session:
        return list(session.execute(text("SELECT id, phone FROM tickets")))
