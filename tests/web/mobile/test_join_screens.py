"""What a customer sees when services are closed, full or late in the day, and the printable poster."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from tests.web.mobile.helpers import LOAN_ANSWERS, bank_branch, change_location, change_service

CLOSED = {"en": "This service is closed now.", "fi": "Tämä palvelu on nyt suljettu."}
LATE = {"en": "You may not be served today", "fi": "Sinua ei ehkä palvella tänään"}


def closing_in_half_an_hour() -> dict:
    """Return opening hours for today that end 30 minutes from now in Helsinki."""
    local = datetime.now(UTC).astimezone(ZoneInfo("Europe/Helsinki"))
    if local.hour == 23 and local.minute >= 25:
        pytest.skip("needs half an hour left before midnight in Helsinki")
    today = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")[local.weekday()]
    return {today: [["00:00", (local + timedelta(minutes=30)).strftime("%H:%M")]]}


@pytest.mark.parametrize("lang", ["en", "fi"])
def test_closed_full_and_late_services_are_explained_with_alternatives(live_server, phone, make, shots, lang):
    branch = bank_branch(make, services=3, mode="hybrid")
    other = make.location(organization_id=branch["organization_id"], name="Espoo Iso Omena")
    loans, cash, accounts = branch["service_ids"]
    change_location(branch["id"], opening_hours=closing_in_half_an_hour())
    change_service(cash, is_open=False)
    change_service(accounts, daily_cap=0)
    for _ in range(6):
        make.ticket(location=branch, answers=LOAN_ANSWERS)
    page = phone(lang)

    page.goto(f"{live_server.url}/join/{branch['slug']}?lang={lang}")
    expect(page.locator(".service.open .warning")).to_contain_text(LATE[lang])
    expect(page.locator(f"a[href='/join/{other['slug']}']")).to_be_visible()
    shots(page, f"{lang}-13-closed-full-late")

    page.goto(f"{live_server.url}/join/{branch['slug']}/{cash}")
    expect(page.locator(".notice")).to_have_text(CLOSED[lang])
    expect(page.locator(f"a[href$='/join/{branch['slug']}/{loans}']")).to_be_visible()
    shots(page, f"{lang}-14-closed-alternatives")


def test_the_poster_prints_a_large_qr_code_in_the_locations_languages(
    live_server, phone, make, shots, artifacts
):
    branch = bank_branch(make, languages=["fi", "sv", "en"], name="Helsinki Centre")
    page = phone("fi")
    page.goto(f"{live_server.url}/join/{branch['slug']}/poster?lang=fi")
    box = page.locator("svg.qr").bounding_box()
    assert box["width"] >= 280 and box["width"] == pytest.approx(box["height"], abs=1)
    expect(page.locator("figcaption")).to_have_text(f"{live_server.url}/join/{branch['slug']}")
    expect(page.locator(".poster-block h2")).to_have_text(
        ["Jonota puhelimellasi", "Ställ dig i kö med mobilen", "Join the queue with your phone"]
    )
    shots(page, "fi-15-poster")
    page.emulate_media(media="print")
    expect(page.locator(".bar")).to_be_hidden()
    expect(page.locator(".no-print")).to_be_hidden()
    pdf = artifacts / "mobile" / "fi-15-poster.pdf"
    page.pdf(path=str(pdf), format="A4", print_background=True)
    assert len(PdfReader(pdf).pages) == 1  # the poster fits one sheet
