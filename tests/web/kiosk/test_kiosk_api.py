"""The kiosk's JSON endpoints, the staff reprint and printer endpoints, and the PDF ticket (Flask client)."""

from __future__ import annotations

import io
import time

import pytest
from pypdf import PdfReader

from qserve.db import read_session, transaction, utcnow
from qserve.kiosk.printers import poll_printers
from qserve.models import Service, Ticket
from qserve.printing.preview import decode_text
from qserve.printing.simulator import SimulatorMode
from qserve.services.accounts import create_token
from tests.factories import PASSWORD
from tests.integration.kiosk.kiosk_helpers import make_kiosk, print_jobs
from tests.web.conftest import own_database

MM = 72 / 25.4


database_url = own_database()


@pytest.fixture
def location(make):
    return make.location()


@pytest.fixture
def kiosk(location, printer):
    make_kiosk(location, printer=printer.config, offers_assistance=True)
    base = f"/kiosk/api/{location['slug']}/entrance"
    return {"page": f"/kiosk/{location['slug']}/entrance", "api": base, "location": location}


def tap(client, kiosk, key="tap-1", **body):
    payload = {"service_id": kiosk["location"]["service_ids"][0], "idempotency_key": key} | body
    return client.post(kiosk["api"] + "/tickets", json=payload)


def wait_for_print_state(client, kiosk, token, wanted, timeout_s=5.0):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        state = client.get(f"{kiosk['api']}/tickets/{token}/print").get_json()
        if state["state"] == wanted:
            return state
        time.sleep(0.05)
    raise AssertionError(f"print state stayed {state}")


def staff_headers(make, location, **overrides):
    user = make.user(organization_id=location["organization_id"], location_ids=[location["id"]], **overrides)
    return {"Authorization": f"Bearer {create_token(email=user['email'], now=utcnow())}"}


def test_the_kiosk_page_lists_the_services_and_the_four_languages(client, kiosk):
    response = client.get(kiosk["page"])

    assert response.status_code == 200
    page = response.get_data(as_text=True)
    for expected in ("Service A", "Service B", "English", "Suomi", "Svenska", "Polski", "Tarvitsen apua"):
        assert expected in page


def test_an_unknown_kiosk_gets_a_friendly_page_and_its_api_a_json_404(client, location):
    assert client.get(f"/kiosk/{location['slug']}/nowhere").status_code == 404
    response = client.get(f"/kiosk/api/{location['slug']}/nowhere/services")
    assert response.status_code == 404 and response.get_json()["error"]["code"] == "not_found"


def test_a_tap_issues_a_ticket_shows_its_qr_and_prints_it(client, kiosk, printer):
    response = tap(client, kiosk, language="sv")

    assert response.status_code == 201
    ticket = response.get_json()
    assert ticket["number"] == "A001" and ticket["spoken"] == "A 1"
    assert ticket["language"] == "sv" and ticket["people_ahead_text"] == "Du är näst på tur"
    assert ticket["qr_svg"].startswith("<svg") and ticket["url"].endswith(ticket["token"])
    assert ticket["print"]["state"] in ("printing", "printed")
    wait_for_print_state(client, kiosk, ticket["token"], "printed")
    [printed] = printer.wait_for_jobs(1)
    assert "A001" in decode_text(printed.data)


def test_a_double_tap_gives_the_same_ticket_and_prints_it_once(client, kiosk, printer):
    first, second = tap(client, kiosk, key="same"), tap(client, kiosk, key="same")

    assert first.get_json()["id"] == second.get_json()["id"]
    wait_for_print_state(client, kiosk, first.get_json()["token"], "printed")
    assert len(print_jobs()) == 1
    time.sleep(0.2)
    assert len(printer.jobs) == 1


def test_a_tap_without_an_idempotency_key_is_refused_naming_the_field(client, kiosk):
    body = {"service_id": kiosk["location"]["service_ids"][0]}
    response = client.post(kiosk["api"] + "/tickets", json=body)

    assert response.status_code == 422
    assert response.get_json()["error"]["field"] == "idempotency_key"


def test_assistance_gives_priority_only_where_the_kiosk_offers_it(client, kiosk, location):
    assert tap(client, kiosk, key="a", assistance=True).status_code == 201
    make_kiosk(location, slug="plain")
    plain = {"api": f"/kiosk/api/{location['slug']}/plain", "location": location}

    refused = tap(client, plain, key="b", assistance=True)

    assert refused.status_code == 422 and refused.get_json()["error"]["field"] == "assistance"


def test_when_the_printer_is_out_of_paper_the_ticket_is_issued_and_the_kiosk_hears_printing_failed(
    client, kiosk, printer
):
    printer.set_mode(SimulatorMode.PAPER_OUT)

    response = tap(client, kiosk)

    assert response.status_code == 201
    state = wait_for_print_state(client, kiosk, response.get_json()["token"], "failed")
    assert state["retrying"] is True and state["printer_status"] == "paper_out"


LOAN_PURPOSE = {
    "id": "purpose",
    "type": "choice",
    "required": True,
    "label": {"en": "What is the loan for?", "fi": "Mihin laina on?"},
    "options": [{"value": "home", "label": {"en": "Home", "fi": "Asunto"}}, {"value": "car"}],
}


def test_a_service_with_a_required_question_takes_its_answer_at_the_kiosk(client, kiosk):
    service_id = kiosk["location"]["service_ids"][0]
    with transaction() as tx:
        tx.session.get(Service, service_id).questions = [LOAN_PURPOSE]
    [listed, _] = client.get(kiosk["api"] + "/services").get_json()["services"]

    unanswered = tap(client, kiosk, key="q-1")
    answered = tap(client, kiosk, key="q-2", answers={"purpose": "home"})

    assert listed["questions"][0]["labels"]["fi"] == "Mihin laina on?"
    assert listed["questions"][0]["labels"]["sv"] == "What is the loan for?"
    assert [option["labels"]["pl"] for option in listed["questions"][0]["options"]] == ["Home", "car"]
    assert unanswered.status_code == 422 and unanswered.get_json()["error"]["field"] == "answers.purpose"
    assert answered.status_code == 201
    with read_session() as session:
        assert session.get(Ticket, answered.get_json()["id"]).answers == {"purpose": "home"}


def test_check_in_answers_no_booking_with_this_code(client, kiosk):
    response = client.post(kiosk["api"] + "/check-in", json={"code": "ZXCV-4829"})

    assert response.status_code == 404
    assert response.get_json()["error"] == {
        "code": "booking_not_found",
        "message": "no booking has this code; check the code in the booking's confirmation message",
        "field": "code",
    }
    assert client.post(kiosk["api"] + "/check-in", json={"code": "?"}).status_code == 422


def test_a_reprint_needs_staff_of_the_location_and_prints_a_second_copy(client, kiosk, make, printer):
    location = kiosk["location"]
    ticket = tap(client, kiosk).get_json()
    wait_for_print_state(client, kiosk, ticket["token"], "printed")
    elsewhere = make.location(organization_id=location["organization_id"])
    url = f"/kiosk/api/tickets/{ticket['id']}/reprint"

    assert client.post(url).status_code == 401
    assert client.post(url, headers=staff_headers(make, elsewhere)).status_code == 403
    response = client.post(url, headers=staff_headers(make, location))

    assert response.status_code == 202 and response.get_json()["copy"] == 2
    assert len(printer.wait_for_jobs(2)) == 2


def test_the_printer_overview_is_for_staff_and_managers(client, kiosk, make, printer):
    location = kiosk["location"]
    url = f"/kiosk/api/locations/{location['slug']}/printers"
    manager = staff_headers(make, location, role="manager")

    assert client.get(url).status_code == 401
    [row] = client.get(url, headers=manager).get_json()["printers"]

    assert row["slug"] == "entrance" and row["printer"]["port"] == printer.port


@pytest.mark.parametrize("width_mm", [80, 58])
def test_the_ticket_pdf_fits_the_roll_and_carries_the_number(client, kiosk, width_mm):
    ticket = tap(client, kiosk).get_json()

    response = client.get(f"/t/{ticket['token']}/ticket.pdf?width={width_mm}")

    assert response.status_code == 200 and response.mimetype == "application/pdf"
    [page] = PdfReader(io.BytesIO(response.data)).pages
    assert abs(float(page.mediabox.width) - width_mm * MM) < 1
    assert ticket["number"] in page.extract_text()


def test_the_ticket_pdf_refuses_other_widths(client, kiosk):
    ticket = tap(client, kiosk).get_json()
    assert client.get(f"/t/{ticket['token']}/ticket.pdf?width=70").status_code == 422


def test_staff_tablets_get_a_printer_alert_when_the_paper_runs_out(app, client, kiosk, make, printer):
    from qserve.extensions import socketio

    location = kiosk["location"]
    user = make.user(organization_id=location["organization_id"], location_ids=[location["id"]])
    client.post("/login", data={"email": user["email"], "password": PASSWORD})
    tablet = socketio.test_client(app, namespace="/staff", flask_test_client=client)
    assert tablet.emit("watch", {"location": location["slug"]}, namespace="/staff", callback=True)["ok"]
    printer.set_mode(SimulatorMode.PAPER_OUT)

    poll_printers(now=utcnow())

    alerts = [m for m in tablet.get_received("/staff") if m["name"] == "printer_alert"]
    assert [alert["args"][0]["status"] for alert in alerts] == ["paper_out"]
    assert alerts[0]["args"][0]["kiosk"] == "Kiosk entrance" and alerts[0]["args"][0]["ok"] is False
    tablet.disconnect(namespace="/staff")
