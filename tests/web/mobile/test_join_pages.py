"""Join pages, no-script ticket actions, the manifest and the service worker, through the test client."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from qserve.db import read_session
from qserve.mobile.wording import wait_bounds
from qserve.models import Ticket
from qserve.services.calling import act_on_ticket, call_ticket
from tests.web.conftest import own_database
from tests.web.mobile.helpers import LOAN_ANSWERS, bank_branch, change_location, change_service

database_url = own_database()


def text_of(response) -> str:
    """Return a page's visible text with tags dropped and spaces squeezed."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", response.get_data(as_text=True), flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def test_the_service_list_shows_waiting_counts_and_a_wait_range(client, make):
    branch = bank_branch(make)
    for _ in range(4):
        make.ticket(location=branch, answers=LOAN_ANSWERS)
    page = text_of(client.get(f"/join/{branch['slug']}?lang=en"))
    assert re.search(r"Loans 4 waiting · wait \d+–\d+ minutes", page)
    assert "Open today until midnight" in page
    # The range listed is the one a join is then told (the learned estimate: nobody serves yet).
    join = f"/api/v1/locations/{branch['slug']}/tickets"
    told = client.post(join, json={"service_id": branch["service_ids"][1]}).get_json()["estimated_wait"]
    low, high = wait_bounds(told)
    expected = f"up to {high} minutes" if low == 0 else f"{low}–{high} minutes"
    assert f"Cash and quick errands 0 waiting · wait {expected}" in page


def test_closed_and_full_services_say_so_and_cannot_be_joined(client, make):
    branch = bank_branch(make, services=3)
    loans, cash, accounts = branch["service_ids"]
    change_service(cash, is_open=False)
    change_service(accounts, daily_cap=1)
    make.ticket(location=branch, service_index=2)
    response = client.get(f"/join/{branch['slug']}?lang=en")
    page = text_of(response)
    assert "Kontanter" not in page and "Cash and quick errands Closed now" in page
    assert "Accounts and cards No more tickets today" in page
    html = response.get_data(as_text=True)
    assert f"/join/{branch['slug']}/{loans}" in html
    assert f"/join/{branch['slug']}/{cash}" not in html and f"/join/{branch['slug']}/{accounts}" not in html


def test_joining_a_closed_service_offers_the_other_queues_and_locations(client, make):
    branch = bank_branch(make)
    other = make.location(organization_id=branch["organization_id"], name="Espoo Mall")
    change_service(branch["service_ids"][0], is_open=False)
    response = client.post(
        f"/join/{branch['slug']}/{branch['service_ids'][0]}?lang=en", data={"language": "en"}
    )
    assert response.status_code == 409
    page = text_of(response)
    assert "This service is closed now." in page
    assert "You can join another queue here Cash and quick errands" in page
    assert "Join the queue at Espoo Mall" in page
    assert f'href="/join/{other["slug"]}"' in response.get_data(as_text=True)


def test_an_appointment_is_offered_only_where_that_mode_is_on(app, make):
    app.add_url_rule("/book/<slug>", "booking_stand_in", lambda slug: f"book at {slug}")
    client = app.test_client()
    hybrid = bank_branch(make, mode="hybrid")
    walk_in = bank_branch(make, mode="queue")
    for branch in (hybrid, walk_in):
        change_service(branch["service_ids"][0], is_open=False)
    offered = client.get(f"/join/{hybrid['slug']}/{hybrid['service_ids'][0]}?lang=en")
    assert f'href="/book/{hybrid["slug"]}"' in offered.get_data(as_text=True)
    assert "Book an appointment" in text_of(offered)
    not_offered = client.get(f"/join/{walk_in['slug']}/{walk_in['service_ids'][0]}?lang=en")
    assert "Book an appointment" not in text_of(not_offered)


def test_a_long_wait_warns_that_the_customer_may_not_be_served_today(client, make):
    branch = bank_branch(make)
    local = datetime.now(UTC).astimezone(ZoneInfo("Europe/Helsinki"))
    if local.hour >= 23:
        pytest.skip("needs an hour left before midnight in Helsinki")
    closing = (local + timedelta(minutes=30)).strftime("%H:%M")
    today = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")[local.weekday()]
    change_location(branch["id"], opening_hours={today: [["00:00", closing]]})
    for _ in range(8):
        make.ticket(location=branch, answers=LOAN_ANSWERS)
    page = text_of(client.get(f"/join/{branch['slug']}?lang=en"))
    assert f"Open today until {closing}" in page
    loans = page[page.index("Loans") : page.index("Cash and quick errands")]
    assert "You may not be served today" in loans
    assert "You may not be served today" not in page[page.index("Cash and quick errands") :]


def test_after_closing_time_the_page_says_so(client, make):
    branch = bank_branch(make)
    change_location(
        branch["id"],
        opening_hours={"exceptions": {}, "mon": []}
        | {day: [] for day in ("tue", "wed", "thu", "fri", "sat", "sun")},
    )
    page = text_of(client.get(f"/join/{branch['slug']}?lang=en"))
    assert "Closed for today. You may not be served today." in page


def test_while_closed_the_page_says_when_the_location_opens_and_does_not_repeat_it_per_service(client, make):
    from babel.dates import format_date

    branch = bank_branch(make)
    local = datetime.now(UTC).astimezone(ZoneInfo("Europe/Helsinki"))
    if local.hour == 23 and local.minute >= 58:
        pytest.skip("the day turns over during the test")
    days = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
    tomorrow = days[(local.weekday() + 1) % 7]
    change_location(branch["id"], opening_hours={day: [] for day in days} | {tomorrow: [["09:00", "17:00"]]})
    page = text_of(client.get(f"/join/{branch['slug']}?lang=en"))
    assert re.search(r"Closed now\. Opens tomorrow at 0?9:00\.", page)
    assert "You may not be served today" not in page
    form = text_of(client.get(f"/join/{branch['slug']}/{branch['service_ids'][1]}?lang=en"))
    assert re.search(r"Closed now\. Opens tomorrow at 0?9:00\.", form)

    later = local.date() + timedelta(days=3)
    change_location(
        branch["id"], opening_hours={day: [] for day in days} | {days[later.weekday()]: [["09:00", "17:00"]]}
    )
    page = text_of(client.get(f"/join/{branch['slug']}?lang=fi"))
    on_that_day = format_date(later, "EEEE", locale="fi")  # 'torstaina': Finnish says 'on Thursday' so
    assert re.search(rf"Nyt suljettu\. Avataan {on_that_day} klo 0?9\.00\.", page)


@pytest.mark.parametrize(
    "config_overrides",
    [{"RATELIMIT_ENABLED": True, "RATELIMIT_JOIN": "3 per minute", "RATELIMIT_JOIN_PER_PHONE": "1 per hour"}],
)
def test_joining_is_rate_limited_per_address_and_per_phone(client, make, config_overrides):
    branch = bank_branch(make)
    url = f"/join/{branch['slug']}/{branch['service_ids'][1]}?lang=en"
    assert client.post(url, data={"phone": "040 123 4567"}).status_code == 303
    again = client.post(url, data={"phone": "+358 40 123 4567"})  # the same number typed another way
    assert again.status_code == 429
    assert "Too many attempts from this phone or connection." in text_of(again)
    assert client.post(url, data={}).status_code == 303  # no phone: only the address limit applies
    assert client.post(url, data={}).status_code == 429
    assert client.get(url).status_code == 200  # looking is never limited


@pytest.mark.parametrize("config_overrides", [{"WTF_CSRF_ENABLED": True}])
def test_a_form_without_its_security_token_is_refused_in_the_customers_language(
    client, make, config_overrides
):
    branch = bank_branch(make)
    response = client.post(f"/join/{branch['slug']}/{branch['service_ids'][1]}?lang=sv", data={})
    assert response.status_code == 400
    assert "Formuläret har gått ut." in text_of(response)


def test_the_form_asks_only_the_services_own_questions(client, make):
    branch = bank_branch(make)
    loans = text_of(client.get(f"/join/{branch['slug']}/{branch['service_ids'][0]}?lang=fi"))
    cash = text_of(client.get(f"/join/{branch['slug']}/{branch['service_ids'][1]}?lang=fi"))
    assert "Mihin laina on?" in loans and "Asunto" in loans and "Oletko jo asiakkaamme?" in loans
    assert "Mihin laina on?" not in cash


def test_refused_fields_are_all_explained_and_what_was_typed_is_kept(client, make):
    branch = bank_branch(make)
    form = {"name": "Ada Lovelace", "phone": "12", "email": "ada@", "language": "en", "answers.note": "late"}
    response = client.post(f"/join/{branch['slug']}/{branch['service_ids'][0]}?lang=en", data=form)
    assert response.status_code == 422
    html, page = response.get_data(as_text=True), text_of(response)
    assert "This does not look like a phone number." in page
    assert "This does not look like an e-mail address." in page
    assert "Please answer: What is the loan for?" in page  # the required choice, named in the summary
    assert 'value="Ada Lovelace"' in html and 'value="12"' in html and 'value="late"' in html
    assert 'aria-invalid="true"' in html and 'href="#answers-purpose"' in html


def test_a_second_ticket_for_the_same_phone_is_refused_on_the_phone_field(client, make):
    branch = bank_branch(make)
    url = f"/join/{branch['slug']}/{branch['service_ids'][1]}?lang=en"
    first = client.post(url, data={"phone": "040 123 4567", "language": "en"})
    assert first.status_code == 303
    second = client.post(url, data={"phone": "+358401234567", "language": "en"})
    assert second.status_code == 422
    assert "This phone number already has a ticket in line here." in text_of(second)


def test_joining_stores_the_language_on_the_ticket_and_opens_its_page(client, make):
    branch = bank_branch(make)
    form = {
        "name": "Matti",
        "phone": "",
        "language": "sv",
        "answers.purpose": "car",
        "answers.customer": "yes",
    }
    response = client.post(f"/join/{branch['slug']}/{branch['service_ids'][0]}?lang=fi", data=form)
    assert response.status_code == 303
    token = response.headers["Location"].rsplit("/", 1)[1]
    ticket = client.get(f"/api/v1/tickets/{token}").get_json()
    assert ticket["language"] == "sv" and ticket["status"] == "waiting"
    assert client.get_cookie("lang").value == "sv"
    page = client.get(response.headers["Location"])
    assert '<html lang="sv">' in page.get_data(as_text=True) and "Lån" in text_of(page)


def test_the_ticket_page_speaks_the_tickets_language_until_another_is_chosen(app, make):
    branch = bank_branch(make)
    token = _join(app, branch, language="pl")
    fresh = app.test_client()
    assert '<html lang="pl">' in fresh.get(f"/t/{token}").get_data(as_text=True)
    switched = fresh.get(f"/t/{token}?lang=fi")
    assert '<html lang="fi">' in switched.get_data(as_text=True)
    assert "lang=fi" in switched.headers["Set-Cookie"]
    assert '<html lang="fi">' in fresh.get(f"/t/{token}").get_data(as_text=True)
    assert switched.headers["Cache-Control"] == "no-store"


def test_the_cancel_page_without_script_speaks_the_tickets_language(app, make):
    """A Polish ticket on a phone set to English: its ticket page is Polish, and so is the page that asks
    whether to cancel it (it said 'Cancel your ticket?')."""
    branch = bank_branch(make)
    token = _join(app, branch, language="pl")
    page = app.test_client().get(f"/t/{token}/cancel", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert '<html lang="pl">' in page.get_data(as_text=True)
    assert "Anulować numerek?" in text_of(page) and "Tak, anuluj mój numerek" in text_of(page)


def test_the_ticket_page_says_what_is_ahead_in_words(client, make):
    branch = bank_branch(make)
    now = datetime.now(UTC)
    make.ticket(
        location=branch, service_index=1, channel="appointment", appointment_at=now - timedelta(minutes=1)
    )
    make.ticket(location=branch, service_index=1)
    make.ticket(location=branch, service_index=1)
    token = _join(client.application, branch, service_index=1)
    page = text_of(client.get(f"/t/{token}?lang=en"))
    assert "3 people ahead of you, 1 of them with an appointment" in page
    assert re.search(r"Estimated wait \d+–\d+ minutes Probably around \d\d:\d\d", page)
    polish = text_of(client.get(f"/t/{token}?lang=pl"))
    assert "3 osoby przed tobą, w tym 1 z umówioną wizytą" in polish


def test_a_checked_in_booking_sees_its_slot_time_on_the_ticket_page(client, make):
    from sqlalchemy import select

    from qserve.db import read_session
    from qserve.models import Ticket

    branch = bank_branch(make)
    slot = datetime(2026, 11, 23, 10, 30, tzinfo=UTC)  # 12:30 in Helsinki
    ticket_id = make.ticket(
        location=branch, service_index=1, channel="appointment", appointment_at=slot, now=slot
    )
    with read_session() as session:
        token = session.scalar(select(Ticket.public_token).where(Ticket.id == ticket_id))
    assert "Your appointment: 12:30" in text_of(client.get(f"/t/{token}?lang=en"))
    assert "Varattu aikasi: klo 12.30" in text_of(client.get(f"/t/{token}?lang=fi"))
    walk_in = _join(client.application, branch, service_index=1)
    assert "Your appointment" not in text_of(client.get(f"/t/{walk_in}?lang=en"))


def test_without_script_the_customer_can_ask_for_more_time_and_cancel(client, make):
    branch = bank_branch(make)
    token = _join(client.application, branch, service_index=1)
    for _ in range(3):
        make.ticket(location=branch, service_index=1)
    moved = client.post(f"/t/{token}/postpone?lang=en", follow_redirects=True)
    assert "Done: you have a little more time." in text_of(moved)
    assert "3 people ahead of you" in text_of(moved)
    assert "Cancel your ticket?" in text_of(client.get(f"/t/{token}/cancel?lang=en"))
    cancelled = client.post(f"/t/{token}/cancel", follow_redirects=True)
    assert "Your ticket is cancelled." in text_of(cancelled)


def test_without_script_the_last_in_line_hears_that_nobody_is_behind(client, make):
    branch = bank_branch(make)
    token = _join(client.application, branch, service_index=1)
    response = client.post(f"/t/{token}/postpone?lang=fi", follow_redirects=True)
    refused = text_of(response)
    assert 'class="note refused"' in response.get_data(as_text=True)
    assert "Takanasi ei ole vielä ketään, joten sinulla on jo eniten aikaa." in refused
    assert "Lisäaikaa ei voi pyytää enää." not in refused


def test_without_script_a_cancel_sent_after_serving_began_says_it_was_not_done(client, make):
    branch = bank_branch(make)
    staff = make.user(organization_id=branch["organization_id"], location_ids=[branch["id"]])
    token = _join(client.application, branch, service_index=1, language="fi")
    assert "Perutaanko vuoronumerosi?" in text_of(client.get(f"/t/{token}/cancel?lang=fi"))
    with read_session() as session:  # meanwhile the counter calls the customer and starts serving
        ticket_id = session.scalar(select(Ticket.id).where(Ticket.public_token == token))
    now = datetime.now(UTC)
    call_ticket(
        ticket_id=ticket_id, counter_id=branch["counter_ids"][0], actor=staff["actor"], now=now, reason="test"
    )
    act_on_ticket(ticket_id=ticket_id, action="start", actor=staff["actor"], now=now)

    refused = client.post(f"/t/{token}/cancel", follow_redirects=True)
    assert "Vuoronumeroa ei voi enää perua." in text_of(refused)


def test_without_script_the_ticket_page_reloads_itself_while_the_visit_goes_on(client, make):
    """The page says it updates by itself; without script it keeps that promise by reloading, and stops once
    the ticket is closed."""
    branch = bank_branch(make)
    token = _join(client.application, branch, service_index=1)
    reload = '<noscript><meta http-equiv="refresh" content="30"></noscript>'
    assert reload in client.get(f"/t/{token}").get_data(as_text=True)
    client.post(f"/t/{token}/cancel")
    assert reload not in client.get(f"/t/{token}").get_data(as_text=True)


def test_an_unknown_ticket_gets_a_translated_page(client):
    response = client.get("/t/tnothing?lang=fi")
    assert response.status_code == 404
    assert '<html lang="fi">' in response.get_data(as_text=True)


def test_the_poster_has_a_qr_code_of_the_join_page_in_the_locations_languages(client, make):
    branch = bank_branch(make, languages=["fi", "sv", "en"])
    response = client.get(f"/join/{branch['slug']}/poster?lang=fi")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and '<svg role="img" class="qr"' in html
    assert (
        f"http://127.0.0.1:5000/join/{branch['slug']}" in html
        or f"/join/{branch['slug']}</figcaption>" in html
    )
    assert html.count('class="poster-block"') == 3 and 'lang="sv"' in html


def test_the_manifest_starts_where_it_was_added_and_the_worker_covers_the_site(client):
    manifest = client.get("/manifest.webmanifest?start=/t/tabc&lang=fi")
    assert manifest.mimetype == "application/manifest+json"
    assert manifest.get_json()["start_url"] == "/t/tabc" and manifest.get_json()["scope"] == "/"
    assert client.get("/manifest.webmanifest?start=https://evil.example/").get_json()["start_url"] == "/"
    worker = client.get("/sw.js")
    assert worker.mimetype == "text/javascript" and worker.headers["Service-Worker-Allowed"] == "/"
    assert "showNotification" in worker.get_data(as_text=True)


def _join(app, branch: dict, *, service_index: int = 0, language: str = "en") -> str:
    from qserve.services.tickets import join_queue

    view = join_queue(
        location_slug=branch["slug"],
        service_id=branch["service_ids"][service_index],
        now=datetime.now(UTC),
        language=language,
        answers=LOAN_ANSWERS if service_index == 0 else None,
    )
    return view["token"]


def test_a_location_open_until_midnight_is_said_to_close_at_24_00_not_23_59(app):
    """The late warning's "We close at ..." read 23:59 where the list said "open until midnight"."""
    from qserve.mobile.hours import day_hours
    from qserve.mobile.join import _decorate

    monday_evening = datetime(2026, 12, 7, 18, 0, tzinfo=UTC)
    hours = day_hours({"mon": [["08:00", "24:00"]]}, "Europe/Helsinki", monday_evening)
    from flask_babel import force_locale

    for language, said in (("en", "24:00"), ("fi", "24.00")):
        with app.test_request_context("/"), force_locale(language):
            overview = _decorate({"services": [], "hours": hours, "time_zone": "Europe/Helsinki"})
        assert overview["open_all_day"] and overview["closes_text"] == said


def test_an_unknown_ticket_link_says_the_ticket_cannot_be_found_in_the_language_asked(client):
    response = client.get("/t/tNoSuchTicket123?lang=sv")
    assert response.status_code == 404
    assert "Vi hittar inte den här biljetten." in text_of(response)
    assert "We cannot find this page" not in text_of(client.get("/t/tNoSuchTicket123?lang=en"))
    assert "We cannot find this page" in text_of(client.get("/join/no-such-place?lang=en"))
