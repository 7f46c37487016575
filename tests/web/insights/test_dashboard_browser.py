"""The dashboard in headless Chromium on demo data: two locations side by side, screenshot kept."""

from __future__ import annotations

import threading

import pytest
from werkzeug.serving import make_server

from qserve.db import utcnow
from tests.web.conftest import sign_in


@pytest.fixture
def served(app):
    """Serve the test app (demo data, insights routes) on a loopback port from a thread."""
    from qserve.demo import PASSWORD, load_demo

    load_demo(days=21, now=utcnow())
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", PASSWORD
    server.shutdown()
    thread.join()


def test_the_dashboard_shows_helsinki_and_warsaw_side_by_side(browser, served, artifacts):
    base, password = served
    page = browser.new_page(viewport={"width": 1600, "height": 1000})
    sign_in(page, base, "manager@demo.qserve", password)
    page.goto(base + "/manage/?locations=helsinki&locations=warsaw&target=10")
    columns = page.locator(".side-by-side > section.location")
    assert columns.count() == 2
    first, second = (columns.nth(i).bounding_box() for i in range(2))
    assert abs(first["y"] - second["y"]) < 1 and second["x"] > first["x"] + first["width"] - 1
    assert page.locator("#summary thead th").all_inner_texts()[1:] == page.locator(
        ".side-by-side h2"
    ).evaluate_all("nodes => nodes.map(n => n.firstChild.textContent.trim())")
    page.screenshot(path=str(artifacts / "dashboard-compare-two-locations.png"), full_page=True)
    page.close()


@pytest.mark.parametrize("language", ["sv", "pl"])
def test_the_manager_pages_fit_a_phone_and_a_laptop_in_swedish_and_polish(
    browser, served, artifacts, language
):
    base, password = served
    page = browser.new_page(viewport={"width": 390, "height": 844})
    sign_in(page, base, "manager@demo.qserve", password)
    pages = ("/manage/?locations=helsinki&locations=warsaw", "/manage/reports", "/manage/appointments/warsaw")
    for path in pages:
        page.goto(f"{base}{path}{'&' if '?' in path else '?'}lang={language}")
        # wide tables scroll inside their panels; the page itself never scrolls sideways
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, path
    page.screenshot(path=str(artifacts / f"dashboard-{language}-390.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{base}/manage/?locations=helsinki&locations=warsaw&lang={language}")
    for table in page.locator(".side-by-side table.groups").all():  # every column inside its panel
        assert table.evaluate("t => t.scrollWidth <= t.parentElement.clientWidth")
    page.close()
