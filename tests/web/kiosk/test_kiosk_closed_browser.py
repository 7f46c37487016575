"""The kiosk in headless Chromium while the location is closed: the services are shown closed with when it
opens, booked customers can still check in, and a tap on a screen that did not know yet is answered kindly
with nothing the customer chose lost. The location opens only on tomorrow's weekday, so it is closed now
whatever the hour the suite runs at."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from qserve.db import read_session, transaction
from qserve.models import Location, Service, Ticket
from tests.integration.kiosk.kiosk_helpers import make_kiosk
from tests.web.mobile.helpers import ALL_DAY

pytestmark = pytest.mark.browser

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
LANDSCAPE = {"width": 1920, "height": 1080}
NAMES = [
    {"en": "Prescriptions", "fi": "Reseptilääkkeet"},
    {"en": "Collect an order", "fi": "Tilauksen nouto"},
]


def open_tomorrow_only() -> dict:
    """Return opening hours with only tomorrow (in Helsinki) open, 09:00 to 17:00: closed now."""
    local = datetime.now(UTC).astimezone(ZoneInfo("Europe/Helsinki"))
    if local.hour == 23 and local.minute >= 58:
        pytest.skip("the day turns over during the test")
    return {day: [] for day in DAYS} | {DAYS[(local.weekday() + 1) % 7]: [["09:00", "17:00"]]}


@pytest.fixture
def pharmacy(live_server, make):
    location = make.location(services=2, name="Kauppatori Pharmacy", languages=["fi", "en"])
    with transaction() as tx:
        for service_id, names in zip(location["service_ids"], NAMES, strict=True):
            tx.session.get(Service, service_id).names = names
    make_kiosk(location, languages=["fi", "en"])
    return location, f"{live_server.url}/kiosk/{location['slug']}/entrance"


def set_hours(location: dict, hours: dict) -> None:
    with transaction() as tx:
        tx.session.get(Location, location["id"]).opening_hours = hours


def tickets_at(location: dict) -> int:
    with read_session() as session:
        return session.query(Ticket).filter(Ticket.location_id == location["id"]).count()


def test_while_closed_the_kiosk_says_when_it_opens_and_still_checks_in_bookings(browser, pharmacy, artifacts):
    location, url = pharmacy
    set_hours(location, open_tomorrow_only())
    page = browser.new_page(viewport=LANDSCAPE)
    page.goto(url)
    page.wait_for_selector(".service-button")
    lead = page.locator("#start .lead")
    expect(lead).to_have_text("Nyt suljettu. Avataan huomenna klo 9.00.")
    expect(lead).to_have_class(re.compile(r"\bclosed\b"))
    buttons = page.locator(".service-button")
    for index in range(2):
        expect(buttons.nth(index)).to_be_disabled()
        expect(buttons.nth(index).locator(".wait")).to_have_text("Suljettu")
    expect(page.locator("#appointment")).to_be_enabled()
    page.screenshot(path=artifacts / "kiosk-closed-fi.png")

    page.get_by_role("button", name="English").click()
    expect(lead).to_have_text("Closed now. Opens tomorrow at 09:00.")
    page.screenshot(path=artifacts / "kiosk-closed-en.png")
    page.get_by_role("button", name="I have an appointment").click()
    expect(page.locator("#booking-panel")).to_be_visible()  # booked customers still check in
    page.close()


def test_a_tap_after_closing_on_a_screen_that_did_not_know_is_answered_kindly(browser, pharmacy, artifacts):
    location, url = pharmacy
    set_hours(location, ALL_DAY)
    page = browser.new_page(viewport=LANDSCAPE)
    page.goto(url)
    page.get_by_role("button", name="English").click()
    page.get_by_role("button", name="SMS updates").click()
    for digit in "0401234567":
        page.click(f"#phone-keys [data-key='{digit}']")
    page.get_by_role("button", name="Done").click()
    set_hours(location, open_tomorrow_only())  # the location closes; the screen has not refreshed yet

    page.get_by_role("button", name="Prescriptions").click()
    note = page.locator("#start-note")
    expect(note).to_have_text("We are closed now, so no numbers are given. Please come back when we open.")
    expect(page.locator("#start .lead")).to_have_text("Closed now. Opens tomorrow at 09:00.")
    expect(page.get_by_role("button", name="Prescriptions")).to_be_disabled()
    assert page.locator("#sms-label").inner_text() == "SMS to 0401234567"  # nothing chosen is lost
    assert page.evaluate("document.documentElement.lang") == "en"
    page.screenshot(path=artifacts / "kiosk-closed-tap-en.png")
    assert tickets_at(location) == 0
    page.close()
