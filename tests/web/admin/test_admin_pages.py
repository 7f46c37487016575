"""The administration pages over HTTP: who may see what, friendly errors that keep what was typed, CSRF."""

from __future__ import annotations

import re

import pytest

from qserve.db import read_session
from qserve.models import AuditEntry, Location, Service
from tests.factories import PASSWORD


def sign_in(client, email: str) -> None:
    """Sign in through the login form."""
    assert client.post("/login", data={"email": email, "password": PASSWORD}).status_code == 302


def location_form(**overrides) -> dict:
    """Return the settings form of a location as a browser sends it."""
    return {
        "name": "North",
        "slug": "north",
        "time_zone": "Europe/Helsinki",
        "languages": ["en", "fi"],
        "display_message": "",
        "hours_mon": "08:00-16:00",
        "exceptions": "",
        "fairness_kind": "strict",
    } | overrides


PAGES = [
    "/admin/",
    "/admin/locations/{north}",
    "/admin/locations/{north}/services",
    "/admin/services/{service}",
    "/admin/locations/{north}/counters",
    "/admin/locations/{north}/kiosks",
    "/admin/locations/{north}/kiosks/new",
    "/admin/locations/{north}/feedback",
    "/admin/locations/{north}/notifications",
    "/admin/feedback",
    "/admin/organization",
    "/admin/users",
    "/admin/users/new",
    "/admin/audit",
]


def _pages(org) -> list[str]:
    return [p.format(north=org["north"]["id"], service=org["north"]["service_ids"][0]) for p in PAGES]


def test_strangers_are_sent_to_sign_in_and_staff_get_403_everywhere(client, org):
    assert client.get("/admin/").status_code == 302
    sign_in(client, org["staff"]["email"])
    for path in _pages(org):
        assert client.get(path).status_code == 403, path
    response = client.post(f"/admin/locations/{org['north']['id']}", data=location_form(name="Hacked"))
    assert response.status_code == 403
    with read_session() as session:
        assert session.get(Location, org["north"]["id"]).name == "North"


@pytest.mark.parametrize("lang", ["en", "fi", "sv", "pl"])
def test_an_admin_sees_every_page_in_each_language(client, org, lang):
    sign_in(client, org["admin"]["email"])
    client.set_cookie("lang", lang)
    for path in _pages(org):
        response = client.get(path)
        assert response.status_code == 200, path
        assert f'<html lang="{lang}">' in response.text


def test_a_manager_sees_only_member_locations_and_no_account_pages(client, org):
    sign_in(client, org["manager"]["email"])
    index = client.get("/admin/").text
    assert "North" in index and "South" not in index and "Elsewhere" not in index
    for other in ("south", "foreign"):
        location_id = org[other]["id"]
        assert client.get(f"/admin/locations/{location_id}").status_code == 404
        assert (
            client.post(f"/admin/locations/{location_id}", data=location_form(slug=other)).status_code == 404
        )
        assert client.get(f"/admin/services/{org[other]['service_ids'][0]}").status_code == 404
    for path in (
        "/admin/users",
        "/admin/organization",
        f"/admin/locations/{org['north']['id']}/notifications",
    ):
        assert client.get(path).status_code == 403
    assert client.get(f"/admin/locations/{org['north']['id']}/services").status_code == 200


def test_bad_hours_give_a_friendly_page_that_keeps_what_was_typed(client, org):
    sign_in(client, org["manager"]["email"])
    typed = location_form(name="North Renamed", hours_mon="8-16", display_message="Back at noon")
    response = client.post(f"/admin/locations/{org['north']['id']}", data=typed)
    assert response.status_code == 422
    page = response.text
    assert 'role="alert"' in page and "write hours like 08:00-16:00" in page.lower()
    assert 'value="North Renamed"' in page and 'value="8-16"' in page and "Back at noon" in page
    assert re.search(r'id="hours_mon"[^>]*aria-invalid="true"', page)
    with read_session() as session:
        assert session.get(Location, org["north"]["id"]).name == "North"
        assert session.query(AuditEntry).count() == 0


def test_errors_are_explained_in_the_page_language(client, org):
    sign_in(client, org["manager"]["email"])
    client.set_cookie("lang", "fi")
    response = client.post(
        f"/admin/locations/{org['north']['id']}", data=location_form(time_zone="Mars/Base")
    )
    assert response.status_code == 422 and "Valitse aikavyöhyke" in response.text


@pytest.mark.parametrize(
    ("lang", "label"),
    [
        ("en", "Walk-ins may join before opening (min)"),
        ("fi", "Jonoon ennen avaamista (min)"),
        ("sv", "Köa före öppning (min)"),
        ("pl", "Dołączanie przed otwarciem (min)"),
    ],
)
def test_a_manager_sets_how_early_walk_ins_may_join_in_minutes(client, org, lang, label):
    sign_in(client, org["manager"]["email"])
    client.set_cookie("lang", lang)
    url = f"/admin/locations/{org['north']['id']}"
    assert client.post(url, data=location_form(join_before_opening_min="20")).status_code == 303
    page = client.get(url).text
    assert label in page
    assert re.search(
        r'id="join_before_opening_min"[^>]*value="20"|value="20"[^>]*id="join_before_opening_min"', page
    )
    with read_session() as session:
        assert session.get(Location, org["north"]["id"]).settings["join_before_opening_s"] == 1200
    refused = client.post(url, data=location_form(join_before_opening_min="721"))
    assert refused.status_code == 422 and 'value="721"' in refused.text
    assert re.search(r'id="join_before_opening_min"[^>]*aria-invalid="true"', refused.text)


@pytest.mark.parametrize(
    ("lang", "label", "error"),
    [
        ("en", "Bookings taken up to (days ahead)", "Give a whole number from 1 to 365"),
        ("fi", "Ajanvaraus enintään (päivää eteenpäin)", "Anna päivät 1-365."),
        ("sv", "Bokning högst (dagar framåt)", "Ange dagar 1-365."),
        ("pl", "Rezerwacje maksymalnie (dni naprzód)", "Podaj liczbę dni od 1 do 365."),
    ],
)
def test_a_manager_sets_how_many_days_ahead_the_location_takes_bookings(client, org, lang, label, error):
    sign_in(client, org["manager"]["email"])
    client.set_cookie("lang", lang)
    url = f"/admin/locations/{org['north']['id']}"
    assert re.search(r'id="booking_horizon_days"[^>]*value="60"', client.get(url).text)  # never set: 60
    assert client.post(url, data=location_form(booking_horizon_days="14")).status_code == 303
    page = client.get(url).text
    assert label in page and re.search(r'id="booking_horizon_days"[^>]*value="14"', page)
    with read_session() as session:
        assert session.get(Location, org["north"]["id"]).settings["booking_horizon_days"] == 14
    refused = client.post(url, data=location_form(booking_horizon_days="366"))
    assert refused.status_code == 422 and error in refused.text
    assert re.search(r'id="booking_horizon_days"[^>]*value="366"[^>]*aria-invalid="true"', refused.text)


def test_saving_a_service_with_a_question_shows_it_on_the_join_page(client, org):
    sign_in(client, org["manager"]["email"])
    service_id = org["north"]["service_ids"][0]
    form = {
        "name_en": "Parcels",
        "name_fi": "Paketit",
        "name_sv": "",
        "name_pl": "",
        "prefix": "A",
        "duration_min": "5",
        "daily_cap": "",
        "position": "0",
        "mode": "inherit",
        "is_open": "1",
        "q-0-id": "",
        "q-0-type": "choice",
        "q-0-required": "1",
        "q-0-label-en": "What is it about?",
        "q-0-options-en": "Sending\nCollecting",
    }
    response = client.post(f"/admin/services/{service_id}", data=form)
    assert response.status_code == 303
    assert "Saved." in client.get(response.headers["Location"]).text
    join = client.get(f"/join/north/{service_id}?lang=en").text
    assert "What is it about?" in join and "Collecting" in join
    assert "Parcels" in client.get("/join/north?lang=en").text
    with read_session() as session:
        assert session.get(Service, service_id).questions[0]["options"][1]["value"] == "collecting"


def test_a_bad_question_keeps_every_row_that_was_typed(client, org):
    sign_in(client, org["manager"]["email"])
    service_id = org["north"]["service_ids"][0]
    form = {
        "name_en": "Service A",
        "prefix": "A",
        "duration_min": "5",
        "mode": "inherit",
        "is_open": "1",
        "q-0-type": "text",
        "q-0-label-en": "Your reference",
        "q-1-type": "choice",
        "q-1-label-en": "Topic",
        "q-1-options-en": "Only one",
    }
    response = client.post(f"/admin/services/{service_id}", data=form)
    assert response.status_code == 422
    assert 'value="Your reference"' in response.text and ">Only one</textarea>" in response.text
    assert re.search(r'class="question invalid"[^>]*data-index="1"', response.text)


def test_a_new_password_is_never_shown_back(client, org):
    sign_in(client, org["admin"]["email"])
    form = {"name": "X", "email": "not-an-address", "password": "secret-typed-1", "role": "staff"}
    response = client.post("/admin/users/new", data=form)
    assert response.status_code == 422 and "secret-typed-1" not in response.text
    assert 'value="not-an-address"' in response.text


def test_the_audit_page_says_who_changed_what(client, org):
    sign_in(client, org["admin"]["email"])
    client.post(f"/admin/locations/{org['north']['id']}", data=location_form(display_message="Closed at 15"))
    page = client.get(f"/admin/audit?location={org['north']['id']}").text
    assert "Ada Admin" in page and "Message on the waiting-room display" in page and "Closed at 15" in page
    assert "Sam Staff" not in client.get(f"/admin/audit?location={org['south']['id']}").text


def test_a_language_chosen_in_the_header_stays_for_the_next_pages(client, org):
    sign_in(client, org["manager"]["email"])
    assert "Toimipisteet" in client.get("/admin/?lang=fi").text
    assert "Asetukset" in client.get(f"/admin/locations/{org['north']['id']}").text


def test_a_manager_gives_a_location_its_own_feedback_form(client, org):
    from qserve.insights.feedback import form_for

    sign_in(client, org["manager"]["email"])
    path = f"/admin/locations/{org['north']['id']}/feedback"
    form = {
        "enabled": "1",
        "valid_hours": "24",
        "f-0-key": "",
        "f-0-kind": "choice",
        "f-0-texts-en": "Was it quick?",
        "f-0-texts-fi": "Oliko nopeaa?",
        "f-0-choices-en": "Yes\nNo",
        "f-0-choices-fi": "Kyllä\nEi",
    }
    bad = client.post(path, data=form | {"f-0-choices-fi": "Kyllä"})
    assert bad.status_code == 422 and ">Kyllä</textarea>" in bad.text
    assert client.post(path, data=form).status_code == 303
    with read_session() as session:
        saved = form_for(
            session, organization_id=org["north"]["organization_id"], location_id=org["north"]["id"]
        )
    assert saved["valid_hours"] == 24 and saved["ask_recommendation"] is False
    assert saved["questions"] == [
        {
            "key": "was_it_quick",
            "kind": "choice",
            "texts": {"en": "Was it quick?", "fi": "Oliko nopeaa?"},
            "choices": [
                {"key": "yes", "texts": {"en": "Yes", "fi": "Kyllä"}},
                {"key": "no", "texts": {"en": "No", "fi": "Ei"}},
            ],
        }
    ]
    assert (
        client.post("/admin/feedback", data=form).status_code == 403
    )  # the organization's form is for admins


def test_counters_kiosks_and_modes_are_configured_through_their_pages(client, org):
    from qserve.models import Counter, Kiosk

    sign_in(client, org["manager"]["email"])
    north = org["north"]["id"]
    first = org["north"]["service_ids"][0]
    response = client.post(
        f"/admin/locations/{north}/counters", data={"name": "9", "service_ids": [str(first)]}
    )
    assert response.status_code == 303
    clash = client.post(f"/admin/locations/{north}/counters", data={"name": "1", "service_ids": [str(first)]})
    assert clash.status_code == 422 and 'id="counter-new"' in clash.text
    kiosk = {
        "name": "Door",
        "slug": "door",
        "is_active": "1",
        "printer_kind": "network",
        "printer_host": "10.1.1.9",
    }
    assert client.post(f"/admin/locations/{north}/kiosks/new", data=kiosk).status_code == 303
    assert "10.1.1.9" in client.get(f"/admin/locations/{north}/kiosks").text
    mode = client.post(f"/admin/locations/{north}/mode", data={"mode": "appointments", "hybrid_share": ""})
    assert mode.status_code == 303
    with read_session() as session:
        assert session.query(Counter).filter_by(location_id=north, name="9").one().services[0].id == first
        assert session.query(Kiosk).filter_by(slug="door").one().printer["host"] == "10.1.1.9"
        assert session.get(Location, north).mode == "appointments"
        kinds = [e.entity_type for e in session.query(AuditEntry).order_by(AuditEntry.id)]
    assert kinds == ["counter", "kiosk", "location"]


@pytest.mark.parametrize("bad", ["abc", "1.5", "", "99999999999999999999"])
def test_a_tampered_id_in_a_form_is_refused_not_a_server_error(client, org, bad):
    sign_in(client, org["admin"]["email"])
    north = org["north"]["id"]
    counters = f"/admin/locations/{north}/counters"
    assert client.post(counters, data={"name": "9", "service_ids": [bad]}).status_code == 422
    assert client.post(counters, data={"counter_id": bad or "x", "name": "9"}).status_code == 422
    account = {"name": "Anna", "role": "staff", "location_ids": [bad], "active": "1"}
    assert client.post(f"/admin/users/{org['staff']['id']}", data=account).status_code == 422


def test_an_admin_creates_an_account_that_can_sign_in_and_resets_its_password(client, org, app):
    sign_in(client, org["admin"]["email"])
    form = {
        "name": "Nina",
        "email": "nina@example.org",
        "password": "first-pass-1",
        "role": "staff",
        "location_ids": [str(org["north"]["id"])],
    }
    response = client.post("/admin/users/new", data=form)
    assert response.status_code == 303
    user_path = response.headers["Location"]
    assert client.post(user_path + "/password", data={"new_password": "short"}).status_code == 422
    assert client.post(user_path + "/password", data={"new_password": "second-pass-2"}).status_code == 303
    other = app.test_client()
    assert (
        other.post("/login", data={"email": "nina@example.org", "password": "second-pass-2"}).status_code
        == 302
    )
    assert other.get("/admin/").status_code == 403
