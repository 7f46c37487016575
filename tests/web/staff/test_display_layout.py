"""The waiting-room display on a landscape screen (1920x1080, 1280x720) and on one hung on its side
(1080x1920): the current call large enough to read across a room, the earlier calls and every service's
waiting count whole and in sight, in English and in Polish (long words), with several calls made."""

from __future__ import annotations

import pytest

from tests.web.mobile.helpers import ALL_DAY, Staff, change_service
from tests.web.staff.pages import open_display

SIZES = [(1920, 1080), (1080, 1920), (1280, 720)]
LONG_NAMES = [
    {"en": "Prescription medicines and pharmacy advice", "pl": "Leki na receptę i porady farmaceutyczne"},
    {"en": "Cash and quick errands", "pl": "Gotówka i szybkie sprawy"},
    {"en": "Health insurance and family benefits", "pl": "Ubezpieczenia zdrowotne i świadczenia rodzinne"},
    {"en": "Vehicle registration and driving licences", "pl": "Rejestracja pojazdów i prawa jazdy"},
    {"en": "Identity cards and passports", "pl": "Dowody osobiste i paszporty"},
    {"en": "Vaccinations for children and adults", "pl": "Szczepienia ochronne dzieci i dorosłych"},
    {"en": "Loans", "pl": "Kredyty"},
    {"en": "Collect an order", "pl": "Odbiór zamówień"},
]
# What a person across the room sees, measured in the page: sizes as shares of the screen's short side.
MEASURE = """() => {
    const short = Math.min(innerWidth, innerHeight);
    const box = (element) => element.getBoundingClientRect();
    const inSight = (element) => {
        const r = box(element);
        return r.width > 0 && r.top >= 0 && r.left >= 0 && r.bottom <= innerHeight + 0.5
            && r.right <= innerWidth + 0.5;
    };
    const cut = (element) => element.scrollWidth > element.clientWidth + 1
        || element.scrollHeight > element.clientHeight + 1;
    const small = (element, least) => parseFloat(getComputedStyle(element).fontSize) / short < least;
    const texts = (elements) => elements.map((element) => element.textContent);
    const page = document.documentElement;
    const listBottom = box(document.getElementById("waiting-list")).bottom + 0.5;
    const services = [...document.querySelectorAll("#waiting-list li")];
    const names = services.map((item) => item.querySelector(".name"));
    const previous = [...document.querySelectorAll("#previous-list li")];
    return {
        scrolls: page.scrollWidth > innerWidth || page.scrollHeight > innerHeight,
        place_cut: cut(document.querySelector(".place")),
        out_of_sight: ["#now", "#now-number", "#now-counter", ".clock", "#sound", "#counters-open"]
            .filter((selector) => !inSight(document.querySelector(selector))),
        message: box(document.getElementById("message")).width / innerWidth,
        number: box(document.getElementById("now-number")).height / short,
        counter: box(document.getElementById("now-counter")).height / short,
        previous: previous.length,
        previous_small: texts(previous.filter((item) => small(item, 0.035))),
        previous_cut: texts(previous.filter(
            (item) => !inSight(item) || item.querySelector(".fit").offsetWidth > item.clientWidth)),
        names_cut: texts(names.filter(cut)),
        names_small: texts(names.filter((name) => small(name, 0.02))),
        services_hidden: texts(services.filter((item) => box(item).bottom > listBottom || !inSight(item))),
    };
}"""


def crowded_location(make, live_server, language: str, services: int) -> dict:
    """A location in a language with long service names, a long message, people in every line and seven
    calls made."""
    location = make.location(
        services=services,
        counters=7,
        opening_hours=ALL_DAY,
        languages=[language, "en"],
        display_message="Please have your ID card or passport and your health insurance card ready.",
    )
    for service_id, names in zip(location["service_ids"], LONG_NAMES, strict=False):
        change_service(service_id, names=names)
    for index in range(services * 3):
        make.ticket(location=location, service_index=index % services)
    staff = Staff(make, location, live_server.url)
    for counter_id in location["counter_ids"]:
        staff.call_next(counter_id)
    return location


def looks_right(display, size: tuple[int, int]) -> dict:
    """Return what is wrong with the display at a screen size (an empty dict when nothing is)."""
    width, height = size
    display.set_viewport_size({"width": width, "height": height})
    display.wait_for_timeout(200)
    seen = display.evaluate(MEASURE)
    measured = ("number", "counter", "previous", "message")
    wrong = {key: value for key, value in seen.items() if key not in measured and value}
    if seen["previous"] != 6:
        wrong["previous"] = seen["previous"]
    # The current number stands at least 15 % of the short side tall, its counter 6 %; the message line has
    # at least half the screen's width beside the sound hint.
    for key, least in (("number", 0.15), ("counter", 0.06), ("message", 0.5)):
        if not seen[key] >= least:
            wrong[key] = round(seen[key], 3)
    return wrong


def reads_well_at_every_size(display, artifacts, name: str) -> None:
    """Once six calls are on the board, check the layout at every size (a screenshot of each kept)."""
    display.wait_for_function("() => document.querySelectorAll('#previous-list li').length === 6")
    for size in SIZES:
        wrong = looks_right(display, size)
        display.screenshot(path=artifacts / f"{name}-{size[0]}x{size[1]}.png")
        assert wrong == {}, size
    display.context.close()


@pytest.mark.parametrize("language", ["en", "pl"])
def test_the_display_reads_well_in_landscape_and_in_portrait(live_server, browser, make, language, artifacts):
    location = crowded_location(make, live_server, language, services=4)
    display = open_display(browser, live_server.url, location)
    reads_well_at_every_size(display, artifacts, f"display-layout-{language}")


def test_a_portrait_display_lists_eight_services_whole(live_server, browser, make, artifacts):
    """Eight services with long Polish names: a portrait screen lists them in two columns before it makes
    their type smaller, and never cuts a row or a name."""
    location = crowded_location(make, live_server, "pl", services=8)
    display = open_display(browser, live_server.url, location)
    reads_well_at_every_size(display, artifacts, "display-layout-8-services")


def previous_shown(display) -> bool:
    """Tell whether the "Previous calls" heading is on the screen."""
    return display.locator("#previous-title").is_visible()


@pytest.mark.parametrize("size", [(1920, 1080), (1080, 1920)])
def test_previous_calls_appear_only_once_there_is_an_earlier_call(
    live_server, browser, make, size, artifacts
):
    """ "Previous calls" headed an empty area until the second call of the day: the current call takes the
    area until then, and the heading comes in live with the second call."""
    location = make.location(counters=2, opening_hours=ALL_DAY)
    for _ in range(2):
        make.ticket(location=location)
    staff = Staff(make, location, live_server.url)
    display = open_display(browser, live_server.url, location)
    display.set_viewport_size({"width": size[0], "height": size[1]})
    assert not previous_shown(display)
    display.screenshot(path=artifacts / f"display-no-calls-{size[0]}x{size[1]}.png")
    staff.call_next(location["counter_ids"][0])
    display.wait_for_function("() => document.getElementById('now-number').textContent === 'A001'")
    assert not previous_shown(display)
    assert display.evaluate(MEASURE)["number"] >= 0.15
    display.screenshot(path=artifacts / f"display-first-call-{size[0]}x{size[1]}.png")
    staff.call_next(location["counter_ids"][1])
    display.wait_for_function("() => document.querySelectorAll('#previous-list li').length === 1")
    assert previous_shown(display)
    display.screenshot(path=artifacts / f"display-second-call-{size[0]}x{size[1]}.png")
    display.context.close()
