"""The staff tablet on a small (1024x768) screen: what must be acted on within seconds is in sight."""

from __future__ import annotations

import pytest

from tests.web.mobile.helpers import LOAN_ANSWERS, bank_branch
from tests.web.staff.pages import open_tablet

IN_SIGHT = """(selector) => {
    const box = document.querySelector(selector).getBoundingClientRect();
    return box.top >= 0 && box.left >= 0 && box.bottom <= innerHeight && box.right <= innerWidth;
}"""


@pytest.mark.parametrize("language", ["fi", "sv", "pl"])
def test_the_undo_button_is_in_sight_while_it_lasts_on_a_small_tablet(
    live_server, browser, make, language, artifacts
):
    """A called customer with a name and answered questions fills the left column: the undo bar (eight
    seconds to take back a call) was below its fold, and its button half cut off."""
    branch = bank_branch(make, services=2)
    user = make.user(organization_id=branch["organization_id"], location_ids=[branch["id"]])
    make.ticket(location=branch, answers=LOAN_ANSWERS, name="Małgorzata Wiśniewska-Kowalczyk")
    tablet = open_tablet(browser, live_server.url, user, branch)
    tablet.set_viewport_size({"width": 1024, "height": 768})
    tablet.goto(tablet.url + f"?lang={language}")
    tablet.wait_for_selector("#connection[data-online='1']")
    tablet.wait_for_selector("#queues .row")
    tablet.keyboard.press("n")
    tablet.wait_for_selector("#undo:not([hidden])")
    tablet.screenshot(path=artifacts / f"staff-tablet-undo-1024x768-{language}.png")
    assert tablet.evaluate(IN_SIGHT, "#undo-button")
    tablet.context.close()
