"""A booking code that finds no booking (mistyped, copied short, another location's) is answered as such:
the API with its own error code, the phone's booking pages with a friendly page in the visitor's language
that shows the code and lets them type it again. They gave the generic 404, "This page does not exist"."""

from __future__ import annotations

import pytest

from tests.web.appointments.test_booking_pages import book_first_slot, place  # noqa: F401  (fixture)

UNKNOWN = "ZZZZ-2345"  # a code of the right shape that no booking has
SAID = {
    "en": f"We could not find a booking with code {UNKNOWN}. Check the code in your confirmation message, "
    "or ask staff.",
    "fi": f"Emme löytäneet varausta koodilla {UNKNOWN}. Tarkista koodi vahvistusviestistä tai kysy "
    "henkilökunnalta.",
    "sv": f"Vi hittade ingen bokning med koden {UNKNOWN}. Kontrollera koden i ditt bekräftelsemeddelande "
    "eller fråga personalen.",
    "pl": f"Nie znaleziono rezerwacji o kodzie {UNKNOWN}. Sprawdź kod w wiadomości z potwierdzeniem lub "
    "zapytaj obsługę.",
}


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("get", "/api/v1/appointments/{code}", None),
        ("post", "/api/v1/appointments/{code}/check-in", None),
        ("post", "/api/v1/appointments/{code}/cancel", None),
        ("post", "/api/v1/appointments/{code}/reschedule", {"starts_at": "2030-01-07T10:00:00+02:00"}),
    ],
)
@pytest.mark.parametrize("code", [UNKNOWN, "ABC-12"])  # unknown, and too short to be a code at all
def test_the_api_answers_an_unknown_code_with_booking_not_found(app, method, path, body, code):
    response = getattr(app.test_client(), method)(path.format(code=code), json=body)

    assert response.status_code == 404
    error = response.get_json()["error"]
    assert (error["code"], error["field"]) == ("booking_not_found", "code")
    assert error["message"].startswith("no booking has this code;")


@pytest.mark.parametrize("language", ["en", "fi", "sv", "pl"])
def test_the_booking_page_of_an_unknown_code_says_so_in_the_visitors_language(app, language):
    response = app.test_client().get(f"/booking/{UNKNOWN.lower().replace('-', '')}?lang={language}")

    page = response.get_data(as_text=True)
    assert response.status_code == 404
    assert SAID[language] in page and f'<html lang="{language}">' in page
    assert 'action="/booking"' in page and f'value="{UNKNOWN}"' in page  # typed again from the page


@pytest.mark.parametrize(
    ("method", "path"),
    [("get", "/booking/{code}/cancel"), ("post", "/booking/{code}/cancel"), ("post", "/booking/{code}/here")],
)
def test_every_booking_page_answers_an_unknown_code_with_the_friendly_page(app, method, path):
    client = app.test_client()
    response = getattr(client, method)(path.format(code=UNKNOWN), headers={"Accept-Language": "sv"})

    assert response.status_code == 404 and SAID["sv"] in response.get_data(as_text=True)


def test_a_calendar_link_with_an_unknown_code_gets_the_friendly_page(app):
    response = app.test_client().get(f"/booking/{UNKNOWN}/calendar.ics?lang=en")

    assert response.status_code == 404 and SAID["en"] in response.get_data(as_text=True)


def test_a_reschedule_link_with_an_unknown_code_offers_to_book_anew(app, place):  # noqa: F811
    url = f"/book/{place['slug']}/{place['service_ids'][0]}?reschedule={UNKNOWN}&lang=fi"
    response = app.test_client().get(url)

    page = response.get_data(as_text=True)
    assert response.status_code == 404 and SAID["fi"] in page
    assert f'href="/book/{place["slug"]}"' in page


def test_a_code_typed_on_the_page_opens_its_booking(app, place):  # noqa: F811
    client = app.test_client()
    code = book_first_slot(client, place, language="en")

    typed = client.get("/booking", query_string={"code": f" {code.lower().replace('-', ' ')} "})
    assert (typed.status_code, typed.headers["Location"]) == (303, f"/booking/{code}")
    assert client.get("/booking?code=nonsense&lang=en").status_code == 404
    assert client.get("/booking?lang=en").status_code == 200  # the form alone


def test_the_code_shown_is_escaped(app):
    response = app.test_client().get("/booking/%3Cb%3Ehi?lang=en")

    page = response.get_data(as_text=True)
    assert response.status_code == 404 and "&lt;b&gt;hi" in page and "<b>hi" not in page
