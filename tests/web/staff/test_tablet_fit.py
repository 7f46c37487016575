"""The staff tablet on a small (1024x768) screen: what must be acted on within seconds is in sight."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.web.mobile.helpers import LOAN_ANSWERS, Staff, bank_branch, change_service
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


LONG_NAMES = [
    {
        "en": "Prescription medicines and pharmacy advice",
        "fi": "Reseptilääkkeet ja lääkeneuvonta",
        "sv": "Receptbelagda läkemedel och rådgivning",
        "pl": "Leki na receptę i porady farmaceutyczne",
    },
    {
        "en": "Cash and quick errands",
        "fi": "Käteinen ja pikaasiat",
        "sv": "Kontanter och snabbärenden",
        "pl": "Gotówka i szybkie sprawy",
    },
    {
        "en": "Health insurance and family benefits",
        "fi": "Sairausvakuutus ja perhe-etuudet",
        "sv": "Sjukförsäkring och familjeförmåner",
        "pl": "Ubezpieczenia zdrowotne i świadczenia rodzinne",
    },
    {"en": "Loans", "fi": "Lainat", "sv": "Lån", "pl": "Kredyty"},
]
# How the words of the queue column lie on their lines: a "·" separator first or last on a line, a
# parked ticket's service name or button on more lines than it needs, a heading's prefix on a line of its own.
LINES = """() => {
    const lines = (node) => {
        const range = document.createRange();
        range.selectNodeContents(node);
        return new Set([...range.getClientRects()].map((rect) => Math.round(rect.top))).size;
    };
    const stranded = [];
    for (const block of document.querySelectorAll(".lists h3, .call-next-detail, .parked .row")) {
        const walker = document.createTreeWalker(block, NodeFilter.SHOW_TEXT);
        const glyphs = [];
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
            for (let i = 0; i < node.length; i++) {
                if (!node.data[i].trim()) continue;
                const range = document.createRange();
                range.setStart(node, i);
                range.setEnd(node, i + 1);
                const rect = range.getBoundingClientRect();
                if (rect.width) glyphs.push({ text: node.data[i], rect });
            }
        }
        for (const dot of glyphs.filter((glyph) => glyph.text === "·")) {
            const line = glyphs.filter((glyph) => Math.abs(glyph.rect.top - dot.rect.top) < 3);
            if (!line.some((glyph) => glyph.rect.left < dot.rect.left)
                || !line.some((glyph) => glyph.rect.right > dot.rect.right)) stranded.push(block.textContent);
        }
    }
    // The service's name (the first words after the prefix) starts on the prefix's line.
    const prefixAlone = [...document.querySelectorAll(".queue h3")].filter((heading) => {
        const prefix = heading.querySelector(".prefix");
        const walker = document.createTreeWalker(heading, NodeFilter.SHOW_TEXT);
        walker.currentNode = prefix.lastChild;
        let words = walker.nextNode();
        while (words && !words.data.trim()) words = walker.nextNode();
        const range = document.createRange();
        range.selectNodeContents(words);
        return range.getClientRects()[0].top >= prefix.getBoundingClientRect().bottom - 1;
    }).map((heading) => heading.textContent);
    const parked = document.querySelector(".parked .row");
    return {
        stranded,
        prefix_alone: prefixAlone,
        parked_name_lines: lines(parked.querySelector(".service-small")),
        parked_buttons_wrapped: [...parked.querySelectorAll("button")]
            .filter((button) => lines(button.firstChild) > 1).map((button) => button.textContent),
    };
}"""


@pytest.mark.parametrize("language", ["en", "fi", "sv", "pl"])
def test_the_queue_column_reads_cleanly_on_a_small_tablet(live_server, browser, make, language, artifacts):
    """In Polish at 1024x768 a heading's " · not served at this counter" began a wrapped line with its
    separator, and the parked ticket's service name stood in three lines beside its two buttons."""
    branch = bank_branch(make, services=4)
    for service_id, names in zip(branch["service_ids"], LONG_NAMES, strict=True):
        change_service(service_id, names=names, questions=[])
    make.ticket(location=branch, service_index=2)  # called first at the other counter, and put on hold
    for index in range(8):
        make.ticket(location=branch, service_index=index % 4)
    staff = Staff(make, branch, live_server.url)
    parked = staff.call_next(branch["counter_ids"][1])
    staff.http.post(f"{live_server.url}/api/v1/tickets/{parked['id']}/park", timeout=10).raise_for_status()
    user = make.user(organization_id=branch["organization_id"], location_ids=[branch["id"]])
    tablet = open_tablet(browser, live_server.url, user, branch, serving=branch["service_ids"][:2])
    tablet.goto(tablet.url + f"?lang={language}")
    tablet.wait_for_selector("#parked-list .row")
    tablet.keyboard.press("n")
    tablet.wait_for_selector("#current-body:not([hidden])")
    for width, height in [(1024, 768), (1280, 800)]:
        tablet.set_viewport_size({"width": width, "height": height})
        tablet.locator(".parked").scroll_into_view_if_needed()
        tablet.wait_for_timeout(100)
        tablet.screenshot(path=artifacts / f"staff-tablet-queue-{language}-{width}x{height}.png")
        seen = tablet.evaluate(LINES)
        assert seen["stranded"] == [] and seen["prefix_alone"] == [], (width, seen)
        assert seen["parked_name_lines"] <= 2 and seen["parked_buttons_wrapped"] == [], (width, seen)
    tablet.context.close()


@pytest.mark.parametrize("language", ["en", "pl"])
def test_a_ticket_with_priority_and_a_booking_keeps_its_call_button_in_the_column(
    live_server, browser, make, language, artifacts
):
    """Beside a row's number, 'Priorytet' and 'Wizyta 09:20' pushed the Call button out of the queue column
    on a 1024 px tablet ('Wezw')."""
    branch = bank_branch(make, services=2)
    soon = datetime.now(UTC) + timedelta(minutes=10)
    make.ticket(location=branch, service_index=1, priority=1, channel="appointment", appointment_at=soon)
    make.ticket(location=branch, service_index=1)
    user = make.user(organization_id=branch["organization_id"], location_ids=[branch["id"]])
    tablet = open_tablet(browser, live_server.url, user, branch)
    tablet.goto(tablet.url + f"?lang={language}")
    tablet.wait_for_selector("#queues .mark.appointment")
    inside = """() => {
        const column = document.querySelector(".lists").getBoundingClientRect();
        return [...document.querySelectorAll("#queues .row button")]
            .every((button) => button.getBoundingClientRect().right <= column.right + 0.5);
    }"""
    for width, height in [(1024, 768), (1280, 800)]:
        tablet.set_viewport_size({"width": width, "height": height})
        tablet.wait_for_timeout(100)
        tablet.screenshot(path=artifacts / f"staff-tablet-marks-{language}-{width}x{height}.png")
        assert tablet.evaluate(inside), width
        assert tablet.evaluate(
            "() => { const l = document.querySelector('.lists'); return l.scrollWidth <= l.clientWidth; }"
        )
    tablet.context.close()
