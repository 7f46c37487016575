"""The kiosk in headless Chromium against a real server process and a simulated printer."""

from __future__ import annotations

import os
import shutil
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from qserve.db import read_session, transaction, utcnow
from qserve.kiosk.delivery import deliver_print_jobs
from qserve.models import Location, Service, Ticket
from qserve.printing.simulator import PrinterSimulator, SimulatorMode
from tests.integration.kiosk.kiosk_helpers import make_kiosk

pytestmark = pytest.mark.browser

RECORD_SPEECH = """
window.__spoken = [];
window.speechSynthesis.speak = (utterance) => window.__spoken.push([utterance.text, utterance.lang]);
"""
FOOTER = {
    "en": "Thank you for visiting. Open Mon–Fri 8–20.",
    "fi": "Kiitos käynnistä! Avoinna ma–pe 8–20.",
    "pl": "Dziękujemy za wizytę. Czynne pn.–pt. 8–20.",
}
PORTRAIT, LANDSCAPE = {"width": 1080, "height": 1920}, {"width": 1920, "height": 1080}


@pytest.fixture
def prints(artifacts):
    """Keep the printed tickets' previews in the artifacts folder, one folder per test worker (a worker
    emptying a shared one took another's preview away mid-test)."""
    folder = artifacts / "kiosk-prints" / os.environ.get("PYTEST_XDIST_WORKER", "main")
    shutil.rmtree(folder, ignore_errors=True)
    with PrinterSimulator("127.0.0.1", 0, out_dir=folder) as simulator:
        yield simulator


@pytest.fixture
def kiosk_url(live_server, make, prints):
    location = make.location(services=4, name="Kauppatori Pharmacy", languages=["fi", "sv", "en"])
    names = [
        {"en": "Prescriptions", "fi": "Reseptilääkkeet", "sv": "Receptläkemedel", "pl": "Leki na receptę"},
        {"en": "Self-care advice", "fi": "Itsehoitoneuvonta", "sv": "Egenvårdsråd", "pl": "Porady zdrowotne"},
        {"en": "Collect an order", "fi": "Tilauksen nouto", "sv": "Hämta order", "pl": "Odbiór zamówienia"},
        {"en": "Vaccinations", "fi": "Rokotukset", "sv": "Vaccinationer", "pl": "Szczepienia"},
    ]
    with transaction() as tx:
        for service_id, service_names in zip(location["service_ids"], names, strict=True):
            tx.session.get(Service, service_id).names = service_names
        tx.session.get(Service, location["service_ids"][3]).is_open = False
        tx.session.get(Location, location["id"]).settings = {"ticket_footer": FOOTER}
    for _ in range(3):
        make.ticket(location=location)
    make_kiosk(location, printer=prints.config, offers_assistance=True, result_s=4, idle_reset_s=5)
    return f"{live_server.url}/kiosk/{location['slug']}/entrance", location


def open_kiosk(browser, url, viewport):
    page = browser.new_page(viewport=viewport)
    page.add_init_script(RECORD_SPEECH)
    page.goto(url)
    page.wait_for_selector(".service-button")
    return page


def tickets_at(location) -> int:
    with read_session() as session:
        return session.scalar(select(func.count(Ticket.id)).where(Ticket.location_id == location["id"]))


def test_a_walk_in_customer_taps_twice_and_gets_one_printed_ticket(browser, kiosk_url, prints, artifacts):
    url, location = kiosk_url
    before = tickets_at(location)
    page = open_kiosk(browser, url, PORTRAIT)
    assert page.locator("#start h1").inner_text() == "Tervetuloa"
    page.screenshot(path=artifacts / "kiosk-start-portrait.png")

    page.get_by_role("button", name="Reseptilääkkeet").dblclick()

    page.wait_for_selector("#print-status[data-state=printed]")
    assert page.locator("#result-number").inner_text() == "A004"
    assert page.locator("#result-qr svg.qr").count() == 1
    assert page.evaluate("window.__spoken") == [["Vuoronumerosi on A 4", "fi-FI"]]
    page.screenshot(path=artifacts / "kiosk-ticket-portrait.png")
    assert tickets_at(location) == before + 1
    [printed] = prints.wait_for_jobs(1)
    shutil.copy(printed.preview_path, artifacts / "kiosk-printed-ticket-fi.png")

    page.wait_for_selector("#start:not([hidden])", timeout=8000)  # back to the start by itself
    assert len(prints.jobs) == 1
    page.close()


def test_when_the_paper_runs_out_the_screen_keeps_the_ticket_and_it_prints_when_paper_is_back(
    app, browser, kiosk_url, prints, artifacts
):
    url, _ = kiosk_url
    prints.set_mode(SimulatorMode.PAPER_OUT)
    page = open_kiosk(browser, url, PORTRAIT)
    page.get_by_role("button", name="English").click()
    page.get_by_role("button", name="I need assistance").click()

    page.get_by_role("button", name="Self-care advice").click()

    page.wait_for_selector("#print-status[data-state=failed]")
    assert "printer is not working" in page.locator("#print-status").inner_text()
    assert page.locator("#result-qr svg.qr").is_visible()
    page.screenshot(path=artifacts / "kiosk-print-failed-portrait.png")

    prints.set_mode(SimulatorMode.NORMAL)
    assert deliver_print_jobs(now=utcnow() + timedelta(seconds=5)) == 1
    page.wait_for_selector("#print-status[data-state=printed]")
    [printed] = prints.wait_for_jobs(1)
    shutil.copy(printed.preview_path, artifacts / "kiosk-printed-ticket-en.png")
    page.close()


def test_the_kiosk_fits_a_landscape_screen_and_resets_itself_when_idle(browser, kiosk_url, prints, artifacts):
    url, _ = kiosk_url
    page = open_kiosk(browser, url, LANDSCAPE)
    page.screenshot(path=artifacts / "kiosk-start-landscape.png")
    page.get_by_role("button", name="Polski").click()
    page.get_by_role("button", name="Powiadomienia SMS").click()
    for digit in "0401234567":
        page.click(f"#phone-keys [data-key='{digit}']")
    page.screenshot(path=artifacts / "kiosk-phone-landscape.png")
    page.get_by_role("button", name="Gotowe").click()
    assert page.locator("#sms-label").inner_text() == "SMS na numer 0401234567"

    page.get_by_role("button", name="Mam umówioną wizytę").click()
    for key in "ZX4821":
        page.click(f"#booking-keys [data-key='{key}']")
    page.get_by_role("button", name="Zamelduj się").click()
    page.wait_for_selector("#booking-message:not([hidden])")
    assert page.locator("#booking-message").inner_text().startswith("Brak rezerwacji o tym kodzie")
    page.screenshot(path=artifacts / "kiosk-booking-landscape.png")

    page.wait_for_selector("#start:not([hidden])", timeout=9000)  # idle for 5 s
    assert page.locator("#start h1").inner_text() == "Tervetuloa"
    assert page.locator("#sms-label").inner_text() == "Tekstiviesti-ilmoitus"

    page.get_by_role("button", name="Polski").click()
    page.get_by_role("button", name="Odbiór zamówienia").click()
    page.wait_for_selector("#print-status[data-state=printed]")
    assert page.locator("#print-status").inner_text() == "Proszę odebrać bilet"
    page.screenshot(path=artifacts / "kiosk-ticket-landscape.png")
    [printed] = prints.wait_for_jobs(1)
    shutil.copy(printed.preview_path, artifacts / "kiosk-printed-ticket-pl.png")
    page.close()


OFF_SCREEN_KEYS = """(panel) => [...document.querySelectorAll(`#${panel} .key`)]
    .filter((key) => key.getBoundingClientRect().left < 0 || key.getBoundingClientRect().right > innerWidth)
    .map((key) => key.dataset.key)"""


@pytest.mark.parametrize("viewport", [PORTRAIT, {"width": 800, "height": 1280}], ids=["1080", "800"])
def test_every_key_of_the_booking_keyboard_is_on_a_portrait_screen(browser, kiosk_url, viewport, artifacts):
    """A row of ten keys at their landscape size is wider than a portrait screen: the keys shrink to fit,
    so a code with a 1, a 0, a Q or a P can be typed."""
    url, _ = kiosk_url
    page = open_kiosk(browser, url, viewport)
    page.get_by_role("button", name="Minulla on varattu aika").click()
    assert page.evaluate(OFF_SCREEN_KEYS, "booking-keys") == []
    for key in "QP10":
        page.click(f"#booking-keys [data-key='{key}']")
    assert page.locator("#booking-display").inner_text() == "QP10"
    page.screenshot(path=artifacts / f"kiosk-booking-{viewport['width']}x{viewport['height']}.png")
    page.close()


def test_a_customer_answers_the_services_questions_on_the_kiosk_before_the_ticket(
    browser, kiosk_url, prints, artifacts
):
    url, location = kiosk_url
    questions = [
        {
            "id": "kind",
            "type": "choice",
            "required": True,
            "label": {"en": "What kind of advice?", "fi": "Millaista neuvontaa?"},
            "options": [
                {"value": "skin", "label": {"en": "Skin", "fi": "Iho"}},
                {"value": "cold", "label": {"en": "Flu and cold", "fi": "Flunssa"}},
            ],
        },
        {"id": "first", "type": "yesno", "label": {"en": "First visit?", "fi": "Ensimmäinen käynti?"}},
        {"id": "note", "type": "text", "label": {"en": "Anything else?", "fi": "Muuta?"}},
    ]
    with transaction() as tx:
        tx.session.get(Service, location["service_ids"][1]).questions = questions
    page = open_kiosk(browser, url, LANDSCAPE)

    # A double tap's second tap may land on an answer of the panel that its first tap brought up.
    page.evaluate(
        """(id) => {
            document.querySelector(`.service-button[data-service-id="${id}"]`).click();
            document.querySelector("#question-answers .answer").click();
        }""",
        location["service_ids"][1],
    )
    assert page.locator("#question-title").inner_text() == "Millaista neuvontaa?"
    assert page.locator("#question-skip").is_hidden()  # a required question cannot be skipped
    page.screenshot(path=artifacts / "kiosk-question-landscape.png")
    page.wait_for_timeout(450)
    page.get_by_role("button", name="Flunssa").click()
    assert page.locator("#question-title").inner_text() == "Ensimmäinen käynti?"
    page.wait_for_timeout(450)
    page.get_by_role("button", name="Ei").click()
    # The keyboard has the letters of the kiosk's languages beyond A to Z, and no others.
    languages = page.evaluate(
        "() => JSON.parse(document.getElementById('kiosk-state').textContent).settings"
    )["languages"]
    keys = page.locator("#question-keys [data-key]").evaluate_all("keys => keys.map(key => key.dataset.key)")
    assert page.evaluate(OFF_SCREEN_KEYS, "question-keys") == []
    assert ("Ä" in keys) is bool({"fi", "sv"} & set(languages))
    assert ("Ł" in keys) is ("pl" in languages)
    for key in ["K", "U", "U", "M", "E", "space", "2"]:
        page.click(f"#question-keys [data-key='{key}']")
    page.get_by_role("button", name="Seuraava").click()

    page.wait_for_selector("#print-status[data-state=printed]")
    number = page.locator("#result-number").inner_text()
    with read_session() as session:
        ticket = session.scalar(
            select(Ticket).where(Ticket.location_id == location["id"], Ticket.number == number)
        )
        assert ticket.answers == {"kind": "cold", "first": False, "note": "KUUME 2"}
    page.close()


def test_the_kiosks_clock_is_written_as_the_server_writes_each_language(browser, kiosk_url):
    """CLDR's Finnish clock is "9.05" (Babel's format_time short, as on the booking pages); the kiosk
    wrote "09.05"."""
    url, _location = kiosk_url
    page = browser.new_page(viewport=LANDSCAPE)
    page.clock.set_fixed_time("2026-01-15T07:05:00Z")  # 9.05 in Helsinki
    page.goto(url)
    page.wait_for_selector(".service-button")
    for language, written in (("fi", "9.05"), ("sv", "09:05"), ("en", "09:05")):
        page.click(f".language[data-lang={language}]")
        page.wait_for_function("text => document.getElementById('clock').textContent === text", arg=written)
    page.close()
