"""Each screen of the kiosk has its heading and sits in the page's main landmark, in Swedish and Polish."""

from __future__ import annotations

import pytest

from qserve.db import transaction
from qserve.models import Service
from tests.integration.kiosk.kiosk_helpers import make_kiosk
from tests.web.mobile.helpers import ALL_DAY, LOAN_QUESTIONS

pytestmark = pytest.mark.browser

# The kiosk forbids zooming on purpose (a public touchscreen), so meta-viewport is not asked here.
RULES = ["page-has-heading-one", "landmark-one-main", "region", "heading-order", "empty-heading"]
VIOLATIONS = """(rules) => axe.run(document, {runOnly: rules}).then((r) => r.violations.map((v) => v.id))"""
SERIOUS = """() => axe.run(document).then((r) => r.violations
    .filter((v) => ["serious", "critical"].includes(v.impact)).map((v) => v.id))"""


@pytest.mark.parametrize("language", ["Svenska", "Polski"])
def test_every_kiosk_screen_has_a_heading_inside_the_main_landmark(
    browser, live_server, make, printer, language
):
    location = make.location(services=2, opening_hours=ALL_DAY, languages=["sv", "pl", "en"])
    with transaction() as tx:
        tx.session.get(Service, location["service_ids"][0]).questions = LOAN_QUESTIONS[:1]
    make_kiosk(location, printer=printer.config, offers_assistance=True)
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    page.goto(f"{live_server.url}/kiosk/{location['slug']}/entrance")
    page.wait_for_selector(".service-button")
    page.add_script_tag(url="/static/vendor/axe.min.js")
    page.get_by_role("button", name=language, exact=True).click()
    seen = {}
    for screen, step in [
        ("start", None),
        ("phone-panel", "#sms"),
        ("start", "#phone-done"),
        ("booking-panel", "#appointment"),
        ("start", "#booking-back"),
        ("question-panel", ".service-button >> nth=0"),
        ("result", "#question-answers .answer >> nth=0"),
    ]:
        if step:
            page.wait_for_timeout(450)  # the kiosk ignores a second tap that comes too soon
            page.click(step)
        page.wait_for_selector(f"#{screen}:not([hidden])")
        seen[screen] = page.evaluate(VIOLATIONS, RULES) + page.evaluate(SERIOUS)
    assert seen == dict.fromkeys(["start", "phone-panel", "booking-panel", "question-panel", "result"], [])
    page.close()
