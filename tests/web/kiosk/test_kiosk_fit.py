"""Every service button of the kiosk is in sight, with nothing behind a scroll a customer would not guess,
on the demo's locations in the kiosk screens' sizes and languages, with "I need assistance" switched on."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from qserve.db import read_session, transaction, utcnow
from qserve.models import Location, Service
from tests.integration.kiosk.kiosk_helpers import make_kiosk
from tests.web.mobile.helpers import ALL_DAY

pytestmark = pytest.mark.browser

SCREENS = {
    "landscape-1280x800": {"width": 1280, "height": 800},
    "portrait-1080x1920": {"width": 1080, "height": 1920},
    "portrait-800x1280": {"width": 800, "height": 1280},
}
LANGUAGE_NAMES = {"en": "English", "fi": "Suomi", "sv": "Svenska", "pl": "Polski"}
# Each button's box against the window and against the list that would scroll if it overflowed.
HIDDEN_BUTTONS = """() => {
    const services = document.getElementById("services");
    const list = services.getBoundingClientRect();
    const scrolls = services.scrollHeight > services.clientHeight + 1;
    return [...document.querySelectorAll(".service-button")].filter((button) => {
        const box = button.getBoundingClientRect();
        return scrolls || box.top < 0 || box.left < 0 || box.bottom > innerHeight || box.right > innerWidth
            || box.top < list.top || box.bottom > list.bottom;
    }).map((button) => button.innerText.replace(/\\n/g, " | "));
}"""


def demo_location(slug: str) -> dict:
    """Return a demo location the way the factories describe one."""
    with read_session() as session:
        location = session.scalar(select(Location).where(Location.slug == slug))
        service_ids = session.scalars(
            select(Service.id).where(Service.location_id == location.id).order_by(Service.id)
        ).all()
        return {"id": location.id, "slug": slug, "service_ids": list(service_ids)}


@pytest.fixture
def demo(app, make):
    """Load the demo's locations (no history), open all day, with a line at every service."""
    from qserve.demo import load_demo

    with read_session() as session:
        loaded = session.scalar(select(Location.id).where(Location.slug == "helsinki")) is not None
    load_demo(days=0, now=utcnow())
    locations = {slug: demo_location(slug) for slug in ("helsinki", "warsaw")}
    if not loaded:
        with transaction() as tx:
            for location in locations.values():
                tx.session.get(Location, location["id"]).opening_hours = ALL_DAY
        for location in locations.values():
            for index in range(3):
                for _ in range(12):  # "12 waiting · 25–40 min": the longest line a button shows
                    answers = {"purpose": "home"} if index == 1 else {}  # the loan's question
                    make.ticket(location=location, service_index=index, answers=answers)
    return locations


@pytest.mark.parametrize("screen", SCREENS)
@pytest.mark.parametrize("slug", ["helsinki", "warsaw"])
def test_every_demo_service_is_in_sight_on_the_kiosk_with_assistance_on(
    browser, live_server, demo, slug, screen, artifacts
):
    page = browser.new_page(viewport=SCREENS[screen])
    page.goto(f"{live_server.url}/kiosk/{slug}/entrance")
    page.wait_for_selector(".service-button")
    page.click("#assistance")
    for code, name in LANGUAGE_NAMES.items():
        page.get_by_role("button", name=name, exact=True).click()
        page.wait_for_selector(f"html[lang={code}]")
        assert page.locator(".service-button").count() == 3
        assert page.evaluate(HIDDEN_BUTTONS) == [], (code, screen)
    page.screenshot(path=artifacts / f"kiosk-fit-{slug}-{screen}.png")
    page.close()


def test_four_services_on_a_short_landscape_screen_take_a_compact_size_rather_than_scroll(
    browser, live_server, make, artifacts
):
    location = make.location(services=4, opening_hours=ALL_DAY)
    make_kiosk(location, offers_assistance=True)
    page = browser.new_page(viewport=SCREENS["landscape-1280x800"])
    page.goto(f"{live_server.url}/kiosk/{location['slug']}/entrance")
    page.wait_for_selector(".service-button")
    page.get_by_role("button", name="Polski", exact=True).click()
    page.click("#assistance")
    assert page.evaluate(HIDDEN_BUTTONS) == []
    page.screenshot(path=artifacts / "kiosk-fit-four-services-landscape.png")
    page.click("#assistance")  # the note goes: room again for the full-size buttons
    assert page.evaluate("document.getElementById('services').classList.contains('compact')") is False
    page.close()
