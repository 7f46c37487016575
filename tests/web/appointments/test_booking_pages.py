"""The booking API and phone pages through the Flask test client: book, calendar file, check in, be called."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from qserve.db import read_session, transaction, utcnow
from qserve.services.calling import call_next
from tests.integration.appointments.helpers import make_bookable

ALL_DAY = {day: [["00:00", "23:55"]] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
# Real time runs in these tests: let customers check in up to two days early.
EARLY = {"appointments": {"early_s": 2 * 86400}}


@pytest.fixture
def place(make):
    location = make_bookable(make, settings=EARLY)
    from qserve.db import transaction
    from qserve.models import Location

    with transaction() as tx:
        tx.session.get(Location, location["id"]).opening_hours = ALL_DAY
    return location


def tomorrow(location_zone="Europe/Helsinki") -> str:
    return (utcnow().astimezone(ZoneInfo(location_zone)) + timedelta(days=1)).date().isoformat()


def slots(client, place) -> list[dict]:
    response = client.get(
        f"/api/v1/locations/{place['slug']}/slots?service_id={place['service_ids'][0]}&date={tomorrow()}"
    )
    assert response.status_code == 200
    return response.get_json()["slots"]


def book_first_slot(client, place, *, language: str) -> str:
    """Book tomorrow's first time through the API in a language; return the booking code."""
    booked = client.post(
        f"/api/v1/locations/{place['slug']}/appointments",
        json={
            "service_id": place["service_ids"][0],
            "starts_at": slots(client, place)[0]["starts_at"],
            "language": language,
        },
    )
    assert booked.status_code == 201, booked.get_json()
    return booked.get_json()["code"]


def test_the_api_books_checks_in_and_cancels_by_code(app, place):
    client = app.test_client()
    first = slots(client, place)[0]
    booked = client.post(
        f"/api/v1/locations/{place['slug']}/appointments",
        json={
            "service_id": place["service_ids"][0],
            "starts_at": first["starts_at"],
            "name": "Ola",
            "language": "sv",
        },
    )
    assert booked.status_code == 201
    body = booked.get_json()
    assert body["status"] == "booked" and body["calendar_url"].endswith("/calendar.ics")
    assert slots(client, place)[0]["available"] == 0
    taken = client.post(
        f"/api/v1/locations/{place['slug']}/appointments",
        json={"service_id": place["service_ids"][0], "starts_at": first["starts_at"]},
    )
    assert taken.status_code == 409
    checked = client.post(f"/api/v1/appointments/{body['code']}/check-in")
    ticket = checked.get_json()
    assert checked.status_code == 200
    assert ticket["url"] == f"{app.config['PUBLIC_URL'].rstrip('/')}/t/{ticket['token']}"
    assert client.post(f"/api/v1/appointments/{body['code']}/cancel").status_code == 409


def test_booking_links_are_the_public_address_not_the_host_a_request_came_through(app, place):
    """Behind a proxy a request arrives at an inside address; the links a customer keeps (the booking, its
    calendar file, the ticket of a check-in) name QSERVE_PUBLIC_URL, as ticket links do."""
    app.config["PUBLIC_URL"] = "https://queue.example.org/"
    client = app.test_client()
    inside = {"base_url": "http://10.0.0.7:5000"}
    first = slots(client, place)[0]
    booked = client.post(
        f"/api/v1/locations/{place['slug']}/appointments",
        json={"service_id": place["service_ids"][0], "starts_at": first["starts_at"], "name": "Ola"},
        **inside,
    ).get_json()
    code = booked["code"]
    assert booked["url"] == f"https://queue.example.org/booking/{code}"
    assert booked["calendar_url"] == f"https://queue.example.org/booking/{code}/calendar.ics"
    assert client.get(f"/api/v1/appointments/{code}", **inside).get_json()["url"] == booked["url"]
    calendar = client.get(f"/booking/{code}/calendar.ics", **inside).get_data(as_text=True)
    assert f"https://queue.example.org/booking/{code}" in calendar.replace("\r\n ", "")
    checked = client.post(f"/api/v1/appointments/{code}/check-in", **inside).get_json()
    assert checked["url"] == f"https://queue.example.org/t/{checked['token']}"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"starts_at": "2026-11-23T10:00:00+00:00"}, "service_id"),
        ({"service_id": 0, "starts_at": "tomorrow"}, "starts_at"),
        ({"service_id": 0, "starts_at": "2026-11-23T10:00:00"}, "starts_at"),
    ],
)
def test_bad_booking_input_names_the_field(app, place, body, field):
    response = app.test_client().post(f"/api/v1/locations/{place['slug']}/appointments", json=body)
    assert response.status_code == 422
    assert response.get_json()["error"]["field"] == field


def test_unknown_and_malformed_codes_are_both_a_booking_not_found(app):
    """A malformed code is a mistyped one to its holder: not found either, the message naming the shape."""
    client = app.test_client()
    assert client.get("/api/v1/appointments/ABCD-2345").status_code == 404
    malformed = client.post("/api/v1/appointments/nonsense/check-in")
    assert malformed.status_code == 404 and malformed.get_json()["error"]["code"] == "booking_not_found"
    assert "8 letters and digits" in malformed.get_json()["error"]["message"]


def test_booking_on_the_phone_gives_a_code_a_calendar_file_and_a_ticket_that_is_called(app, place, make):
    client = app.test_client()
    service = place["service_ids"][0]
    assert b"Service A" in client.get(f"/book/{place['slug']}").data
    page = client.get(f"/book/{place['slug']}/{service}?date={tomorrow()}")
    assert page.status_code == 200 and b'name="starts_at"' in page.data
    first = slots(client, place)[0]
    done = client.post(
        f"/book/{place['slug']}/{service}",
        data={"starts_at": first["starts_at"], "name": "Aino", "date": tomorrow()},
    )
    assert done.status_code == 303
    confirmation = client.get(done.headers["Location"])
    code = done.headers["Location"].rsplit("/", 1)[-1]
    assert code.encode() in confirmation.data and b"calendar.ics" in confirmation.data
    local = datetime.fromisoformat(first["starts_at"]).astimezone(ZoneInfo("Europe/Helsinki"))
    assert local.strftime("%H:%M").encode() in confirmation.data
    calendar = client.get(f"/booking/{code}/calendar.ics")
    assert calendar.mimetype == "text/calendar"
    assert (
        f"DTSTART:{datetime.fromisoformat(first['starts_at']).strftime('%Y%m%dT%H%M%SZ')}"
        in calendar.get_data(as_text=True)
    )
    here = client.post(f"/booking/{code}/here")
    assert here.status_code == 303 and here.headers["Location"].startswith("/t/")
    staff = make.user(organization_id=place["organization_id"], location_ids=[place["id"]])["actor"]
    ticket_id = call_next(counter_id=place["counter_ids"][0], actor=staff, now=utcnow())
    assert ticket_id == client.get(f"/api/v1/appointments/{code}").get_json()["ticket_id"]


def test_a_taken_slot_shows_the_form_again_with_the_reason(app, place):
    client = app.test_client()
    service = place["service_ids"][0]
    first = slots(client, place)[0]
    client.post(f"/book/{place['slug']}/{service}", data={"starts_at": first["starts_at"]})
    again = client.post(
        f"/book/{place['slug']}/{service}",
        data={"starts_at": first["starts_at"], "name": "Kim", "date": tomorrow()},
    )
    assert again.status_code == 409 and b'role="alert"' in again.data and b'value="Kim"' in again.data


def test_cancelling_from_the_confirmation_page_frees_the_place(app, place):
    client = app.test_client()
    first = slots(client, place)[0]
    done = client.post(
        f"/book/{place['slug']}/{place['service_ids'][0]}", data={"starts_at": first["starts_at"]}
    )
    code = done.headers["Location"].rsplit("/", 1)[-1]
    assert client.post(f"/booking/{code}/cancel").status_code == 303
    assert b"Cancelled" in client.get(f"/booking/{code}").data
    assert slots(client, place)[0]["available"] == 1


def test_cancel_booking_asks_first_in_the_pages_language_and_keeps_the_booking_until_confirmed(app, place):
    client = app.test_client()
    code = book_first_slot(client, place, language="pl")
    page = client.get(f"/booking/{code}").get_data(as_text=True)
    asks = page.split('id="cancel"')[0].rsplit("<form", 1)[1]
    assert 'method="get"' in asks and f"/booking/{code}/cancel" in asks  # the button opens a question
    question = client.get(f"/booking/{code}/cancel").get_data(as_text=True)
    assert "Anulować tę rezerwację?" in question and "Tak, anuluj moją rezerwację" in question
    assert f'id="cancel-no" href="/booking/{code}"' in question  # "No, keep my booking" goes back
    assert client.get(f"/api/v1/appointments/{code}").get_json()["status"] == "booked"
    assert client.post(f"/booking/{code}/cancel").status_code == 303
    assert client.get(f"/booking/{code}/cancel").headers["Location"] == f"/booking/{code}"  # nothing to ask


QUESTIONS = [
    {"id": "topic", "type": "choice", "required": True, "label": {"en": "Topic", "fi": "Aihe"},
     "options": [{"value": "tax", "label": {"en": "Taxes", "fi": "Verot"}}, "other"]},
    {"id": "first", "type": "yesno", "required": True, "label": {"en": "First visit?"}},
    {"id": "note", "type": "text", "label": {"en": "Anything else"}},
]  # fmt: skip


def test_booking_questions_are_choices_yes_no_and_text_and_errors_keep_what_was_typed(app, place):
    from qserve.models import Service
    from qserve.models.appointment import Appointment

    with transaction() as tx:
        tx.session.get(Service, place["service_ids"][0]).questions = QUESTIONS
    client = app.test_client()
    url = f"/book/{place['slug']}/{place['service_ids'][0]}"
    form = client.get(f"{url}?date={tomorrow()}").get_data(as_text=True)
    assert 'type="radio" name="answers.topic" value="tax"' in form and "Taxes" in form
    assert 'name="answers.first" value="yes"' in form and 'name="answers.first" value="no"' in form
    assert 'name="answers.note" type="text"' in form and 'aria-required="true"' in form
    first = slots(client, place)[0]["starts_at"]
    refused = client.post(
        url,
        data={
            "starts_at": first,
            "name": "Kim",
            "phone": "12",
            "answers.note": "wheelchair",
            "date": tomorrow(),
        },
    )
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422 and 'id="error-summary"' in html
    assert (
        'value="Kim"' in html
        and 'value="wheelchair"' in html
        and f'value="{first}" required\n      checked' in html
    )
    assert html.count('class="error" id="answers-') == 2 and 'id="phone-error"' in html
    finnish = client.post(
        url, data={"starts_at": first, "date": tomorrow()}, headers={"Accept-Language": "fi"}
    )
    assert "Aihe" in finnish.get_data(as_text=True) and "Verot" in finnish.get_data(as_text=True)
    done = client.post(
        url, data={"starts_at": first, "answers.topic": "tax", "answers.first": "no", "date": tomorrow()}
    )
    assert done.status_code == 303
    with read_session() as session:
        booking = session.query(Appointment).filter(Appointment.service_id == place["service_ids"][0]).one()
        assert booking.answers == {"topic": "tax", "first": False}


def test_i_am_here_too_early_is_explained_in_the_pages_language(app, make):
    location = make_bookable(make, settings={"appointments": {"early_s": 600}})
    with transaction() as tx:
        from qserve.models import Location

        tx.session.get(Location, location["id"]).opening_hours = ALL_DAY
    client = app.test_client()
    starts_at = slots(client, location)[-1]["starts_at"]  # tomorrow evening: far more than 10 minutes away
    booked = client.post(
        f"/api/v1/locations/{location['slug']}/appointments",
        json={"service_id": location["service_ids"][0], "starts_at": starts_at},
    ).get_json()
    refused = client.post(f"/booking/{booked['code']}/here?lang=fi")
    assert refused.status_code == 409
    assert "Ilmoittautuminen avautuu lähempänä varattua aikaa" in refused.get_data(as_text=True)
    api = client.post(f"/api/v1/appointments/{booked['code']}/check-in")
    assert api.status_code == 409 and api.get_json()["error"]["code"] == "check_in_too_early"
    assert client.get(f"/api/v1/appointments/{booked['code']}").get_json()["status"] == "booked"


def test_i_am_here_checks_in_the_second_booking_of_a_phone_whose_first_ticket_waits(app, place):
    client = app.test_client()
    first, second = slots(client, place)[:2]
    codes = [
        client.post(
            f"/api/v1/locations/{place['slug']}/appointments",
            json={
                "service_id": place["service_ids"][0],
                "starts_at": slot["starts_at"],
                "phone": "+358401234567",
            },
        ).get_json()["code"]
        for slot in (first, second)
    ]
    tickets = [client.post(f"/booking/{code}/here?lang=pl") for code in codes]
    assert [here.status_code for here in tickets] == [303, 303]
    assert tickets[0].headers["Location"] != tickets[1].headers["Location"]


def test_i_am_here_refused_for_a_closed_service_says_so_in_the_pages_language(app, place):
    client = app.test_client()
    code = client.post(
        f"/api/v1/locations/{place['slug']}/appointments",
        json={"service_id": place["service_ids"][0], "starts_at": slots(client, place)[0]["starts_at"]},
    ).get_json()["code"]
    with transaction() as tx:
        from qserve.models import Service

        tx.session.get(Service, place["service_ids"][0]).is_open = False
    refused = client.post(f"/booking/{code}/here?lang=pl")
    assert refused.status_code == 409
    page = refused.get_data(as_text=True)
    assert "Ta usługa jest teraz zamknięta." in page and "closed now" not in page


def test_a_closed_day_says_so_and_asks_for_no_details_that_could_not_be_sent(app, place):
    with transaction() as tx:
        from qserve.models import Location

        location = tx.session.get(Location, place["id"])
        location.opening_hours = ALL_DAY | {"exceptions": {tomorrow(): []}}
    client = app.test_client()
    page = client.get(f"/book/{place['slug']}/{place['service_ids'][0]}?date={tomorrow()}&lang=sv")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "Stängt den här dagen. Välj en annan dag." in text
    assert 'name="name"' not in text and 'name="phone"' not in text and 'id="book"' not in text


def test_the_booking_page_speaks_the_bookings_language_unless_the_visitor_chose_another(app, place):
    client = app.test_client()
    code = book_first_slot(client, place, language="fi")
    english_phone = {"Accept-Language": "en-US,en;q=0.9"}
    assert "Varauskoodi" in client.get(f"/booking/{code}", headers=english_phone).get_data(as_text=True)
    chosen = client.get(f"/booking/{code}?lang=sv", headers=english_phone).get_data(as_text=True)
    assert "Bokningskod" in chosen and "Varauskoodi" not in chosen


def test_the_calendar_file_speaks_the_bookings_language(app, place):
    client = app.test_client()
    code = book_first_slot(client, place, language="sv")
    calendar = client.get(f"/booking/{code}/calendar.ics").get_data(as_text=True)
    assert f"DESCRIPTION:Bokningskod: {code}" in calendar.splitlines()


def test_choosing_another_time_from_the_confirmation_moves_the_booking_and_keeps_its_code(app, place):
    client = app.test_client()
    service = place["service_ids"][0]
    first, second = slots(client, place)[:2]
    done = client.post(
        f"/book/{place['slug']}/{service}", data={"starts_at": first["starts_at"], "name": "Aino"}
    )
    code = done.headers["Location"].rsplit("/", 1)[-1]
    confirmation = client.get(done.headers["Location"]).get_data(as_text=True)
    move_link = confirmation.split('id="reschedule" href="', 1)[1].split('"', 1)[0].replace("&amp;", "&")
    form = client.get(f"{move_link}&date={tomorrow()}").get_data(as_text=True)
    assert f'name="reschedule" value="{code}"' in form and 'id="name"' not in form
    moved = client.post(
        f"/book/{place['slug']}/{service}", data={"starts_at": second["starts_at"], "reschedule": code}
    )
    assert moved.status_code == 303 and moved.headers["Location"].endswith(f"/booking/{code}")
    view = client.get(f"/api/v1/appointments/{code}").get_json()
    assert view["starts_at"] == second["starts_at"]
    assert [slot["available"] for slot in slots(client, place)[:2]] == [1, 0]
