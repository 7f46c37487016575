"""Managers schedule PDF reports by e-mail; the scheduler's job mails each period once, through a real SMTP
server on loopback, and retries a period the server refused."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from qserve.db import read_session
from qserve.insights.jobs import JOBS
from qserve.models import ReportSchedule
from tests.support.smtp_server import SmtpServer
from tests.web.insights.test_dashboard_pages import org as org  # noqa: F401 (the fixture)
from tests.web.insights.test_dashboard_pages import sign_in

CREATED = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)  # Tuesday of the week with the visits
MONDAY_0630_HELSINKI = datetime(2026, 11, 30, 4, 30, tzinfo=UTC)


@pytest.fixture
def smtp():
    server = SmtpServer().start()
    yield server
    server.stop()


@pytest.fixture
def config_overrides(smtp):
    return {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": smtp.port, "SMTP_FROM": "reports@qserve.example"}


@pytest.fixture
def send_reports():
    ((job,),) = [(job,) for name, _every, job in JOBS if name == "send-report-emails"]
    return job


def _schedule(client, monkeypatch, **form):
    monkeypatch.setattr("qserve.insights.dashboard.utcnow", lambda: CREATED)
    data = {"locations": ["north", "south"], "frequency": "weekly", "target": "10", "language": "fi"} | form
    return client.post("/manage/reports", data=data)


def _pdf_text(message) -> str:
    (attachment,) = list(message.iter_attachments())
    assert attachment.get_content_type() == "application/pdf"
    reader = PdfReader(io.BytesIO(attachment.get_content()))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def test_a_weekly_comparison_is_mailed_once_on_monday_morning_in_the_chosen_language(
    client, org, smtp, monkeypatch, send_reports
):
    sign_in(client, org["manager"]["email"])
    response = _schedule(client, monkeypatch, recipients="boss@example.com, area@example.com")
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Helsinki Centre, Łódź Piotrkowska" in page and "boss@example.com, area@example.com" in page

    assert send_reports(datetime(2026, 11, 30, 3, 30, tzinfo=UTC)) == 0  # 05:30 in Helsinki: not yet
    assert send_reports(MONDAY_0630_HELSINKI) == 1
    (message,) = smtp.messages
    assert message["Subject"] == (
        "qserve-raportti: Vertailu: Helsinki Centre, Łódź Piotrkowska, 23.–29.11.2026"
    )
    assert message["To"] == "boss@example.com, area@example.com"
    text = _pdf_text(message)
    assert "Vertailu: Helsinki Centre, Łódź Piotrkowska" in text
    assert "23.–29.11.2026 · tavoiteodotus 10 min" in text  # a Finnish range of days
    assert "13,0 min" in text and "27,0 min" in text  # hand-computed median and P90, with a decimal comma
    assert send_reports(MONDAY_0630_HELSINKI.replace(hour=9)) == 0  # once per period
    listed = client.get("/manage/reports?lang=fi").get_data(as_text=True).split('id="schedules"')[1]
    assert "<td>10 min</td>" in listed and "29.11.2026" in listed and "2026-11-29" not in listed


def test_the_list_of_reports_writes_a_fractional_target_in_the_reader_language(client, org, monkeypatch):
    sign_in(client, org["manager"]["email"])
    assert _schedule(client, monkeypatch, recipients="boss@example.com", target="7.5").status_code == 302
    assert "<td>7,5 min</td>" in client.get("/manage/reports?lang=pl").get_data(as_text=True)
    assert "<td>7.5 min</td>" in client.get("/manage/reports?lang=en").get_data(as_text=True)


def test_a_refused_mail_is_retried_and_the_error_is_shown(client, org, smtp, monkeypatch, send_reports):
    sign_in(client, org["manager"]["email"])
    _schedule(client, monkeypatch, recipients="boss@example.com", language="en", locations=["north"])
    smtp.refuse_next("451 try again later")
    assert send_reports(MONDAY_0630_HELSINKI) == 0
    page = client.get("/manage/reports").get_data(as_text=True)
    assert "451" in page and "not yet" in page
    assert send_reports(MONDAY_0630_HELSINKI.replace(minute=40)) == 1
    (message,) = smtp.messages
    assert message["Subject"] == "qserve report: Helsinki Centre, 2026-11-23 – 2026-11-29"
    assert "Staffing advice" in _pdf_text(message)
    with read_session() as session:
        schedule = session.scalar(select(ReportSchedule))
        assert schedule.last_error is None and str(schedule.last_period_end) == "2026-11-29"


def test_a_wrong_address_keeps_what_was_typed_and_staff_cannot_schedule(client, org, monkeypatch):
    sign_in(client, org["manager"]["email"])
    response = _schedule(client, monkeypatch, recipients="boss@example.com, not-an-address", language="en")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "&#39;not-an-address&#39; is not an e-mail address" in html
    assert 'value="boss@example.com, not-an-address"' in html
    with read_session() as session:
        assert session.scalar(select(ReportSchedule)) is None
    client.post("/logout")
    sign_in(client, org["staff"]["email"])
    assert _schedule(client, monkeypatch, recipients="x@example.com").status_code == 403


def test_a_report_with_no_location_ticked_is_refused_not_sent_for_every_location(client, org, monkeypatch):
    sign_in(client, org["manager"]["email"])
    response = _schedule(client, monkeypatch, recipients="boss@example.com", language="en", locations=[])
    assert response.status_code == 422
    assert "choose at least one location" in response.get_data(as_text=True)
    with read_session() as session:
        assert session.scalar(select(ReportSchedule)) is None


@pytest.mark.parametrize(
    ("lang", "said"),
    [
        ("fi", "Kirjoita 1–20 sähköpostiosoitetta pilkuilla erotettuina."),
        ("sv", "Skriv 1–20 e-postadresser åtskilda med kommatecken."),
        ("pl", "Wpisz od 1 do 20 adresów e-mail oddzielonych przecinkami."),
    ],
)
def test_a_wrong_address_is_explained_in_the_page_language(client, org, monkeypatch, lang, said):
    sign_in(client, org["manager"]["email"])
    client.get(f"/manage/reports?lang={lang}")  # the language stays in a cookie
    response = _schedule(client, monkeypatch, recipients="boss@example.com, not-an-address")
    assert response.status_code == 422
    assert said in response.get_data(as_text=True)


def test_a_manager_stops_a_report(client, org, monkeypatch):
    sign_in(client, org["manager"]["email"])
    _schedule(client, monkeypatch, recipients="boss@example.com")
    with read_session() as session:
        schedule_id = session.scalar(select(ReportSchedule.id))
    response = client.post(f"/manage/reports/{schedule_id}/delete")
    assert response.status_code == 302
    page = client.get(response.headers["Location"] + "&lang=en").get_data(as_text=True)
    assert "The report is no longer sent." in page
    assert "No reports are sent by e-mail yet." in page and "boss@example.com" not in page
    with read_session() as session:
        assert session.scalar(select(ReportSchedule)) is None


def test_the_live_view_shows_printer_alerts_and_speaks_the_managers_language(client, org):
    from qserve.db import transaction
    from qserve.models import Kiosk

    with transaction() as tx:
        tx.session.add_all(
            [
                Kiosk(
                    location_id=org["north"]["id"],
                    slug="entrance",
                    name="Entrance",
                    printer={"kind": "network", "host": "127.0.0.1", "port": 9100},
                    printer_status="paper_out",
                    printer_message="Entrance: the printer is out of paper",
                ),
                Kiosk(
                    location_id=org["south"]["id"],
                    slug="hall",
                    name="Hall",
                    printer={"kind": "network", "host": "127.0.0.1", "port": 9101},
                    printer_status="online",
                ),
            ]
        )
    sign_in(client, org["manager"]["email"])
    html = client.get("/manage/?locations=north,south&lang=fi").get_data(as_text=True)
    live = html.split('id="live"')[1].split("</table>")[0]
    assert "Tulostimet" in live
    assert '<li class="alert" data-kiosk="entrance">⚠ Entrance: the printer is out of paper</li>' in live
    assert "✓ Kaikki tulostimet toimivat" in live
    assert "Odotuksen mediaani" in html and "Hallintanäkymä" in html
    assert client.get_cookie("lang").value == "fi"
