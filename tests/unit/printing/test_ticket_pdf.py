"""The PDF ticket for 80 mm and 58 mm rolls."""

from __future__ import annotations

import io
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from pypdf import PdfReader
from reportlab.lib.units import mm

from qserve.documents.ticket_pdf import render_ticket_pdf
from tests.unit.printing.tickets import make_printable_ticket


def pdf_text(data: bytes) -> tuple[PdfReader, str]:
    reader = PdfReader(io.BytesIO(data))
    return reader, " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


@pytest.mark.parametrize("width_mm", [80, 58])
def test_a_pdf_ticket_is_one_page_as_wide_as_the_roll(width_mm):
    reader, text = pdf_text(render_ticket_pdf(make_printable_ticket(), width_mm=width_mm))

    assert len(reader.pages) == 1
    assert float(reader.pages[0].mediabox.width) == pytest.approx(width_mm * mm, abs=0.01)
    assert "A042" in text
    assert "Riverside Branch" in text
    assert "3 people ahead of you" in text
    assert "about 10–20 min" in text


@pytest.mark.parametrize("width_mm", [80, 58])
def test_polish_letters_survive_in_the_pdf(width_mm):
    _, text = pdf_text(render_ticket_pdf(make_printable_ticket("pl"), width_mm=width_mm))

    assert "Urząd Miasta Łódź" in text
    assert "ZAŻÓŁĆ GĘŚLĄ JAŹŃ." in text
    assert "Śledź swoją kolejkę w telefonie" in text
    assert "3 osoby przed Tobą" in text


def test_nordic_letters_survive_in_the_pdf():
    _, text = pdf_text(render_ticket_pdf(make_printable_ticket("sv")))

    assert "Vårdcentralen Åbo" in text
    assert "Välkommen åter! ÅÄÖ åäö" in text


def test_the_qr_code_is_drawn_as_vectors_not_an_image():
    reader, _ = pdf_text(render_ticket_pdf(make_printable_ticket()))

    page = reader.pages[0]
    assert not page.images
    assert page.get_contents().get_data().count(b" re") > 100  # one rectangle per dark module


def test_only_80_and_58_mm_rolls_are_offered():
    with pytest.raises(ValueError, match="roll width"):
        render_ticket_pdf(make_printable_ticket(), width_mm=110)


def test_a_pdf_ticket_of_a_checked_in_booking_says_its_time():
    slot = datetime(2026, 11, 12, 14, 30, tzinfo=ZoneInfo("Europe/Helsinki"))
    _, text = pdf_text(render_ticket_pdf(make_printable_ticket("sv", appointment_at=slot)))
    assert "Din bokade tid: kl. 14:30" in text


def test_a_pdf_ticket_of_a_booking_checked_in_late_says_it_is_served_in_order_of_arrival():
    slot = datetime(2026, 11, 12, 14, 30, tzinfo=ZoneInfo("Europe/Warsaw"))
    _, text = pdf_text(render_ticket_pdf(make_printable_ticket("pl", late_booking=slot)))
    said = (
        "Przybycie zgłoszono po zarezerwowanej godzinie (14:30), więc obsługa odbywa się teraz w kolejności"
    )
    assert said in " ".join(text.split())
