"""Every page works under qserve's content security policy, and every response carries the security headers
(qserve/security.py): pages on demo data in Chromium, each watched for a policy violation."""

from __future__ import annotations

import pytest
import requests
from playwright.sync_api import expect

from tests.web.conftest import sign_in
from tests.web.mobile.helpers import ALL_DAY

WATCH_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  const where = `${event.sourceFile}:${event.lineNumber}`;
  window.__violations.push(`${event.violatedDirective} ${event.blockedURI} ${where}`);
});
"""


@pytest.fixture(scope="module")
def demo(live_server):
    """Load the demo into the live server's database, its locations open round the clock: the pages are
    checked here, not the hours (outside them a customer's join is refused and no join form is offered)."""
    from sqlalchemy import update

    from qserve import create_app
    from qserve.config import TestConfig
    from qserve.db import transaction
    from qserve.demo import PASSWORD, load_demo
    from qserve.models import Location

    app = create_app(TestConfig(database_url=live_server.database_url))
    with app.app_context():
        load_demo(days=2)
        with transaction() as tx:
            tx.session.execute(update(Location).values(opening_hours=ALL_DAY))
    app.extensions["qserve.db"].dispose()
    return live_server.url, PASSWORD


def violations(page) -> list[str]:
    return page.evaluate("window.__violations")


@pytest.fixture
def watched(browser):
    """Return a function that opens a fresh page at a viewport, watched for policy violations."""
    contexts = []

    def open_page(width: int = 390, height: int = 844):
        context = browser.new_context(viewport={"width": width, "height": height})
        context.add_init_script(WATCH_VIOLATIONS)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


def test_pages_and_answers_carry_the_security_headers(live_server):
    for path in ("/healthz", "/join/nowhere", "/api/v1/locations", "/login"):
        headers = requests.get(live_server.url + path, timeout=10).headers
        assert "script-src 'self'" in headers["Content-Security-Policy"], path
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"], path
        assert headers["X-Frame-Options"] == "DENY", path
        assert headers["X-Content-Type-Options"] == "nosniff", path
        assert headers["Referrer-Policy"] == "same-origin", path


def test_the_waiting_room_display_may_be_framed_by_a_signage_player(live_server):
    headers = requests.get(live_server.url + "/display/nowhere", timeout=10).headers
    assert "frame-ancestors" not in headers["Content-Security-Policy"]
    assert "X-Frame-Options" not in headers
    assert "script-src 'self'" in headers["Content-Security-Policy"]


def test_the_customer_pages_run_under_the_policy(demo, watched):
    base, _password = demo
    page = watched()
    page.goto(base + "/join/helsinki")
    page.locator("a.service-link").first.click()
    page.fill("#email", "not-an-address")
    page.click("button[type=submit]")  # the error summary takes the focus by itself
    expect(page.locator("#error-summary")).to_be_focused()
    assert violations(page) == []

    joined = requests.post(f"{base}/api/v1/locations/helsinki/tickets", json={"service_id": 1}, timeout=10)
    page.goto(joined.json()["url"])
    expect(page.locator("#live")).to_have_attribute("data-socket", "watching")  # the WebSocket is allowed
    assert violations(page) == []

    page.goto(base + "/join/helsinki/poster")
    expect(page.locator("#print-poster")).to_be_visible()
    page.evaluate("window.print = () => { window.__printed = true; }")
    page.click("#print-poster")
    assert page.evaluate("window.__printed") is True
    page.goto(base + "/book/helsinki")
    assert violations(page) == []


def test_the_kiosk_and_the_display_run_under_the_policy(demo, watched):
    base, _password = demo
    kiosk = watched(1080, 1920)
    kiosk.goto(base + "/kiosk/helsinki/entrance")
    expect(kiosk.locator("button.service-button").first).to_be_visible()
    display = watched(1920, 1080)
    display.goto(base + "/display/helsinki")
    display.wait_for_load_state("networkidle")
    assert violations(kiosk) == [] and violations(display) == []


def test_the_staff_manager_and_admin_pages_run_under_the_policy(demo, watched):
    base, password = demo
    for email, path in (
        ("anna@demo.qserve", "/staff/"),
        ("manager@demo.qserve", "/manage/"),
        ("admin@demo.qserve", "/admin/"),
    ):
        page = watched(1280, 900)
        sign_in(page, base, email, password)
        page.goto(base + path)
        page.wait_for_load_state("networkidle")
        assert "/login" not in page.url
        assert violations(page) == [], path
