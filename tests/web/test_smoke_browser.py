"""The server starts as a real process and Chromium can sign a staff member in."""

from tests.factories import PASSWORD
from tests.web.conftest import sign_in


def test_a_staff_member_signs_in_through_the_login_form(live_server, browser, make):
    location = make.location()
    user = make.user(organization_id=location["organization_id"], location_ids=[location["id"]])
    page = browser.new_page()
    sign_in(page, live_server.url, user["email"], PASSWORD)
    assert "/login" not in page.url
    assert location["slug"] in page.content()
    page.close()


def test_a_wrong_password_shows_a_friendly_error(live_server, browser, make):
    location = make.location()
    user = make.user(organization_id=location["organization_id"], location_ids=[location["id"]])
    page = browser.new_page()
    sign_in(page, live_server.url, user["email"], "wrong-password")
    assert page.locator("[role=alert]").inner_text() == "Wrong e-mail or password."
    page.close()
