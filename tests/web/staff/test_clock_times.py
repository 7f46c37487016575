"""Clock times on the tablet and the display are written as the server writes them for the language: CLDR's
Finnish "9.05" (Babel's format_time short, as on the booking pages), not the browser's two-digit "09.05"."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from tests.web.mobile.helpers import bank_branch
from tests.web.staff.pages import open_tablet

NINE_FIVE = "2026-01-15T07:05:00+00:00"  # 9.05 in Helsinki
SERVER_TIME = re.compile(r'"server_time": ?"[^"]+"')


def test_the_tablet_writes_a_finnish_booking_time_without_a_leading_zero(live_server, browser, make):
    branch = bank_branch(make, services=2)
    user = make.user(organization_id=branch["organization_id"], location_ids=[branch["id"]])
    slot = datetime(2026, 1, 15, 7, 20, tzinfo=UTC)  # 9.20 in Helsinki
    make.ticket(location=branch, service_index=1, channel="appointment", appointment_at=slot)
    tablet = open_tablet(browser, live_server.url, user, branch)
    tablet.goto(tablet.url + "?lang=fi")
    tablet.wait_for_selector("#queues .mark.appointment")
    assert tablet.locator("#queues .mark.appointment").inner_text() == "Varaus 9.20"
    tablet.context.close()


def test_the_displays_clock_is_written_the_finnish_way(live_server, browser, make):
    branch = bank_branch(make, languages=["fi", "en"])

    def at_nine_five(route):
        response = route.fetch()
        route.fulfill(
            response=response, body=SERVER_TIME.sub(f'"server_time": "{NINE_FIVE}"', response.text())
        )

    context = browser.new_context(viewport={"width": 1920, "height": 1080})
    context.route(re.compile(r".*/display/[^/]+(/state)?$"), at_nine_five)
    display = context.new_page()
    display.goto(f"{live_server.url}/display/{branch['slug']}")
    display.wait_for_selector("body[data-online='1']")
    display.wait_for_function(
        "() => /^9\\.0[56]$/.test(document.getElementById('clock-time').textContent)", timeout=5000
    )
    # The display polls its state: a fetch under way when the context closes must not fail a later test.
    context.unroute_all(behavior="ignoreErrors")
    context.close()
