"""The administration pages in headless Chromium: an admin renames a service and adds questions, customers
see them at once, and the change log says who did it. Screenshots of the main pages are kept for people."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from tests.factories import PASSWORD
from tests.web.conftest import sign_in

SHOTS = Path(os.environ.get("QSERVE_ADMIN_SHOTS", "/tmp/shots/admin"))
VIEWPORTS = {"tablet": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}


@pytest.fixture
def config_overrides():
    """Serve with CSRF protection on, as in production."""
    return {"WTF_CSRF_ENABLED": True}


@pytest.fixture
def served(app, org):
    """Serve the test app on a loopback port from a thread."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()


def test_an_admin_renames_a_service_and_adds_questions_that_customers_see(browser, served, org):
    service_id = org["north"]["service_ids"][0]
    page = browser.new_page(viewport=VIEWPORTS["tablet"])
    sign_in(page, served, org["admin"]["email"], PASSWORD)
    page.goto(f"{served}/admin/services/{service_id}?lang=en")
    page.fill("#name_en", "Parcels and letters")
    page.fill("#q-0-label-en", "Is this your first visit?")
    page.select_option("#q-0-type", "yesno")
    page.check("input[name=q-0-required]")
    page.click("#add-question")
    assert page.locator("#q-1-options-en").is_hidden()
    page.select_option("#q-1-type", "choice")
    assert page.locator("#q-1-options-en").is_visible()
    page.fill("#q-1-label-en", "What do you bring?")
    page.fill("#q-1-options-en", "A parcel\nA letter")
    page.click("#service-form button[type=submit].primary")
    page.wait_for_load_state("networkidle")
    assert page.locator(".notice").inner_text() == "Saved."
    assert page.locator("#q-1-label-en").input_value() == "What do you bring?"

    customer = browser.new_page(viewport=VIEWPORTS["phone"])
    customer.goto(f"{served}/join/{org['north']['slug']}?lang=en")
    assert "Parcels and letters" in customer.content()
    customer.goto(f"{served}/join/{org['north']['slug']}/{service_id}?lang=en")
    text = customer.locator("main").inner_text()
    assert "Is this your first visit?" in text and "What do you bring?" in text and "A letter" in text
    customer.close()

    page.goto(f"{served}/admin/audit?location={org['north']['id']}&lang=en")
    row = page.locator("#audit tbody tr").first
    assert "Ada Admin" in row.inner_text() and "Parcels and letters" in row.inner_text()
    assert "Questions before the visit" in row.inner_text()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "tablet-audit-after-change.png"), full_page=True)
    page.set_viewport_size(VIEWPORTS["phone"])
    assert _no_sideways_scroll(page)
    page.screenshot(path=str(SHOTS / "phone-audit-after-change.png"), full_page=True)
    page.close()


def _no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth + 1")


def test_the_main_admin_pages_fit_a_tablet_and_a_phone(browser, served, org):
    SHOTS.mkdir(parents=True, exist_ok=True)
    north, service_id = org["north"]["id"], org["north"]["service_ids"][0]
    pages = {
        "index": "/admin/",
        "location": f"/admin/locations/{north}",
        "services": f"/admin/locations/{north}/services",
        "service": f"/admin/services/{service_id}",
        "counters": f"/admin/locations/{north}/counters",
        "kiosk": f"/admin/locations/{north}/kiosks/new",
        "feedback": f"/admin/locations/{north}/feedback",
        "notifications": f"/admin/locations/{north}/notifications",
        "users": "/admin/users",
        "audit": "/admin/audit",
    }
    for device, viewport in VIEWPORTS.items():
        page = browser.new_page(viewport=viewport)
        sign_in(page, served, org["admin"]["email"], PASSWORD)
        page.goto(f"{served}/admin/locations/{north}?lang=fi")
        page.fill("#hours_mon", "8-16")
        page.click("#location-form button[type=submit]")
        assert page.locator("#problem").is_visible() and page.locator("#hours_mon").input_value() == "8-16"
        page.screenshot(path=str(SHOTS / f"{device}-location-error.png"), full_page=True)
        for name, path in pages.items():
            page.goto(f"{served}{path}?lang=en")
            assert _no_sideways_scroll(page), f"{name} scrolls sideways on a {device}"
            page.screenshot(path=str(SHOTS / f"{device}-{name}.png"), full_page=True)
        page.close()
