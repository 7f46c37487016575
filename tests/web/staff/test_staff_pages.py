"""Staff pages, the tablet's JSON additions and the display's state, through the Flask test client."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

import pytest

from qserve.db import read_session
from qserve.models import Counter
from qserve.services import calling
from tests.factories import PASSWORD
from tests.web.conftest import own_database

JSON = {"Accept": "application/json"}


database_url = own_database()


@pytest.fixture
def branch(make):
    """Return a location, a staff member working there, and a second location of the same organization."""
    location = make.location(settings={"no_show_grace_s": 45}, display_message="Open until 16:00")
    other = make.location(organization_id=location["organization_id"])
    user = make.user(organization_id=location["organization_id"], location_ids=[location["id"]])
    return {"location": location, "other": other, "user": user}


def sign_in(client, email: str) -> None:
    """Sign a test client in through the login form."""
    response = client.post("/login", data={"email": email, "password": PASSWORD})
    assert response.status_code == 302


def page_config(response, element_id: str) -> dict:
    """Return the JSON a page hands to its script."""
    html = response.get_data(as_text=True)
    match = re.search(rf'<script type="application/json" id="{element_id}">(.*?)</script>', html, re.S)
    return json.loads(match.group(1))


def test_an_anonymous_visitor_is_sent_to_sign_in(client):
    response = client.get("/staff/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


@pytest.mark.parametrize(
    ("role", "start"), [("staff", "/staff/"), ("manager", "/manage/"), ("admin", "/admin/")]
)
def test_signing_in_without_a_destination_opens_the_start_page_of_ones_role(
    client, make, branch, role, start
):
    user = make.user(
        organization_id=branch["location"]["organization_id"],
        location_ids=[branch["location"]["id"]],
        role=role,
    )
    response = client.post("/login", data={"email": user["email"], "password": PASSWORD})
    assert response.headers["Location"] == start
    client.post("/logout")
    response = client.post("/login?next=/display/x", data={"email": user["email"], "password": PASSWORD})
    assert response.headers["Location"] == "/display/x"  # the page asked for still wins


def test_staff_with_one_location_go_straight_to_its_counters(client, branch):
    sign_in(client, branch["user"]["email"])
    response = client.get("/staff/")
    assert response.headers["Location"] == f"/staff/{branch['location']['slug']}/"
    counters = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Counter 1" in counters and "Counter 2" in counters


def test_staff_see_only_their_own_locations(client, make, branch):
    third = make.location(organization_id=branch["location"]["organization_id"])
    user = make.user(
        organization_id=third["organization_id"], location_ids=[branch["location"]["id"], third["id"]]
    )
    sign_in(client, user["email"])
    html = client.get("/staff/").get_data(as_text=True)
    assert f"/staff/{branch['location']['slug']}/" in html and f"/staff/{third['slug']}/" in html
    assert f"/staff/{branch['other']['slug']}/" not in html


def test_staff_of_another_location_are_turned_away(client, make, branch):
    sign_in(client, branch["user"]["email"])
    other = branch["other"]
    assert client.get(f"/staff/{other['slug']}/").status_code == 403
    assert client.get(f"/staff/{other['slug']}/{other['counter_ids'][0]}/").status_code == 403
    ticket_id = make.ticket(location=other)
    response = client.post(f"/staff/api/tickets/{ticket_id}/notes", json={"notes": "x"}, headers=JSON)
    assert response.status_code == 403
    assert response.json["error"]["code"] == "forbidden"


def test_opening_a_counter_keeps_the_services_chosen_for_today(client, branch):
    sign_in(client, branch["user"]["email"])
    location = branch["location"]
    counter_id = location["counter_ids"][1]
    url = f"/staff/{location['slug']}/{counter_id}/open"
    response = client.post(url, data={"service_ids": [str(location["service_ids"][1])]})
    assert response.headers["Location"] == f"/staff/{location['slug']}/{counter_id}/"
    with read_session() as session:
        counter = session.get(Counter, counter_id)
        assert (counter.is_open, counter.active_service_ids) == (True, [location["service_ids"][1]])


def test_a_counter_is_opened_only_under_its_own_location(client, make, branch):
    sign_in(client, branch["user"]["email"])
    elsewhere = make.location(organization_id=branch["location"]["organization_id"])
    url = f"/staff/{branch['location']['slug']}/{elsewhere['counter_ids'][0]}/open"
    assert client.post(url, data={}).status_code == 404
    with read_session() as session:
        assert session.get(Counter, elsewhere["counter_ids"][0]).is_open is False


def test_the_tablet_page_hands_its_settings_and_words_to_the_script(client, branch):
    sign_in(client, branch["user"]["email"])
    location = branch["location"]
    response = client.get(f"/staff/{location['slug']}/{location['counter_ids'][0]}/")
    config = page_config(response, "tablet-config")
    assert config["counter_id"] == location["counter_ids"][0]
    assert config["no_show_grace_s"] == 45
    assert config["strings"]["collision"].startswith("Someone else got there first")
    assert 'name="csrf-token"' in response.get_data(as_text=True)


def test_notes_are_saved_and_too_long_notes_are_refused(client, make, branch):
    sign_in(client, branch["user"]["email"])
    ticket_id = make.ticket(location=branch["location"])
    url = f"/staff/api/tickets/{ticket_id}/notes"
    response = client.post(url, json={"notes": "Prefers Swedish"}, headers=JSON)
    assert (response.status_code, response.json["notes"]) == (200, "Prefers Swedish")
    response = client.post(url, json={"notes": "x" * 2001}, headers=JSON)
    assert (response.status_code, response.json["error"]["field"]) == (422, "notes")


def test_a_parked_ticket_is_called_back_through_the_tablet_api(client, make, branch):
    sign_in(client, branch["user"]["email"])
    location = branch["location"]
    ticket_id = make.ticket(location=location)
    counter_id = location["counter_ids"][0]
    client.post(f"/api/v1/counters/{counter_id}/call-next")
    client.post(f"/api/v1/tickets/{ticket_id}/park")
    response = client.post(f"/staff/api/counters/{counter_id}/call-back", json={"ticket_id": ticket_id})
    assert (response.json["status"], response.json["counter"]) == ("called", "1")
    again = client.post(
        f"/staff/api/counters/{counter_id}/call-back", json={"ticket_id": ticket_id}, headers=JSON
    )
    assert (again.status_code, again.json["error"]["code"]) == (409, "conflict")


def test_the_display_state_shows_the_latest_calls_and_the_waiting_counts(client, make, branch):
    location = branch["location"]
    actor = branch["user"]["actor"]
    for _ in range(3):
        make.ticket(location=location)
    make.ticket(location=location, service_index=1)
    for counter_id in location["counter_ids"]:
        calling.call_next(counter_id=counter_id, actor=actor, now=datetime.now(UTC))
    state = client.get(f"/display/{location['slug']}/state").json
    assert [(c["number"], c["counter"], c["spoken"]) for c in state["calls"]] == [
        ("A002", "2", "A 2"),
        ("A001", "1", "A 1"),
    ]
    assert [(s["prefix"], s["waiting"]) for s in state["services"]] == [("A", 1), ("B", 1)]
    assert (state["message"], state["counters_open"]) == ("Open until 16:00", 2)


def test_the_display_speaks_only_languages_that_have_the_sentence_translated(client, make):
    location = make.location(languages=["de"])
    config = page_config(client.get(f"/display/{location['slug']}"), "display-config")
    assert config["speech"] == [{"lang": "en", "text": "Ticket %(number)s, counter %(counter)s"}]
    assert config["language"] == "de"


def test_an_unknown_display_is_a_friendly_not_found(client):
    assert client.get("/display/nowhere").status_code == 404
    response = client.get("/display/nowhere/state", headers=JSON)
    assert (response.status_code, response.json["error"]["code"]) == (404, "not_found")


def test_the_on_hold_section_is_headed_for_the_many_tickets_it_holds(client, branch):
    """The section shared its words with one ticket's status chip: Polish headed it "Wstrzymany" (one
    ticket, masculine), Swedish "Pausad"."""
    sign_in(client, branch["user"]["email"])
    location = branch["location"]
    url = f"/staff/{location['slug']}/{location['counter_ids'][0]}/"
    for language, heading in (("pl", "Wstrzymane"), ("sv", "Pausade"), ("en", "On hold")):
        page = client.get(f"{url}?lang={language}").get_data(as_text=True)
        assert f'<h3 id="parked-title">{heading}</h3>' in page, language


# Polish forms that take the customer, whose gender the tablet and the display do not know, for a man (a
# ticket's "Wezwany", "Nieobecny" agree with its number, "numer").
MASCULINE = ("klient", "następnego", "Oczekujący", "Czekający", "Teraz obsługiwany", "wyszedł", "Powracający")


def test_the_polish_tablet_and_display_do_not_take_the_customer_for_a_man(client, branch, make):
    location = branch["location"]
    sign_in(client, branch["user"]["email"])
    tablet = client.get(f"/staff/{location['slug']}/{location['counter_ids'][0]}/?lang=pl")
    display = client.get(f"/display/{make.location(languages=['pl', 'en'])['slug']}")
    for page in (tablet, display):
        text = page.get_data(as_text=True)
        assert '<html lang="pl"' in text
        assert [word for word in MASCULINE if word in text] == []


def test_the_tablets_transfer_and_on_hold_buttons_begin_with_different_words(client, branch):
    """In Finnish both began "Siirrä" ("Siirrä…", "Siirrä odotukseen"), and staff tapped the wrong one."""
    sign_in(client, branch["user"]["email"])
    location = branch["location"]
    url = f"/staff/{location['slug']}/{location['counter_ids'][0]}/"
    for language in ("en", "fi", "sv", "pl"):
        page = client.get(f"{url}?lang={language}").get_data(as_text=True)
        words = {
            action: re.search(rf'data-action="{action}"[^>]*>([^<]+)<kbd', page)
            .group(1)
            .split()[0]
            .strip("…")
            for action in ("park", "transfer")
        }
        assert words["park"] != words["transfer"], (language, words)
