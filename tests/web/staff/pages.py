"""Helpers for driving the staff tablet and the waiting-room display in headless Chromium."""

from __future__ import annotations

from tests.factories import PASSWORD
from tests.web.conftest import sign_in

TABLET = {"width": 1280, "height": 800}
DISPLAY = {"width": 1920, "height": 1080}
# Record what the display would say instead of asking a speech engine headless Chromium may not have.
SPEECH_RECORDER = """
window.__spoken = [];
window.speechSynthesis.speak = (utterance) => {
  window.__spoken.push({text: utterance.text, lang: utterance.lang});
  setTimeout(() => utterance.onend && utterance.onend(), 5);
};
"""


def open_tablet(
    browser,
    base_url: str,
    user: dict,
    location: dict,
    counter_index: int = 0,
    serving: list[int] | None = None,
):
    """Sign a staff member in on a tablet-sized page, open a counter (serving only some of its services when
    asked) and return the tablet page."""
    context = browser.new_context(viewport=TABLET)
    page = context.new_page()
    sign_in(page, base_url, user["email"], PASSWORD)
    counter_id = location["counter_ids"][counter_index]
    page.goto(f"{base_url}/staff/{location['slug']}/{counter_id}/open")
    if serving:
        for box in page.locator("input[name=service_ids]").all():
            box.set_checked(int(box.get_attribute("value")) in serving)
    page.click("button[type=submit].primary")
    page.wait_for_selector("#connection[data-online='1']")
    return page


def open_display(browser, base_url: str, location: dict):
    """Open a location's display at full-HD size with speech recorded, once its socket is connected."""
    context = browser.new_context(viewport=DISPLAY)
    context.add_init_script(SPEECH_RECORDER)
    page = context.new_page()
    page.goto(f"{base_url}/display/{location['slug']}")
    page.wait_for_selector("body[data-online='1']")
    return page


def current_number(page) -> str:
    """Return the number in the tablet's current-customer panel ('' when nobody is there)."""
    if page.locator("#current-body").is_hidden():
        return ""
    return page.locator("#cur-number").inner_text()


def serious_violations(page) -> list[dict]:
    """Run axe-core on the page and return its serious and critical violations."""
    page.add_script_tag(url="/static/vendor/axe.min.js")
    result = page.evaluate("async () => await axe.run(document)")
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def click_together(pages, selector: str, delay_ms: int = 400) -> None:
    """Click the same control on several pages at one wall-clock moment."""
    at = pages[0].evaluate("() => Date.now()") + delay_ms
    for page in pages:
        page.evaluate(
            "([selector, at]) => setTimeout(() => document.querySelector(selector).click(), at - Date.now())",
            [selector, at],
        )
    pages[0].wait_for_timeout(delay_ms + 50)


def tab_to(page, selector: str, limit: int = 20) -> None:
    """Press Tab until the element matching a selector has the focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"Tab never reached {selector}")
