"""The manager's booking figures on a phone: every figure's label fits its cell, in the longest language."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from qserve.db import transaction
from qserve.models import Location
from tests.factories import PASSWORD
from tests.integration.appointments.helpers import make_bookable
from tests.web.appointments.test_booking_pages import ALL_DAY
from tests.web.conftest import sign_in

PHONE_SIZE = {"width": 390, "height": 844}
OVERFLOWING_LABELS = """() => [...document.querySelectorAll('#figures td[data-label]')]
    .filter((cell) => cell.scrollWidth > cell.clientWidth + 1)
    .map((cell) => cell.dataset.label)"""


@pytest.mark.parametrize("language", ["pl", "fi", "sv", "en"])
def test_the_labels_of_the_figures_fit_their_cells_on_a_phone(live_server, browser, make, language):
    location = make_bookable(make, mode="hybrid")
    with transaction() as tx:
        tx.session.get(Location, location["id"]).opening_hours = ALL_DAY
    manager = make.user(organization_id=location["organization_id"], role="manager")
    page = browser.new_context(viewport=PHONE_SIZE, is_mobile=True, has_touch=True).new_page()
    sign_in(page, live_server.url, manager["email"], PASSWORD)
    page.goto(f"{live_server.url}/manage/appointments/{location['slug']}?lang={language}")
    expect(page.locator("#totals")).to_be_visible()
    assert page.evaluate(OVERFLOWING_LABELS) == []
