"""The booking pages in headless Chromium at phone size: the day picker, the header, the local-time note."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from qserve.db import transaction, utcnow
from qserve.models import Location
from tests.integration.appointments.helpers import make_bookable
from tests.web.appointments.test_booking_pages import ALL_DAY, EARLY, tomorrow

PHONE_SIZE = {"width": 390, "height": 844}
CLOSED = {"en": "closed", "fi": "suljettu", "sv": "stängt", "pl": "nieczynne"}
OVERFLOWING = """(selector) => [...document.querySelectorAll(selector)]
    .filter((element) => element.scrollWidth > element.clientWidth + 1)
    .map((element) => element.textContent.trim())"""


@pytest.fixture
def branch(make):
    """A bookable location with a long name, closed on Sundays."""
    location = make_bookable(make, settings=EARLY, name="Helsinki Central Station, Ticket Office")
    hours = {day: ALL_DAY[day] for day in ("mon", "tue", "wed", "thu", "fri", "sat")}
    with transaction() as tx:
        tx.session.get(Location, location["id"]).opening_hours = hours
    return location


def phone(browser, *, time_zone: str = "Europe/Helsinki"):
    context = browser.new_context(viewport=PHONE_SIZE, is_mobile=True, has_touch=True, timezone_id=time_zone)
    return context.new_page()


@pytest.fixture
def shots(artifacts):
    folder = artifacts / "appointments"
    folder.mkdir(parents=True, exist_ok=True)
    return lambda page, name: page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


@pytest.mark.parametrize("language", ["en", "fi", "sv", "pl"])
def test_two_weeks_of_days_fit_a_phone_with_closed_days_in_their_place(
    live_server, browser, branch, shots, language
):
    """The days ran in one row that scrolled sideways (three and a half shown of fourteen), closed days
    alike; and the header cut the location's name short."""
    page = phone(browser)
    page.goto(f"{live_server.url}/book/{branch['slug']}/{branch['service_ids'][0]}?lang={language}")
    days = page.locator("#days li")
    expect(days).to_have_count(14)
    assert page.evaluate(OVERFLOWING, "#days, #days li, #days a, #days .day") == []
    tops = [box["y"] for box in (item.bounding_box() for item in days.all())]
    assert len(set(tops)) == 2  # a week a row
    today = utcnow().astimezone(ZoneInfo("Europe/Helsinki")).date()
    linked = days.evaluate_all("(items) => items.map((item) => item.querySelector('a') !== null)")
    for offset, is_link in enumerate(linked[1:], start=1):  # today may have no time left late at night
        assert is_link == ((today + timedelta(days=offset)).weekday() != 6), offset
    expect(page.locator("#days .day.closed").last).to_contain_text(CLOSED[language])  # said, not only grey
    assert page.evaluate(OVERFLOWING, "header .brand") == []
    expect(page.locator("header .brand")).to_have_text("Helsinki Central Station, Ticket Office")
    shots(page, f"phone-days-{language}-390x844")


@pytest.mark.parametrize(
    ("time_zone", "said"),
    [("Europe/Helsinki", False), ("Europe/Tallinn", False), ("America/New_York", True), ("Asia/Tokyo", True)],
)
def test_the_local_time_note_shows_only_on_a_phone_whose_clock_is_elsewhere(
    live_server, browser, branch, time_zone, said
):
    """Tallinn's clock reads as Helsinki's all year: its visitors need no note either."""
    page = phone(browser, time_zone=time_zone)
    page.goto(f"{live_server.url}/book/{branch['slug']}/{branch['service_ids'][0]}?date={tomorrow()}")
    for step in ("slots", "booking"):
        note = page.locator(".zone-note")
        expect(note).to_have_count(1)
        if said:
            expect(note).to_be_visible()
            expect(note).to_have_text("All times are local time in Helsinki.")
        else:
            expect(note).to_be_hidden()
        expect(page.locator("main")).not_to_contain_text("Europe/Helsinki")
        if step == "slots":
            page.locator("input[name=starts_at]").first.check()
            page.click("#book")
            page.wait_for_url("**/booking/*")


AXE = "() => axe.run(document).then((result) => result.violations.map((violation) => violation.id))"


def axe_violations(page) -> list[str]:
    page.add_script_tag(url="/static/vendor/axe.min.js")
    return page.evaluate(AXE)


def test_the_booking_flow_passes_axe_and_a_refused_form_takes_the_reader_to_its_errors(
    live_server, browser, branch
):
    """The error summary was not focused (the join page's is), and the buttons fell back to the browser's
    own font beside the page's."""
    page = phone(browser)
    page.goto(f"{live_server.url}/book/{branch['slug']}/{branch['service_ids'][0]}?date={tomorrow()}&lang=fi")
    assert axe_violations(page) == []
    page.locator("input[name=starts_at]").first.check()
    page.fill("#phone", "12")
    page.click("#book")
    expect(page.locator("#error-summary")).to_be_focused()
    assert axe_violations(page) == []
    page.fill("#phone", "")
    page.click("#book")
    page.wait_for_url("**/booking/*")
    assert axe_violations(page) == []
    font = "(selector) => getComputedStyle(document.querySelector(selector)).fontFamily"
    assert page.evaluate(font, "#here") == page.evaluate(font, "body")
    page.click("#reschedule")
    expect(page.locator("section.current #code")).to_be_visible()
    assert axe_violations(page) == []


@pytest.mark.parametrize("language", ["en", "fi"])
def test_later_and_earlier_move_the_days_two_weeks_without_the_page_script(
    live_server, browser, branch, shots, language
):
    """The picker ended two weeks ahead while bookings are taken 60 days ahead."""
    context = browser.new_context(viewport=PHONE_SIZE, is_mobile=True, java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server.url}/book/{branch['slug']}/{branch['service_ids'][0]}?lang={language}")
    today = utcnow().astimezone(ZoneInfo("Europe/Helsinki")).date()
    expect(page.locator("#earlier")).to_have_count(0)
    page.click("#later")
    page.wait_for_url(f"**from={today + timedelta(days=14)}**")
    expect(page.locator("#days li")).to_have_count(14)
    assert page.evaluate(OVERFLOWING, ".weeks, .weeks a") == []
    shots(page, f"phone-later-weeks-{language}-390x844")
    page.click("#earlier")
    page.wait_for_url(f"**from={today}**")
    expect(page.locator("#earlier")).to_have_count(0)
    context.close()
