"""A customer on a 360 px phone joins, follows the line live, is called, asks for more time and cancels."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest
import requests
from playwright.sync_api import expect

from tests.web.mobile.helpers import LOAN_ANSWERS, Staff, bank_branch

LANGUAGES = ["en", "fi", "sv", "pl"]
SAY = {
    "en": {
        "errors": "Please check the form",
        "ahead_3": "3 people ahead of you, 1 of them with an appointment",
        "ahead_2": "2 people ahead of you",
        "ahead_1": "1 person ahead of you",
        "ahead_4": "4 people ahead of you",
        "next": "You are next.",
        "turn": "It’s your turn",
        "counter": "Counter 4",
        "postponed": "Done: you have a little more time.",
        "cancelled": "Your ticket is cancelled.",
    },
    "fi": {
        "errors": "Tarkista lomake",
        "ahead_3": "Edelläsi on 3 henkilöä, heistä ajanvarauksella 1",
        "ahead_2": "Edelläsi on 2 henkilöä",
        "ahead_1": "Edelläsi on 1 henkilö",
        "ahead_4": "Edelläsi on 4 henkilöä",
        "next": "Olet seuraava.",
        "turn": "Sinun vuorosi",
        "counter": "Palvelupiste 4",
        "postponed": "Selvä: sait vähän lisää aikaa.",
        "cancelled": "Vuoronumerosi on peruttu.",
    },
    "sv": {
        "errors": "Kontrollera formuläret",
        "ahead_3": "3 personer före dig, varav 1 med bokad tid",
        "ahead_2": "2 personer före dig",
        "ahead_1": "1 person före dig",
        "ahead_4": "4 personer före dig",
        "next": "Du är näst på tur.",
        "turn": "Det är din tur",
        "counter": "Lucka 4",
        "postponed": "Klart: du har fått lite mer tid.",
        "cancelled": "Din kölapp är avbokad.",
    },
    "pl": {
        "errors": "Sprawdź formularz",
        "ahead_3": "3 osoby przed tobą, w tym 1 z umówioną wizytą",
        "ahead_2": "2 osoby przed tobą",
        "ahead_1": "1 osoba przed tobą",
        "ahead_4": "4 osoby przed tobą",
        "next": "Za chwilę twoja kolej.",
        "turn": "Twoja kolej",
        "counter": "Stanowisko 4",
        "postponed": "Gotowe: masz trochę więcej czasu.",
        "cancelled": "Twój numerek został anulowany.",
    },
}


@pytest.mark.timed
@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_customer_joins_sees_the_line_move_and_is_called_within_a_second(
    live_server, phone, make, shots, lang
):
    say = SAY[lang]
    branch = bank_branch(make, counters=4)
    due = datetime.now(UTC) - timedelta(minutes=2)
    make.ticket(location=branch, answers=LOAN_ANSWERS, channel="appointment", appointment_at=due)
    make.ticket(location=branch, answers=LOAN_ANSWERS)
    make.ticket(location=branch, answers=LOAN_ANSWERS)
    staff = Staff(make, branch, live_server.url)
    page = phone(lang)

    page.goto(f"{live_server.url}/join/{branch['slug']}?lang={lang}")
    shots(page, f"{lang}-1-services")
    page.click(f"a[href$='/join/{branch['slug']}/{branch['service_ids'][0]}']")
    shots(page, f"{lang}-2-form")
    page.fill("#name", "Ada")
    page.fill("#phone", "12345")
    page.click("button[type=submit]")
    expect(page.locator("#error-summary h2")).to_have_text(say["errors"])
    assert page.input_value("#name") == "Ada" and page.input_value("#phone") == "12345"
    shots(page, f"{lang}-3-errors")

    page.check("input[name='answers.purpose'][value='car']")
    page.fill("#phone", "040 765 4321")
    page.click("button[type=submit]")
    page.wait_for_url("**/t/*")
    expect(page.locator("#position")).to_have_text(say["ahead_3"])
    expect(page.locator("#live")).not_to_be_empty()
    page.click("#sound-test")  # what the page invites people to do; it also lets the page play sound later
    shots(page, f"{lang}-4-ticket")

    staff.call_next(branch["counter_ids"][0])
    expect(page.locator("#position")).to_have_text(say["ahead_2"], timeout=3000)
    staff.call_next(branch["counter_ids"][1])
    expect(page.locator("#position")).to_have_text(say["ahead_1"], timeout=3000)
    staff.call_next(branch["counter_ids"][2])
    expect(page.locator("#position")).to_have_text(say["next"], timeout=3000)
    shots(page, f"{lang}-5-next")

    started = time.monotonic()
    staff.call_next(branch["counter_ids"][3])
    expect(page.locator("#turn")).to_be_visible(timeout=1000)
    assert time.monotonic() - started < 1.0
    expect(page.locator("#turn-title")).to_have_text(say["turn"])
    expect(page.locator("#turn-counter")).to_have_text(say["counter"])
    assert page.evaluate("window.__vibrations.length") >= 1
    assert page.get_attribute("#turn", "data-sound") == "played"
    shots(page, f"{lang}-6-your-turn", full_page=False)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_customer_asks_for_more_time_and_then_cancels_with_confirmation(
    live_server, phone, make, shots, lang
):
    say = SAY[lang]
    branch = bank_branch(make)
    make.ticket(location=branch, service_index=1)
    joined = join_second(live_server, branch, lang)
    for _ in range(4):
        make.ticket(location=branch, service_index=1)
    page = phone("en")  # the ticket's own language wins over the browser's

    page.goto(joined["url"])
    expect(page.locator("#position")).to_have_text(say["ahead_1"])
    shots(page, f"{lang}-7-waiting")
    wait_before = page.inner_text("#wait")
    page.click("#postpone")
    expect(page.locator("#position")).to_have_text(say["ahead_4"])
    expect(page.locator("#note")).to_have_text(say["postponed"])
    expect(page.locator("#note")).to_have_class("note")  # done: no warning
    expect(page.locator("#wait")).not_to_have_text(wait_before, timeout=5000)  # the estimate follows
    shots(page, f"{lang}-8-more-time")

    page.click("#cancel")
    expect(page.locator("#cancel-dialog")).to_be_visible()
    shots(page, f"{lang}-9-cancel-confirm")
    page.click("#cancel-yes")
    expect(page.locator("#status")).to_have_text(say["cancelled"])
    expect(page.locator("#again")).to_be_visible()
    expect(page.locator("#cancel")).to_be_hidden()
    shots(page, f"{lang}-10-cancelled")


@pytest.mark.parametrize("lang", ["en", "pl"])
def test_the_last_in_line_asking_for_more_time_is_told_nobody_is_behind(
    live_server, phone, make, shots, lang
):
    notes = {
        "en": "Nobody is waiting behind you yet, so you already have the most time. Ask again once others "
        "have joined.",
        "pl": "Nikt jeszcze nie czeka za tobą, więc masz już najwięcej czasu. Poproś ponownie, gdy dołączą "
        "inne osoby.",
    }
    branch = bank_branch(make)
    make.ticket(location=branch, service_index=1)
    joined = join_second(live_server, branch, lang)
    page = phone(lang)
    page.goto(joined["url"])
    expect(page.locator("#position")).to_have_text(SAY[lang]["ahead_1"])
    page.click("#postpone")
    expect(page.locator("#note")).to_have_text(notes[lang])
    expect(page.locator("#note")).to_have_class("note refused")  # a warning's colour, not the green of done
    expect(page.locator("#position")).to_have_text(SAY[lang]["ahead_1"])  # nothing moved
    expect(page.locator("#postpone")).to_be_enabled()  # and the request is still there for later
    shots(page, f"{lang}-11-last-in-line")


def join_second(live_server, branch: dict, language: str) -> dict:
    """Join the branch's second service through the API in a language; return the new ticket."""
    return requests.post(
        f"{live_server.url}/api/v1/locations/{branch['slug']}/tickets",
        json={"service_id": branch["service_ids"][1], "language": language},
        timeout=10,
    ).json()
