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


def open_tomorrow_only() -> dict:
    """Return opening hours with only tomorrow (in Helsinki) open, 09:00 to 17:00: closed now, whatever the
    hour."""
    local = datetime.now(UTC).astimezone(ZoneInfo("Europe/Helsinki"))
    if local.hour == 23 and local.minute >= 58:
        pytest.skip("the day turns over during the test")
    days = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
    return {day: [] for day in days} | {days[(local.weekday() + 1) % 7]: [["09:00", "17:00"]]}


@pytest.mark.parametrize(
    ("lang", "notice"),
    [
        ("en", "Closed now. Opens tomorrow at 09:00."),
        ("fi", "Nyt suljettu. Avataan huomenna klo 9.00."),
    ],
)
def test_while_the_location_is_closed_the_phone_says_when_it_opens_and_offers_no_join(
    live_server, phone, make, shots, lang, notice
):
    branch = bank_branch(make, name="Helsinki Centre")
    other = make.location(organization_id=branch["organization_id"], name="Espoo Iso Omena")
    change_location(branch["id"], opening_hours=open_tomorrow_only())
    page = phone(lang)
    page.goto(f"{live_server.url}/join/{branch['slug']}?lang={lang}")
    expect(page.locator(".hours.warning")).to_have_text(notice)
    expect(page.locator("a.service-link")).to_have_count(0)
    expect(page.locator(".service.location_closed")).to_have_count(2)
    expect(page.locator(f"a[href='/join/{other['slug']}']")).to_be_visible()
    shots(page, f"{lang}-16-location-closed")

    page.goto(f"{live_server.url}/join/{branch['slug']}/{branch['service_ids'][1]}?lang={lang}")
    expect(page.locator(".hours.warning")).to_have_text(notice)
    expect(page.locator("form.join-form")).to_have_count(0)
    shots(page, f"{lang}-17-location-closed-service")


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


# Each wait range ("35–55 minut", and from an hour "35 min – 3 godz. 20 min") in the page's words, and the
# lines it takes on screen.
RANGE_LINES = """() => {
    const WAIT_RANGE = /\\d+–\\d+ \\S+|\\d+ \\S+(?: \\d+ min)? – \\d+ \\S+(?: \\d+ min)?/g;
    const found = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        for (const match of node.textContent.matchAll(WAIT_RANGE)) {
            const range = document.createRange();
            range.setStart(node, match.index);
            range.setEnd(node, match.index + match[0].length);
            const tops = new Set([...range.getClientRects()].map((rect) => Math.round(rect.top)));
            found.push([match[0], tops.size]);
        }
    }
    return found;
}"""


@pytest.mark.parametrize("lang", ["pl", "sv"])
def test_a_wait_range_is_never_broken_across_two_lines_on_a_phone(live_server, phone, make, lang):
    """'czas oczekiwania 35–' at the end of a line and '200 minut' on the next read as two waits."""
    branch = bank_branch(make, services=3)
    for index in range(3):
        for _ in range(6):
            make.ticket(location=branch, service_index=index, answers=LOAN_ANSWERS if index == 0 else {})
    page = phone(lang)
    for path in ["", f"/{branch['service_ids'][0]}", f"/{branch['service_ids'][1]}"]:
        page.goto(f"{live_server.url}/join/{branch['slug']}{path}?lang={lang}")
        for width in (320, 360, 390):
            page.set_viewport_size({"width": width, "height": 844})
            ranges = page.evaluate(RANGE_LINES)
            assert ranges and all(lines == 1 for _, lines in ranges), (path, width, ranges)
