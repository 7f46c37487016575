"""Finishing a visit opens the feedback form on the customer's phone; answers reach the dashboard;
deleting personal data empties the row."""

import time
from datetime import UTC, datetime, timedelta

import pytest
import requests
from sqlalchemy import select

from qserve.db import read_session
from qserve.insights.texts import page_texts
from qserve.models import FeedbackAnswer, Ticket
from qserve.services.accounts import create_token
from tests.factories import PASSWORD
from tests.integration.insights.helpers import serve
from tests.web.conftest import sign_in


@pytest.mark.timed
def test_finishing_opens_the_form_whose_answers_reach_the_dashboard_and_erasing_empties_the_row(
    live_server, browser, make, artifacts
):
    location = make.location(services=1, counters=1)
    staff = make.user(organization_id=location["organization_id"], location_ids=[location["id"]])
    manager = make.user(organization_id=location["organization_id"], role="manager")
    headers = {"Authorization": f"Bearer {create_token(email=staff['email'], now=datetime.now(UTC))}"}
    api = f"{live_server.url}/api/v1"
    ticket = requests.post(
        f"{api}/locations/{location['slug']}/tickets",
        timeout=10,
        json={"service_id": location["service_ids"][0], "name": "Maija Meikäläinen", "phone": "040 765 4321"},
    ).json()

    phone = browser.new_page(viewport={"width": 360, "height": 740})
    phone.goto(ticket["url"])
    phone.wait_for_selector("#live[data-socket=watching]", timeout=5000)  # the promise is for a live page
    called = requests.post(
        f"{api}/counters/{location['counter_ids'][0]}/call-next", headers=headers, timeout=10
    )
    requests.post(f"{api}/tickets/{called.json()['id']}/start", headers=headers, timeout=10)
    finished_at = time.monotonic()
    requests.post(f"{api}/tickets/{called.json()['id']}/finish", headers=headers, timeout=10)
    phone.wait_for_url("**/feedback/**", timeout=3000)
    assert time.monotonic() - finished_at < 1.0

    phone.check("input[name=rating][value='5']")
    phone.screenshot(path=str(artifacts / "feedback-form-phone.png"), full_page=True)
    phone.click("#feedback-form button[type=submit]")
    phone.wait_for_selector("#feedback-done")
    phone.click("#erase")
    phone.wait_for_selector("#erased")
    with read_session() as session:
        row = session.get(Ticket, ticket["id"])
        answer = session.scalars(select(FeedbackAnswer).where(FeedbackAnswer.ticket_id == ticket["id"])).one()
    assert (row.name, row.phone, row.email) == (None, None, None)
    assert row.personal_data_erased_at is not None
    assert answer.rating == 5

    desk = browser.new_page(viewport={"width": 1280, "height": 900})
    sign_in(desk, live_server.url, manager["email"], PASSWORD)
    desk.goto(f"{live_server.url}/manage/?locations={location['slug']}")
    assert "5.00" in desk.inner_text("body")  # the mean rating of the one answer, two decimals
    phone.close()
    desk.close()


def test_each_feedback_choice_sits_on_one_line_beside_its_own_radio_button(
    live_server, browser, make, artifacts
):
    token = finished_visit(make)

    phone = browser.new_page(viewport={"width": 360, "height": 740})
    phone.goto(f"{live_server.url}/feedback/{token}")
    phone.screenshot(path=str(artifacts / "feedback-choices-phone.png"), full_page=True)
    choices = phone.eval_on_selector_all(
        "#feedback-form .choices label",
        """labels => labels.map(label => {
            const radio = label.querySelector("input").getBoundingClientRect();
            const range = document.createRange();
            range.selectNode(label.lastChild);  // the choice's text after its radio button
            const text = range.getBoundingClientRect();
            return {radio_right: radio.right, radio_middle: (radio.top + radio.bottom) / 2,
                    text_left: text.left, text_top: text.top, text_bottom: text.bottom};
        })""",
    )
    assert len(choices) == 3  # the default form's "What mattered most today?"
    for choice in choices:
        assert choice["radio_right"] <= choice["text_left"]
        assert choice["text_top"] < choice["radio_middle"] < choice["text_bottom"]
    phone.close()


@pytest.mark.parametrize("language", ["en", "sv", "pl"])
def test_the_page_after_erasing_ones_data_has_a_heading_and_passes_the_accessibility_checks(
    live_server, browser, make, language, artifacts
):
    token = finished_visit(make)

    phone = browser.new_page(viewport={"width": 390, "height": 844})
    phone.goto(f"{live_server.url}/feedback/{token}?lang={language}")
    phone.check("input[name=rating][value='4']", force=True)
    phone.click("#feedback-form button[type=submit]")
    phone.wait_for_selector("#feedback-done")
    phone.click("#erase")
    phone.wait_for_selector("#erased")
    phone.screenshot(path=str(artifacts / f"feedback-erased-{language}-phone.png"), full_page=True)
    phone.add_script_tag(url="/static/vendor/axe.min.js")
    headless = phone.evaluate(
        "axe.run(document, {runOnly: ['page-has-heading-one']}).then(r => r.violations.map(v => v.id))"
    )
    violations = phone.evaluate(
        "axe.run(document, {resultTypes: ['violations']})"
        ".then(r => r.violations.filter(v => ['serious', 'critical'].includes(v.impact)).map(v => v.id))"
    )
    assert (headless, violations) == ([], [])
    assert phone.locator("h1").inner_text() == page_texts(language)["answered"]
    phone.close()


def test_the_feedback_page_is_a_phone_page_with_the_bar_languages_and_thumb_sized_answers(
    live_server, browser, make, artifacts
):
    token = finished_visit(make, name="Kamppi")

    phone = browser.new_page(viewport={"width": 360, "height": 740})
    phone.goto(f"{live_server.url}/feedback/{token}")
    assert phone.inner_text("header.bar .brand") == "Kamppi"  # where the visit was, as on the ticket page
    phone.click("header.bar a[hreflang=sv]")
    phone.wait_for_selector("h1:has-text('Hur var ditt besök?')")
    assert phone.get_attribute("header.bar a[aria-current]", "hreflang") == "sv"
    phone.screenshot(path=str(artifacts / "feedback-phone-page-sv.png"), full_page=True)
    answers = phone.eval_on_selector_all(
        ".scale span",
        "spans => spans.map(s => { const r = s.getBoundingClientRect(); return [r.width, r.height] })",
    )
    assert len(answers) == 5 + 11
    assert all(width >= 44 and height >= 44 for width, height in answers)  # a thumb's target, every one
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360  # nothing wider than the phone
    send = phone.eval_on_selector(
        "#feedback-form button[type=submit]", "b => b.getBoundingClientRect().width"
    )
    assert send > 280  # the one thing to press: across the card, as the phone pages' main buttons
    phone.close()


def finished_visit(make, **location) -> str:
    """Serve a visit that joined half an hour ago at a new location; return its ticket's public token."""
    place = make.location(services=1, counters=1, **location)
    staff = make.user(organization_id=place["organization_id"], location_ids=[place["id"]])
    ticket_id = serve(
        make, place, staff, joined=datetime.now(UTC) - timedelta(minutes=30), wait_s=60, service_s=60
    )
    with read_session() as session:
        return session.get(Ticket, ticket_id).public_token
