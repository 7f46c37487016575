"""The ESC/POS bytes of a ticket: number, native QR, cut, code pages, raster fallback."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from PIL import Image

from qserve.printing.escpos_stream import parse
from qserve.printing.layout import paper_width_px, render_escpos
from qserve.printing.preview import decode_text
from tests.unit.printing.tickets import URL, make_printable_ticket

ESC, GS = b"\x1b", b"\x1d"


def qr_store_command(url: str) -> bytes:
    """GS ( k pL pH cn=49 fn=80 m=48 data: store the QR data in the symbol area."""
    payload = b"1P0" + url.encode("utf-8")
    return GS + b"(k" + len(payload).to_bytes(2, "little") + payload


def commands(data: bytes) -> list[tuple[str, bytes]]:
    return [(command.name, command.params) for command in parse(data)[0]]


def test_the_job_starts_with_init_and_ends_with_a_full_cut():
    data = render_escpos(make_printable_ticket())

    assert data.startswith(ESC + b"@")
    assert data.endswith(ESC + b"d\x06" + GS + b"V\x00")


def test_the_number_is_printed_bold_in_the_largest_type():
    data = render_escpos(make_printable_ticket(number="A042"))

    size_then_number = GS + b"!\x77A042\n"
    assert size_then_number in data
    before = data[: data.index(size_then_number)]
    assert before.rfind(ESC + b"E\x01") > before.rfind(ESC + b"E\x00")


def test_a_long_number_shrinks_to_fit_the_paper():
    data = render_escpos(make_printable_ticket(number="WALKIN-1234"))

    assert GS + b"!\x33WALKIN-1234\n" in data  # 48 columns / 11 characters -> 4 times


def test_the_qr_code_uses_the_printer_native_command_with_the_exact_url():
    data = render_escpos(make_printable_ticket())

    assert qr_store_command(URL) in data
    assert GS + b"(k\x03\x001Q0" in data  # print the stored symbol
    assert data.index(qr_store_command(URL)) < data.index(GS + b"(k\x03\x001Q0")
    assert GS + b"v0" not in data  # no raster image: the printer draws the QR itself


def test_a_url_with_non_ascii_characters_is_stored_as_utf8():
    url = "https://qserve.example/t/kö-1"

    data = render_escpos(make_printable_ticket(url=url))

    assert qr_store_command(url) in data


def test_an_english_ticket_says_people_ahead_and_the_wait_range():
    lines = decode_text(render_escpos(make_printable_ticket()))

    assert "3 people ahead of you" in lines
    assert "Estimated wait" in lines
    assert "about 10-20 min" in lines  # the en dash becomes a hyphen every code page has
    assert "2026-11-12 14:05" in lines
    assert "Follow your turn on your phone" in lines


@pytest.mark.parametrize(
    ("language", "said"),
    [
        ("en", "Your appointment: 14:30"),
        ("fi", "Varattu aikasi: klo 14.30"),
        ("sv", "Din bokade tid: kl. 14:30"),
        ("pl", "Twoja rezerwacja: 14:30"),
    ],
)
def test_a_checked_in_booking_prints_its_time_and_a_walk_in_none(language, said):
    slot = datetime(2026, 11, 12, 14, 30, tzinfo=ZoneInfo("Europe/Helsinki"))
    booked = decode_text(render_escpos(make_printable_ticket(language, appointment_at=slot)))
    walk_in = decode_text(render_escpos(make_printable_ticket(language)))

    assert said in booked and said.split(":")[0] not in walk_in


@pytest.mark.parametrize(
    ("language", "said"),
    [
        ("en", "You arrived after your booked time (14:30), so you are now served in order of arrival."),
        (
            "fi",
            "Saavuit varatun aikasi (klo 14.30) jälkeen, joten sinut palvellaan nyt saapumisjärjestyksessä.",
        ),
        ("sv", "Du kom efter din bokade tid (kl. 14:30) och betjänas därför nu i ankomstordning."),
    ],
)
def test_a_booking_checked_in_late_prints_that_it_is_served_in_order_of_arrival(language, said):
    slot = datetime(2026, 11, 12, 14, 30, tzinfo=ZoneInfo("Europe/Helsinki"))
    late = " ".join(decode_text(render_escpos(make_printable_ticket(language, late_booking=slot))))
    on_time = " ".join(decode_text(render_escpos(make_printable_ticket(language, appointment_at=slot))))

    assert said in late and said[:12] not in on_time  # wrapped at spaces across lines


def test_a_ticket_without_an_estimate_prints_no_wait_line():
    lines = decode_text(render_escpos(make_printable_ticket(wait_p10_s=None, wait_p90_s=None)))

    assert "Estimated wait" not in lines


@pytest.mark.parametrize("language", ["fi", "sv"])
def test_nordic_letters_are_sent_in_code_page_437(language):
    ticket = make_printable_ticket(language)

    data = render_escpos(ticket)

    assert ESC + b"t\x00" in data
    assert ticket.location_name.encode("cp437") in data
    assert ticket.footer.encode("cp437") in data
    assert commands(data).count(("codepage", b"\x00")) == 1  # chosen once, kept for the whole ticket


def test_polish_letters_are_sent_in_code_page_852():
    ticket = make_printable_ticket("pl")

    data = render_escpos(ticket)

    assert ESC + b"t\x12" in data  # ESC t 18 selects PC852 (Latin-2)
    assert "Urząd Miasta Łódź".encode("cp852") in data
    assert "ZAŻÓŁĆ GĘŚLĄ JAŹŃ.".encode("cp852") in data
    assert "Śledź swoją kolejkę w telefonie".encode("cp852") in data
    assert "Śledź swoją kolejkę w telefonie" in decode_text(data)


def test_a_line_no_single_code_page_holds_switches_code_page_where_needed():
    ticket = make_printable_ticket("pl", location_name="Åbo", footer="Zażółć gęślą jaźń")

    data = render_escpos(ticket)

    assert ESC + b"t\x00" + "Åbo".encode("cp437") in data
    assert ESC + b"t\x12" in data
    assert data.index(ESC + b"t\x00") < data.index(ESC + b"t\x12")
    assert "Zażółć gęślą jaźń".encode("cp852") in data


def test_a_printer_without_a_polish_code_page_gets_polish_lines_as_raster_images():
    ticket = make_printable_ticket("pl")

    data = render_escpos(ticket, profile="simple")  # the profile offers CP437 only

    assert ESC + b"t\x12" not in data
    assert b"?" not in b"".join(command.data for command in parse(data)[0] if command.name == "text")
    rasters = [command for command in parse(data)[0] if command.name == "raster"]
    assert len(rasters) >= 3  # location, people ahead, footer and the rest with Polish letters
    assert all(int.from_bytes(raster.params[1:3], "little") * 8 == 576 for raster in rasters)
    assert "Twój numer" in decode_text(data)  # ó exists in CP437, so that line stays text


def test_a_logo_is_printed_as_a_centred_raster_image_before_the_location(tmp_path):
    logo = tmp_path / "logo.png"
    Image.new("RGB", (200, 80), (20, 40, 160)).save(logo)

    data = render_escpos(make_printable_ticket(logo_path=str(logo)))

    raster = next(command for command in parse(data)[0] if command.name == "raster")
    assert int.from_bytes(raster.params[1:3], "little") == 576 // 8
    assert int.from_bytes(raster.params[3:5], "little") == 80
    assert data.index(raster.raw) < data.index(b"Riverside Branch")


def test_the_profile_decides_the_paper_width():
    assert paper_width_px(None) == 576
    assert paper_width_px("TM-T88V") == 512

    data = render_escpos(make_printable_ticket(), profile="TM-T88V")

    assert b"-" * 42 + b"\n" in data and b"-" * 43 not in data
