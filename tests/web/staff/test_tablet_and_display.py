"""The staff tablet and the waiting-room display in headless Chromium against a real server process."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest

from tests.factories import PASSWORD
from tests.web import conftest as web
from tests.web.conftest import sign_in
from tests.web.staff.pages import (
    TABLET,
    click_together,
    current_number,
    open_display,
    open_tablet,
    serious_violations,
    tab_to,
)

JS_NUMBER_IS = "n => document.getElementById('{id}').textContent === n"


def number_is(page, element_id: str, number: str, timeout: float = 5000) -> None:
    """Wait until an element shows a ticket number."""
    page.wait_for_function(JS_NUMBER_IS.format(id=element_id), arg=number, timeout=timeout)


@pytest.fixture
def branch(make):
    """Seed a location with two services, three counters and three staff members."""
    location = make.location(
        services=2,
        counters=3,
        display_message="Welcome! Please have your ID ready.",
        settings={"no_show_grace_s": 30},
    )
    staff = [
        make.user(organization_id=location["organization_id"], location_ids=[location["id"]], name=name)
        for name in ("Anna Virtanen", "Erik Lindqvist", "Zofia Nowak")
    ]
    return {"location": location, "staff": staff}


def issue(make, location: dict, count: int, service_index: int = 0, minutes_ago: int = 0, **details):
    """Issue tickets one after the other, a second apart so their order is certain."""
    start = datetime.now(UTC) - timedelta(minutes=minutes_ago)
    return [
        make.ticket(
            location=location, service_index=service_index, now=start + timedelta(seconds=i), **details
        )
        for i in range(count)
    ]


@pytest.mark.timed
def test_a_call_from_the_tablet_reaches_the_display_within_a_second_and_both_pass_axe(
    live_server, browser, make, branch, artifacts
):
    location = branch["location"]
    issue(make, location, 1, minutes_ago=14, name="Jane Doe", channel="kiosk", phone="+358401234567")
    issue(make, location, 2, minutes_ago=12)
    issue(make, location, 1, minutes_ago=9, priority=1)
    issue(make, location, 1, minutes_ago=3, appointment_at=datetime.now(UTC) + timedelta(minutes=20))
    issue(make, location, 2, service_index=1, minutes_ago=7)
    display = open_display(browser, live_server.url, location)
    tablet = open_tablet(browser, live_server.url, branch["staff"][0], location)
    tablet.wait_for_selector("#queues .row")

    started = time.monotonic()
    tablet.click("#call-next")  # the priority ticket comes first
    number_is(display, "now-number", "A004", timeout=1000)
    assert time.monotonic() - started < 1.0
    assert display.locator("#now-counter").inner_text() == "1"
    assert display.evaluate("() => window.__spoken")[0] == {"text": "Ticket A 4, counter 1", "lang": "en"}
    display.wait_for_function("() => document.querySelector('#waiting-list .count').textContent === '4'")
    number_is(tablet, "cur-number", "A004")
    tablet.click("[data-action=park]")
    tablet.wait_for_selector("#parked-list button")
    tablet.click("#call-next")
    number_is(display, "now-number", "A001")
    number_is(tablet, "cur-number", "A001")
    assert "Jane Doe" in tablet.locator("[data-fact=name]").inner_text()
    tablet.click("[data-action=start]")
    tablet.wait_for_function("() => document.getElementById('cur-status').dataset.status === 'serving'")
    tablet.click("#call-next")
    number_is(display, "now-number", "A002")
    assert display.locator("#previous-list li").first.inner_text().startswith("A001")
    number_is(tablet, "cur-number", "A002")
    tablet.fill("#cur-notes", "Asked about a new card.")
    tablet.locator("#cur-notes").blur()  # leaving the field saves the notes
    tablet.wait_for_function("() => document.getElementById('notes-status').textContent === 'Saved.'")
    issue(make, location, 1, service_index=1, priority=1)  # seeded behind the server's back ...
    tablet.click("[data-action=recall]")  # ... and on the tablet with the next change it hears of
    tablet.wait_for_selector("#queues .mark.priority")
    display.wait_for_timeout(300)
    tablet.screenshot(path=artifacts / "staff-tablet-1280x800.png")
    display.screenshot(path=artifacts / "display-1920x1080.png")
    size = "() => [document.documentElement.scrollWidth, document.documentElement.scrollHeight]"
    assert display.evaluate(size) == [1920, 1080]
    assert tablet.evaluate(size) == [1280, 800]
    assert serious_violations(tablet) == []
    assert serious_violations(display) == []
    tablet.context.close()
    display.context.close()


def test_a_call_undone_on_the_tablet_leaves_the_display_at_once(live_server, browser, make, branch):
    location = branch["location"]
    issue(make, location, 2)
    display = open_display(browser, live_server.url, location)
    tablet = open_tablet(browser, live_server.url, branch["staff"][0], location)
    tablet.wait_for_selector("#queues .row")
    tablet.keyboard.press("n")
    number_is(display, "now-number", "A001")
    tablet.keyboard.press("u")  # undo: A001 goes back to its place in line
    display.wait_for_selector("#now-empty:not([hidden])", timeout=2000)
    assert display.locator("#now").is_hidden()
    tablet.keyboard.press("n")
    number_is(display, "now-number", "A001")
    tablet.context.close()
    display.context.close()


def test_a_display_whose_socket_is_blocked_still_shows_calls_by_polling(live_server, browser, make, branch):
    from qserve.services.calling import call_next
    from tests.web.staff.pages import DISPLAY

    location = branch["location"]
    issue(make, location, 1)
    context = browser.new_context(viewport=DISPLAY)
    context.route("**/socket.io/**", lambda route: route.abort())  # a proxy that breaks WebSockets
    display = context.new_page()
    display.goto(f"{live_server.url}/display/{location['slug']}")
    display.wait_for_selector("#now-empty:not([hidden])")
    call_next(counter_id=location["counter_ids"][1], actor=branch["staff"][0]["actor"], now=datetime.now(UTC))
    number_is(display, "now-number", "A001", timeout=12000)  # the page polls every 10 s when offline
    assert display.locator("#now-counter").inner_text() == "2"
    context.close()


def test_two_tablets_calling_at_once_never_get_the_same_customer(live_server, browser, make, branch):
    location = branch["location"]
    issue(make, location, 5)
    tablets = [open_tablet(browser, live_server.url, branch["staff"][i], location, i) for i in (0, 1)]
    for tablet in tablets:
        tablet.wait_for_selector("#queues .row")
    seen: list[str] = []
    for _round in range(2):
        before = [current_number(t) for t in tablets]
        click_together(tablets, "#call-next")
        for tablet, old in zip(tablets, before, strict=True):
            tablet.wait_for_function(
                "old => { const b = document.getElementById('current-body');"
                " return !b.hidden && document.getElementById('cur-number').textContent !== old; }",
                arg=old,
            )
        numbers = [current_number(t) for t in tablets]
        assert numbers[0] != numbers[1]
        seen += numbers
        tablets[0].wait_for_timeout(1300)  # past the tablet's guard against an accidental double tap
    assert sorted(seen) == [f"A00{i}" for i in range(1, 5)]
    for tablet in tablets:
        tablet.context.close()


def test_a_collision_shows_a_friendly_message_and_no_one_gets_the_ticket_twice(
    live_server, browser, make, branch
):
    location = branch["location"]
    issue(make, location, 2)
    first, second = (open_tablet(browser, live_server.url, branch["staff"][i], location, i) for i in (0, 1))
    second.wait_for_selector("#queues .row")
    second.click("#queues .row:first-child button")  # Call A001 out of order ...
    second.fill("#call-reason", "Returning customer")
    first.click("#call-next")  # ... while the other counter calls it as next
    number_is(first, "cur-number", "A001")
    second.click("#call-dialog button[value=ok]")
    alert = second.locator("#alerts .toast.collision")
    alert.wait_for()
    assert alert.inner_text().startswith("Someone else got there first")
    assert current_number(second) == ""
    second.wait_for_function("() => !document.querySelector('#queues').textContent.includes('A001')")
    first.context.close()
    second.context.close()


def test_the_tablet_works_with_the_keyboard_alone(live_server, browser, make, branch, artifacts):
    location = branch["location"]
    issue(make, location, 3)
    page = browser.new_context(viewport=TABLET).new_page()
    sign_in(page, live_server.url, branch["staff"][2]["email"], PASSWORD)
    page.goto(live_server.url + "/staff/")  # one location: straight to its counters
    assert serious_violations(page) == []
    page.screenshot(path=artifacts / "staff-counters-1280x800.png")
    tab_to(page, f"a[href$='/{location['counter_ids'][2]}/open']")
    page.keyboard.press("Enter")
    page.wait_for_selector("input[name=service_ids]")
    assert serious_violations(page) == []
    page.screenshot(path=artifacts / "staff-open-counter-1280x800.png")
    tab_to(page, "button.primary")
    page.keyboard.press("Enter")
    page.wait_for_selector("#connection[data-online='1']")
    page.wait_for_selector("#queues .row")
    keys = page.keyboard
    keys.press("n")
    number_is(page, "cur-number", "A001")
    keys.press("u")  # undo the call: A001 goes back to its place
    page.wait_for_selector("#current-body", state="hidden")
    page.wait_for_function("() => document.querySelector('#queues .number').textContent === 'A001'")
    keys.press("n")
    number_is(page, "cur-number", "A001")
    keys.press("r")
    page.wait_for_function("() => document.querySelector('[data-fact=recalls] dd').textContent === '1'")
    keys.press("e")
    keys.type("Needs a receipt")
    keys.press("Escape")
    page.wait_for_function("() => document.getElementById('notes-status').textContent !== ''")
    keys.press("t")  # transfer to service B, to the back of its queue
    assert serious_violations(page) == []
    keys.press("Tab")
    keys.press("ArrowDown")
    keys.press("Enter")
    page.wait_for_selector("#current-body", state="hidden")
    page.wait_for_function("() => document.querySelector('[data-service] ~ [data-service] .number')")
    keys.press("q")  # to the queue: call A002 out of order with a reason
    keys.press("Tab")
    keys.press("Enter")
    keys.type("Appointment")
    keys.press("Enter")
    number_is(page, "cur-number", "A003")  # the first Call button of the queue now belongs to A003
    keys.press("s")
    page.wait_for_function("() => document.getElementById('cur-status').dataset.status === 'serving'")
    keys.press("f")
    page.wait_for_selector("#current-body", state="hidden")
    keys.press("?")
    assert page.locator("#help-dialog").is_visible()
    page.screenshot(path=artifacts / "staff-tablet-shortcuts-1280x800.png")
    keys.press("Escape")
    assert not page.locator("#help-dialog").is_visible()
    page.context.close()


def test_the_display_and_the_tablet_resync_after_a_server_restart(
    live_db, browser, make, branch, monkeypatch, artifacts
):
    from qserve.services import calling

    folder, url = live_db
    server = web.LiveServer(url, folder)
    location, user = branch["location"], branch["staff"][0]
    try:
        issue(make, location, 3)
        display = open_display(browser, server.url, location)
        tablet = open_tablet(browser, server.url, user, location)
        tablet.wait_for_selector("#queues .row")
        server.stop()
        display.wait_for_selector("body[data-online='0']")
        tablet.wait_for_selector("#banner:not([hidden])")
        assert tablet.locator("#banner").inner_text() == "Connection lost. Reconnecting…"
        # While the server is down a colleague's call is committed: the pages must catch up by themselves.
        calling.call_next(
            counter_id=location["counter_ids"][1], actor=branch["staff"][1]["actor"], now=datetime.now(UTC)
        )
        issue(make, location, 1, service_index=1)
        monkeypatch.setattr(web, "free_port", lambda: server.port)
        server = web.LiveServer(url, folder)
        number_is(display, "now-number", "A001", timeout=15000)
        assert display.locator("#now-counter").inner_text() == "2"
        display.wait_for_function("() => window.__spoken.length > 0")
        assert display.evaluate("() => window.__spoken")[0] == {"text": "Ticket A 1, counter 2", "lang": "en"}
        display.wait_for_selector("body[data-online='1']")
        tablet.wait_for_selector("#banner", state="hidden", timeout=15000)
        tablet.wait_for_function("() => document.querySelector('#queues').textContent.includes('B001')")
        assert tablet.locator("#toasts").inner_text() == "Back online. The list is up to date."
        display.screenshot(path=artifacts / "display-after-restart-1920x1080.png")
        display.context.close()
        tablet.context.close()
    finally:
        server.stop()


def test_the_line_under_call_next_is_not_covered_on_a_small_tablet_in_finnish(
    live_server, browser, make, branch
):
    location = branch["location"]
    issue(make, location, 3, name="Maija Meikäläinen")
    tablet = open_tablet(browser, live_server.url, branch["staff"][0], location)
    tablet.set_viewport_size({"width": 1024, "height": 768})
    tablet.goto(tablet.url + "?lang=fi")
    tablet.wait_for_selector("#queues .row")
    tablet.keyboard.press("n")
    number_is(tablet, "cur-number", "A001")
    detail = tablet.locator("#call-next-detail")
    assert "A001" in detail.inner_text()
    fits = "e => e.scrollHeight <= e.clientHeight && e.getBoundingClientRect().bottom <= "
    fits += "document.getElementById('current').getBoundingClientRect().top"
    assert detail.evaluate(fits)
    # Every action's words stay inside its button ("Peru vuoronumero…" ran past the edge).
    past_edge = "buttons => buttons.filter(b => b.offsetParent && b.scrollWidth > b.clientWidth)"
    past_edge += ".map(b => b.innerText)"
    assert tablet.locator(".actions button").evaluate_all(past_edge) == []
    tablet.context.close()


# The gap in pixels between each shortcut badge and the nearest line of its button's words (negative: they
# overlap), for every visible button that has a badge.
BADGE_GAPS = """() => [...document.querySelectorAll("button")]
    .filter((button) => button.offsetParent && button.querySelector("kbd"))
    .map((button) => {
        const badge = button.querySelector("kbd").getBoundingClientRect();
        const walker = document.createTreeWalker(button, NodeFilter.SHOW_TEXT);
        const range = document.createRange();
        const lines = [];
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
            if (node.parentElement.closest("kbd") || !node.textContent.trim()) continue;
            range.selectNodeContents(node);
            lines.push(...range.getClientRects());
        }
        const gaps = lines.map((line) => Math.max(badge.left - line.right, line.left - badge.right,
                                                  badge.top - line.bottom, line.top - badge.bottom));
        return [button.innerText.replace(/\\n/g, " "), Math.min(...gaps)];
    })"""


@pytest.mark.parametrize("language", ["en", "fi", "sv", "pl"])
def test_each_shortcut_badge_keeps_clear_of_its_buttons_words_on_a_small_tablet(
    live_server, browser, make, branch, language, artifacts
):
    location = branch["location"]
    issue(make, location, 2, name="Maija Meikäläinen")
    tablet = open_tablet(browser, live_server.url, branch["staff"][0], location)
    tablet.set_viewport_size({"width": 1024, "height": 768})
    tablet.goto(tablet.url + f"?lang={language}")
    tablet.wait_for_selector("#connection[data-online='1']")
    tablet.wait_for_selector("#queues .row")
    tablet.keyboard.press("n")
    number_is(tablet, "cur-number", "A001")
    tablet.wait_for_selector("#undo:not([hidden])")
    gaps = dict(tablet.evaluate(BADGE_GAPS))
    tablet.screenshot(path=artifacts / f"staff-tablet-badges-1024x768-{language}.png")
    assert len(gaps) == 9  # call next, the seven actions on the current customer, undo
    assert {label: gap for label, gap in gaps.items() if gap < 2} == {}
    tablet.context.close()
