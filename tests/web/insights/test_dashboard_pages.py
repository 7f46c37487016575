"""The manager dashboard, its CSV and PDF, the feedback page and the feedback_requested event."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy import text

from qserve.db import read_session
from qserve.extensions import socketio
from qserve.insights.feedback import set_feedback_form
from qserve.insights.texts import DEFAULT_FORM
from qserve.models import Ticket
from qserve.services.calling import act_on_ticket, call_ticket
from tests.factories import PASSWORD
from tests.integration.insights.helpers import serve

T0 = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)  # Monday 10:00 in Helsinki, 09:00 in Warsaw
RANGE = "from=2026-11-23&to=2026-11-29&target=10"


@pytest.fixture
def org(make):
    """Two locations of one organization with fixed visits, a manager, staff, and a foreign location."""
    north = make.location(name="Helsinki Centre", slug="north")
    south = make.location(
        organization_id=north["organization_id"],
        name="Łódź Piotrkowska",
        slug="south",
        time_zone="Europe/Warsaw",
    )
    staff = make.user(
        organization_id=north["organization_id"], location_ids=[north["id"], south["id"]], name="Anna Staff"
    )
    manager = make.user(organization_id=north["organization_id"], role="manager")
    foreign = make.location(slug="foreign")
    for wait in (120, 360, 1200):
        serve(make, north, staff, joined=T0, wait_s=wait, service_s=300)
    serve(make, north, staff, joined=T0, wait_s=1800, service_s=None, outcome="no-show")
    serve(make, south, staff, joined=T0, wait_s=600, service_s=240)
    return {"north": north, "south": south, "staff": staff, "manager": manager, "foreign": foreign}


def sign_in(client, email: str) -> None:
    assert client.post("/login", data={"email": email, "password": PASSWORD}).status_code == 302


def test_staff_get_403_and_strangers_are_sent_to_sign_in(client, org):
    assert client.get("/manage/").status_code == 302
    sign_in(client, org["staff"]["email"])
    assert client.get("/manage/").status_code == 403
    assert client.get("/manage/export.csv").status_code == 403


def test_a_manager_cannot_see_another_organization_location(client, org):
    sign_in(client, org["manager"]["email"])
    assert client.get("/manage/?locations=foreign&" + RANGE).status_code == 404


@pytest.mark.parametrize("target", ["0", "-5", "nan", "inf", "601"])
def test_a_target_wait_outside_1_to_600_minutes_is_refused(client, org, target):
    sign_in(client, org["manager"]["email"])
    query = f"/manage/{{}}?from=2026-11-23&to=2026-11-29&target={target}"
    for page in ("", "export.csv", "report.pdf"):
        assert client.get(query.format(page)).status_code == 422


@pytest.mark.parametrize(
    ("query", "said"),
    [
        ("from=2026-11-29&to=2026-11-23", "Valitse 1–366 päivän jakso"),
        ("from=2026-13-01", "Valitse 1–366 päivän jakso"),
        ("target=0", "Tavoiteodotus on 1–600 minuuttia."),
    ],
)
def test_wrong_filters_are_explained_on_the_dashboard_not_instead_of_it(client, org, query, said):
    sign_in(client, org["manager"]["email"])
    response = client.get(f"/manage/?locations=north&lang=fi&{query}")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert said in html.split('id="filter-error"')[1].split("</p>")[0]
    assert 'id="summary"' in html and "Helsinki Centre" in html  # the figures of the default week
    assert 'name="target" min="1" max="600" step="1" value="10"' in html


def test_the_dashboard_compares_two_locations_with_hand_computed_figures(client, org):
    sign_in(client, org["manager"]["email"])
    html = client.get("/manage/?locations=north&locations=south&" + RANGE).get_data(as_text=True)
    assert "Helsinki Centre" in html and "Łódź Piotrkowska" in html
    summary = html.split('id="summary"')[1].split("</table>")[0]
    assert '<tr data-key="tickets"><th>Tickets</th><td>4</td><td>1</td></tr>' in summary
    assert "<td>13.0 min</td><td>10.0 min</td>" in summary  # medians (360 + 1200) / 2 s and 600 s
    assert "<td>27.0 min</td>" in summary  # P90 of 120, 360, 1200, 1800 s = 1620 s
    assert "<td>25 %</td><td>0 %</td>" in summary  # no-show rate
    assert "<svg" in html


def test_csv_has_one_row_per_location_service_and_staff_member(client, org):
    sign_in(client, org["manager"]["email"])
    response = client.get("/manage/export.csv?locations=north,south&" + RANGE)
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    overall = {row["location"]: row for row in rows if row["scope"] == "all"}
    assert overall["north"]["tickets"] == "4" and overall["north"]["median_wait_s"] == "780.0"
    assert overall["north"]["p90_wait_s"] == "1620.0" and overall["north"]["within_target"] == "0.5"
    assert {(row["location"], row["scope"], row["name"]) for row in rows if row["scope"] == "staff"} == {
        ("north", "staff", "Anna Staff"),
        ("south", "staff", "Anna Staff"),
    }


def test_pdf_reports_read_back_with_polish_letters(client, org):
    sign_in(client, org["manager"]["email"])
    single = client.get("/manage/report.pdf?locations=south&" + RANGE)
    assert single.mimetype == "application/pdf"
    text_one = "".join(page.extract_text() for page in PdfReader(io.BytesIO(single.data)).pages)
    assert "Łódź Piotrkowska" in text_one and "2026-11-23 – 2026-11-29" in text_one
    assert "Staffing advice" in text_one
    both = client.get("/manage/report.pdf?locations=north,south&" + RANGE)
    text_two = "".join(page.extract_text() for page in PdfReader(io.BytesIO(both.data)).pages)
    assert "Comparison of Helsinki Centre, Łódź Piotrkowska" in text_two
    assert "13.0 min" in text_two and "27.0 min" in text_two


def test_finishing_a_visit_emits_feedback_requested_to_the_ticket_room(app, make, org):
    north, staff = org["north"], org["staff"]
    ticket_id = make.ticket(location=north, now=T0)
    with read_session() as session:
        ticket = session.get(Ticket, ticket_id)
        token, number = ticket.public_token, ticket.number
    customer = socketio.test_client(app, namespace="/ticket")
    customer.emit("watch", {"token": token}, namespace="/ticket")
    call_ticket(
        ticket_id=ticket_id, counter_id=north["counter_ids"][0], actor=staff["actor"], now=T0, reason="x"
    )
    customer.get_received("/ticket")
    act_on_ticket(ticket_id=ticket_id, action="finish", actor=staff["actor"], now=T0 + timedelta(minutes=4))
    requested = [m for m in customer.get_received("/ticket") if m["name"] == "feedback_requested"]
    assert requested == [
        {
            "name": "feedback_requested",
            "args": [{"url": f"/feedback/{token}", "number": number}],
            "namespace": "/ticket",
        }
    ]
    customer.disconnect(namespace="/ticket")


def finished_visit(make, org, **contact) -> tuple[int, str]:
    """Serve a customer at north half an hour ago; return the ticket's id and public token."""
    joined = datetime.now(UTC) - timedelta(minutes=30)
    ticket_id = serve(make, org["north"], org["staff"], joined=joined, wait_s=60, service_s=60, **contact)
    with read_session() as session:
        return ticket_id, session.get(Ticket, ticket_id).public_token


def test_the_feedback_page_takes_an_answer_and_erases_personal_data(client, make, org):
    ticket_id, token = finished_visit(make, org, name="Jan Kowalski", phone="+48601234567", language="pl")
    page = client.get(f"/feedback/{token}").get_data(as_text=True)
    assert "Jak oceniasz swoją wizytę?" in page and "Usuń moje dane osobowe" in page
    assert client.get(f"/t/{token}/feedback").headers["Location"] == f"/feedback/{token}"
    response = client.post(f"/feedback/{token}", data={"rating": "5", "q_comment": "Dzięki", "lang": "pl"})
    assert response.status_code == 302
    assert "Dziękujemy za opinię!" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert client.post(f"/feedback/{token}/erase", data={"lang": "pl"}).status_code == 302
    with read_session() as session:
        name, phone = session.execute(
            text("SELECT name, phone FROM tickets WHERE id = :id"), {"id": ticket_id}
        ).one()
        texts = session.execute(
            text("SELECT texts FROM feedback_answers WHERE ticket_id = :id"), {"id": ticket_id}
        )
        assert (name, phone) == (None, None) and texts.scalar() in ("{}", {})


def test_predicted_against_actual_waits_are_shown_per_service(app, client, org):
    from qserve.db import transaction

    with transaction() as tx:
        for ticket in tx.session.query(Ticket).filter(Ticket.location_id == org["north"]["id"]):
            wait_s = int((ticket.called_at - ticket.joined_at).total_seconds())
            # announced a minute too long for the served ones; 7 minutes too short for the no-show
            ticket.joined_estimate_p50_s = wait_s - 420 if ticket.status == "no_show" else wait_s + 60
    sign_in(client, org["manager"]["email"])
    html = client.get("/manage/?locations=north&" + RANGE).get_data(as_text=True)
    table = html.split('class="accuracy-by-service"')[1].split("</table>")[0]
    # errors -60, -60, -60, +420 s: mean absolute 150 s, median -60 s, 3 of 4 within 5 minutes
    assert "<td>4</td><td>2.5 min</td>" in table
    assert "<td>-1.0 min</td><td>75 %</td>" in table


def test_the_feedback_page_says_the_language_it_is_written_in(client, make, org):
    _, token = finished_visit(make, org, language="pl")
    english_phone = {"Accept-Language": "en-GB,en;q=0.9"}
    page = client.get(f"/feedback/{token}", headers=english_phone).get_data(as_text=True)
    assert "Jak oceniasz swoją wizytę?" in page and '<html lang="pl">' in page
    missing = client.get("/feedback/no-such-visit", headers={"Accept-Language": "fi-FI,fi;q=0.9"})
    text_missing = missing.get_data(as_text=True)
    assert missing.status_code == 404
    assert "Tämä palautelinkki on vanhentunut." in text_missing and '<html lang="fi">' in text_missing


def test_a_location_asking_for_no_feedback_leaves_the_finished_ticket_on_the_phone(app, client, make, org):
    north, staff = org["north"], org["staff"]
    set_feedback_form(
        organization_id=north["organization_id"],
        location_id=north["id"],
        config=DEFAULT_FORM | {"enabled": False},
        now=T0,
    )
    ticket_id = make.ticket(location=north, now=T0)
    with read_session() as session:
        token = session.get(Ticket, ticket_id).public_token
    customer = socketio.test_client(app, namespace="/ticket")
    customer.emit("watch", {"token": token}, namespace="/ticket")
    call_ticket(
        ticket_id=ticket_id, counter_id=north["counter_ids"][0], actor=staff["actor"], now=T0, reason="x"
    )
    act_on_ticket(ticket_id=ticket_id, action="finish", actor=staff["actor"], now=T0 + timedelta(minutes=4))
    received = [m["name"] for m in customer.get_received("/ticket")]
    customer.disconnect(namespace="/ticket")
    assert "ticket_updated" in received and "feedback_requested" not in received
    # The live page follows this link when it sees the visit done: it must not say "link expired".
    assert client.get(f"/t/{token}/feedback").headers["Location"] == f"/t/{token}"


NBSP = "\u00a0"


@pytest.mark.parametrize(
    ("language", "period", "minutes", "shares", "legend"),
    [
        (
            "fi",
            "23.–29.11.2026",
            "<td>13,0 min</td><td>10,0 min</td>",
            f"<td>25{NBSP}%</td><td>0{NBSP}%</td>",
            f"80{NBSP}%",
        ),
        (
            "sv",
            "2026-11-23–29",
            "<td>13,0 min</td><td>10,0 min</td>",
            f"<td>25{NBSP}%</td><td>0{NBSP}%</td>",
            f"80{NBSP}%",
        ),
        (
            "pl",
            "23–29.11.2026",
            "<td>13,0 min</td><td>10,0 min</td>",
            "<td>25%</td><td>0%</td>",
            "by 80% wezwać",
        ),
    ],
)
def test_the_dashboard_writes_figures_and_days_in_the_reader_language(
    client, org, language, period, minutes, shares, legend
):
    sign_in(client, org["manager"]["email"])
    html = client.get(f"/manage/?locations=north&locations=south&lang={language}&{RANGE}").get_data(
        as_text=True
    )
    summary = (
        html.split('id="summary"')[0].rsplit("<h2>", 1)[1]
        + html.split('id="summary"')[1].split("</table>")[0]
    )
    assert summary.startswith(period + "</h2>")
    assert minutes in summary and shares in summary  # medians, and the no-show rate
    assert "2.5 min" not in html and "13.0" not in html  # no point decimals left for a person to read
    assert legend in html and ">13,0 min</text>" in html  # the staffing legend and the bar of the service
    assert 'name="from" value="2026-11-23"' in html and 'step="1" value="10"' in html  # form values stay ISO


def _text_ends(data: bytes) -> list[float]:
    """Return where each piece of a PDF's text ends, measured in the tables' bold font (the wider one)."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    ends: list[float] = []
    for page in PdfReader(io.BytesIO(data)).pages:
        page.extract_text(
            visitor_text=lambda piece, cm, tm, font, size: (
                ends.append(cm[4] + tm[4] + stringWidth(piece.strip(), "DejaVuSans-Bold", 8.5))
                if piece.strip()
                else None
            )
        )
    return ends


def test_a_polish_pdf_writes_decimal_commas_and_stays_on_the_page_while_the_csv_keeps_points(client, org):
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm

    sign_in(client, org["manager"]["email"])
    both = client.get(f"/manage/report.pdf?locations=north,south&lang=pl&{RANGE}")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(both.data)).pages)
    assert "Porównanie: Helsinki Centre, Łódź Piotrkowska" in text
    assert "23–29.11.2026 · docelowe oczekiwanie 10 min" in text
    assert "13,0 min" in text and "27,0 min" in text and "25%" in text and "13.0" not in text
    single = client.get(f"/manage/report.pdf?locations=south&lang=pl&{RANGE}").data
    assert (
        "Zalecana obsada (80% wezwanych w docelowym czasie)"
        in PdfReader(io.BytesIO(single)).pages[0].extract_text()
    )
    # the long Polish headers wrap between words instead of pushing the last columns off the page
    assert 0 < max(_text_ends(single)) <= A4[0] - 15 * mm
    csv_text = client.get(f"/manage/export.csv?locations=north&lang=pl&{RANGE}").get_data(as_text=True)
    overall = next(csv.DictReader(io.StringIO(csv_text)))
    assert overall["median_wait_s"] == "780.0" and overall["within_target"] == "0.5"  # machine figures
