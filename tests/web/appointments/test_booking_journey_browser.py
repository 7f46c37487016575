"""The whole booked visit in headless Chromium: book on the phone, get the reminder, check in, be called.

The phone pages run at 390x844 and the staff pages at 1280x800 against a live server; the reminder job runs
here with a fixed clock and its SMS reaches the Twilio stand-in on loopback.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from qserve.appointments.services import book_appointment
from qserve.db import get_db, transaction, utcnow
from qserve.models import Location, Service
from qserve.notify.dispatch import deliver_due
from qserve.notify.setup import app_channels
from qserve.notify.usecases import enqueue_timed_messages
from tests.factories import PASSWORD
from tests.integration.appointments.helpers import make_bookable
from tests.support.fake_twilio import ACCOUNT_SID, AUTH_TOKEN, FakeTwilio
from tests.web.appointments.test_booking_pages import ALL_DAY, EARLY
from tests.web.conftest import sign_in
from tests.web.staff.pages import TABLET, open_tablet

PHONE_SIZE = {"width": 390, "height": 844}
ZONE = "Europe/Helsinki"
PHONE_NUMBER = "+358401234567"
QUESTIONS = [
    {"id": "topic", "type": "choice", "required": True, "label": {"en": "What is it about?"},
     "options": [{"value": "loan", "label": {"en": "A loan"}}, {"value": "card", "label": {"en": "A card"}}]},
    {"id": "first", "type": "yesno", "label": {"en": "Is this your first visit?"}},
]  # fmt: skip


@pytest.fixture(scope="module")
def twilio():
    """Run the Twilio API stand-in for the module."""
    fake = FakeTwilio().start()
    yield fake
    fake.stop()


@pytest.fixture
def config_overrides(twilio, live_server):
    """Point this process's app (which runs the reminder job) at the stand-in and the live server's URL."""
    return {
        "PUBLIC_URL": live_server.url,
        "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
        "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "TWILIO_FROM_NUMBER": "+15005550006",
        "TWILIO_BASE_URL": twilio.base_url,
    }


@pytest.fixture
def shots(artifacts):
    """Return a function saving a screenshot under artifacts/appointments/."""
    folder = artifacts / "appointments"
    folder.mkdir(parents=True, exist_ok=True)

    def shoot(page, name: str, *, full_page: bool = True) -> None:
        page.screenshot(path=str(folder / f"{name}.png"), full_page=full_page, animations="disabled")

    return shoot


@pytest.fixture
def branch(make):
    location = make_bookable(make, mode="appointments", counters=1, settings=EARLY | {"phone_region": "FI"})
    with transaction() as tx:
        tx.session.get(Location, location["id"]).opening_hours = ALL_DAY
        tx.session.get(Service, location["service_ids"][0]).questions = QUESTIONS
    staff = make.user(organization_id=location["organization_id"], location_ids=[location["id"]])
    manager = make.user(organization_id=location["organization_id"], role="manager")
    return {"location": location, "staff": staff, "manager": manager}


def phone_page(browser):
    context = browser.new_context(viewport=PHONE_SIZE, is_mobile=True, has_touch=True, locale="en-GB")
    context.add_init_script("navigator.vibrate = () => true;")
    return context.new_page()


def run_reminder_job(app, now: datetime) -> None:
    """Do what the scheduler does at `now`: write the due reminders, then deliver what is due."""
    enqueue_timed_messages(now=now)
    deliver_due(get_db().Session, now=now, channels=app_channels(app))


def test_book_on_the_phone_get_reminded_check_in_and_be_called(
    live_server, browser, app, make, branch, twilio, shots
):
    location = branch["location"]
    url, slug, service_id = live_server.url, location["slug"], location["service_ids"][0]
    tomorrow = (utcnow().astimezone(ZoneInfo(ZONE)) + timedelta(days=1)).date()
    page = phone_page(browser)

    # Walk-ins are sent to book: this location takes appointments only.
    page.goto(f"{url}/join/{slug}/{service_id}")
    expect(page.locator("#book-instead")).to_be_visible()
    shots(page, "phone-1-walk-in-refused-390x844")
    page.click("#book-instead")
    page.wait_for_url(f"**/book/{slug}")
    shots(page, "phone-2-services-390x844")
    page.click("a.service")
    page.click(f"a[href='?date={tomorrow.isoformat()}']")
    page.wait_for_url(f"**date={tomorrow.isoformat()}")
    page.check("label:has-text('12:00') input[name=starts_at]")
    starts_at = datetime.fromisoformat(page.input_value("label:has-text('12:00') input[name=starts_at]"))
    page.fill("#name", "Aino Virtanen")
    page.fill("#phone", "12")
    page.click("#book")
    expect(page.locator("#error-summary")).to_be_visible()
    assert page.input_value("#name") == "Aino Virtanen" and page.is_checked(
        "input[value='" + starts_at.isoformat() + "']"
    )
    shots(page, "phone-3-form-errors-390x844")
    page.fill("#phone", "040 123 4567")
    page.check("input[name='answers.topic'][value='loan']")
    page.check("input[name='answers.first'][value='yes']")
    page.click("#book")
    page.wait_for_url("**/booking/*")
    code = page.inner_text("#code")
    expect(page.locator("#when")).to_contain_text("12:00")
    shots(page, "phone-4-confirmation-390x844")

    # The reminder job at a fixed clock an hour before the slot: the confirmation and the reminder go out.
    run_reminder_job(app, starts_at - timedelta(hours=1))
    texts = twilio.bodies_to(PHONE_NUMBER)
    assert texts[0].startswith("Booked: Service A at ") and code in texts[0]
    assert len(texts) == 2 and texts[1].startswith("Reminder: Service A at ") and "at 12:00" in texts[1]
    link = re.search(r"https?://\S+", texts[1]).group(0)
    assert link == f"{url}/booking/{code.replace('-', '')}"

    # The customer opens the link from the text message and taps "I am here".
    page.goto(link)
    page.click("#here")
    page.wait_for_url("**/t/*")
    expect(page.locator("#live")).not_to_be_empty()
    shots(page, "phone-5-checked-in-390x844")

    tablet = open_tablet(browser, url, branch["staff"], location)
    expect(tablet.locator("#queues .mark.appointment").first).to_contain_text("12:00")
    shots(tablet, "staff-1-queue-with-appointment-1280x800", full_page=False)
    tablet.click("#call-next")
    expect(page.locator("#turn")).to_be_visible(timeout=3000)
    expect(page.locator("#turn-title")).to_have_text("It’s your turn")
    expect(page.locator("#turn-counter")).to_have_text("Counter 1")
    shots(page, "phone-6-your-turn-390x844", full_page=False)
    shots(tablet, "staff-2-called-1280x800", full_page=False)

    # A second customer, booked for later today, is found and checked in by staff at the desk.
    later_today = today_slot(location, not_before=utcnow() + timedelta(minutes=20))
    book_appointment(
        location_slug=slug,
        service_id=service_id,
        starts_at=later_today,
        now=utcnow(),
        name="Kim Berg",
        answers={"topic": "card"},
    )
    tablet.click("#bookings-link")
    tablet.wait_for_url(f"**/staff/{slug}/bookings*")
    tablet.fill("#q", "berg")
    tablet.press("#q", "Enter")
    expect(tablet.locator("#bookings tbody tr")).to_have_count(1)
    shots(tablet, "staff-3-bookings-search-1280x800", full_page=False)
    tablet.click("#bookings button.check-in")
    expect(tablet.locator("#checked")).to_contain_text("A002")
    expect(tablet.locator("#bookings .state.checked_in")).to_contain_text("A002")
    shots(tablet, "staff-4-checked-in-at-the-desk-1280x800", full_page=False)
    tablet.click("#back-to-tablet")
    expect(tablet.locator("#queues .number").first).to_have_text("A002")
    expect(tablet.locator("#queues .mark.appointment").first).to_be_visible()


def today_slot(location: dict, *, not_before: datetime) -> datetime:
    """Return today's first free slot of the first service starting after a moment (skip late at night)."""
    from qserve.appointments.services import list_slots

    day = utcnow().astimezone(ZoneInfo(ZONE)).date()
    found = list_slots(
        location_slug=location["slug"], service_id=location["service_ids"][0], day=day, now=not_before
    )
    free = [slot for slot in found if slot["available"]]
    if not free:
        pytest.skip("no slot left today in the location's time zone")
    return datetime.fromisoformat(free[0]["starts_at"])


def test_staff_desk_and_manager_figures_at_phone_and_tablet_width(live_server, browser, make, branch, shots):
    location = branch["location"]
    slug = location["slug"]
    for name in ("Aino Virtanen", "Kim Berg", "Ola Nordmann"):
        booking = book_appointment(
            location_slug=slug,
            service_id=location["service_ids"][0],
            starts_at=today_slot(location, not_before=utcnow() + timedelta(minutes=20)),
            now=utcnow(),
            name=name,
            answers={"topic": "card"},
        )
    for label, size in (("1280x800", TABLET), ("390x844", PHONE_SIZE)):
        staff_page = browser.new_context(viewport=size).new_page()
        sign_in(staff_page, live_server.url, branch["staff"]["email"], PASSWORD)
        staff_page.goto(f"{live_server.url}/staff/{slug}/bookings")
        expect(staff_page.locator("#bookings tbody tr")).to_have_count(3)
        shots(staff_page, f"staff-5-bookings-{label}")
        manager_page = browser.new_context(viewport=size).new_page()
        sign_in(manager_page, live_server.url, branch["manager"]["email"], PASSWORD)
        manager_page.goto(f"{live_server.url}/manage/appointments/{slug}")
        expect(manager_page.locator("#totals")).to_contain_text("3")
        shots(manager_page, f"manager-figures-{label}")
        booking_page = browser.new_context(viewport=size).new_page()
        for step, path in enumerate(
            (f"/book/{slug}", f"/book/{slug}/{location['service_ids'][0]}", f"/booking/{booking['code']}")
        ):
            booking_page.goto(live_server.url + path)
            shots(booking_page, f"booking-{step + 1}-{label}", full_page=False)
        staff_page.context.close()
        manager_page.context.close()
        booking_page.context.close()


def test_the_booking_pages_speak_the_language_chosen_on_the_phone_pages(live_server, browser, branch, shots):
    from qserve.db import read_session
    from qserve.models.appointment import Appointment

    location = branch["location"]
    url, slug = live_server.url, location["slug"]
    page = phone_page(browser)
    page.goto(f"{url}/join/{slug}?lang=fi")  # chosen once on the phone pages, kept in their cookie
    page.goto(f"{url}/book/{slug}")
    expect(page.locator("h1")).to_have_text("Varaa käynti")
    page.click("a.service")
    page.locator(".days a").nth(1).click()  # tomorrow: late in the evening today has no time left to book
    page.wait_for_url("**date=*")
    expect(page.locator(".days a[aria-current]")).to_contain_text(re.compile(r"^(ma|ti|ke|to|pe|la|su) "))
    page.locator("input[name=starts_at]").last.check()
    page.check("input[name='answers.topic'][value='card']")
    shots(page, "phone-fi-1-slots-390x844", full_page=False)
    page.click("#book")
    page.wait_for_url("**/booking/*")
    expect(page.locator("h1")).to_have_text("Varauksesi")
    expect(page.locator("#status")).to_have_text("Varattu")
    shots(page, "phone-fi-2-confirmation-390x844")
    page.click("nav.langs a[hreflang=sv]")
    expect(page.locator("h1")).to_have_text("Din bokning")
    code = page.inner_text("#code").replace("-", "")
    with read_session() as session:
        assert session.query(Appointment).filter(Appointment.code == code).one().language == "fi"
