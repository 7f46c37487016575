"""Error pages speak to people in their language; the API's errors stay detailed, in English."""

from __future__ import annotations

import pytest

FINNISH, ENGLISH = {"Accept-Language": "fi-FI,fi;q=0.9"}, {"Accept-Language": "en-GB,en;q=0.9"}


@pytest.mark.parametrize(
    ("method", "path", "status", "finnish"),
    [
        ("post", "/healthz", 405, "Tämä osoite ei ota vastaan tällaista pyyntöä."),
        ("get", "/no/such/page", 404, "Tätä sivua ei ole."),
    ],
)
def test_an_error_page_says_what_happened_in_the_readers_language(client, method, path, status, finnish):
    page = getattr(client, method)(path, headers=FINNISH | {"Accept": "text/html"})
    html = page.get_data(as_text=True)
    assert page.status_code == status
    assert '<html lang="fi">' in html and finnish in html and "Jokin meni vikaan" in html
    assert "The method is not allowed" not in html and "The requested URL was not found" not in html


def test_in_english_the_page_keeps_the_detailed_message(client):
    page = client.post("/healthz", headers=ENGLISH | {"Accept": "text/html"})
    assert "The method is not allowed for the requested URL." in page.get_data(as_text=True)


def test_the_api_answers_in_json_with_the_detailed_english_message_whatever_the_language(client):
    answer = client.post("/api/v1/locations", headers=FINNISH)
    assert answer.status_code == 405
    assert answer.get_json()["error"] == {
        "code": "method_not_allowed",
        "message": "The method is not allowed for the requested URL.",
    }


@pytest.mark.parametrize("config_overrides", [{"RATELIMIT_ENABLED": True}])
@pytest.mark.parametrize(
    ("headers", "words"),
    [(ENGLISH, "Too many tries. Please wait a moment and try again."), (FINNISH, "Liian monta yritystä")],
)
def test_a_page_tried_too_often_asks_the_person_to_wait_in_their_words(client, make, headers, words):
    location = make.location()
    booking = f"/book/{location['slug']}/{location['service_ids'][0]}"
    answers = [client.post(booking, data={}, headers=headers | {"Accept": "text/html"}) for _ in range(11)]
    refused = answers[-1]
    assert refused.status_code == 429
    html = refused.get_data(as_text=True)
    assert words in html and "per 1 minute" not in html
