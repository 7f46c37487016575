"""The waiting-room display in Swedish and Polish: every service's whole name in sight, and the call spoken
in each of the location's languages with that language's voice."""

from __future__ import annotations

import pytest

from tests.web.mobile.helpers import Staff, bank_branch
from tests.web.staff.pages import open_display

# Each service name against its own box: cut off at the side, or clamped to fewer lines than it needs.
CLIPPED_NAMES = """() => [...document.querySelectorAll("#waiting-list .name")]
    .filter((name) => name.scrollWidth > name.clientWidth + 1 || name.scrollHeight > name.clientHeight + 1)
    .map((name) => name.textContent)"""
SPOKEN = {
    "sv": {"lang": "sv", "text": "Nummer A 1, lucka 1"},
    "pl": {"lang": "pl", "text": "Numer A 1, stanowisko 1"},
    "en": {"lang": "en", "text": "Ticket A 1, counter 1"},
}


@pytest.mark.parametrize("languages", [["sv", "en"], ["pl", "en"]], ids=["sv", "pl"])
def test_the_display_shows_whole_service_names_and_speaks_each_language(
    live_server, browser, make, languages, artifacts
):
    branch = bank_branch(make, services=3, languages=languages)
    for index in range(3):
        make.ticket(location=branch, service_index=index, answers={"purpose": "home"} if index == 0 else {})
    display = open_display(browser, live_server.url, branch)
    Staff(make, branch, live_server.url).call_next(branch["counter_ids"][0])
    display.wait_for_function("() => document.getElementById('now-number').textContent === 'A001'")
    display.wait_for_function(f"() => window.__spoken.length === {len(languages)}")
    assert display.evaluate("() => window.__spoken") == [SPOKEN[language] for language in languages]
    assert display.evaluate("document.documentElement.lang") == languages[0]
    for width, height in [(1920, 1080), (1280, 720)]:
        display.set_viewport_size({"width": width, "height": height})
        display.wait_for_timeout(100)
        display.screenshot(path=artifacts / f"display-{languages[0]}-{width}x{height}.png")
        assert display.evaluate(CLIPPED_NAMES) == [], (width, height)
    display.context.close()
