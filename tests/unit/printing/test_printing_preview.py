"""The PNG preview of ESC/POS bytes."""

from __future__ import annotations

import qrcode
from PIL import Image, ImageChops

from qserve.printing.layout import render_escpos
from qserve.printing.preview import PAPER_WIDTH_PX, decode_text, render_preview, save_preview
from tests.unit.printing.tickets import URL, make_printable_ticket


def dark_rows(image: Image.Image) -> list[int]:
    return [
        row for row in range(image.height) if image.crop((0, row, image.width, row + 1)).getextrema()[0] < 128
    ]


def test_a_ticket_preview_is_an_80_mm_strip_of_paper(tmp_path):
    path = save_preview(render_escpos(make_printable_ticket()), tmp_path / "ticket.png")

    with Image.open(path) as image:
        assert image.format == "PNG"
        assert image.width == PAPER_WIDTH_PX
        assert 900 < image.height < 1600


def test_text_is_decoded_with_the_code_page_that_was_selected():
    data = b"\x1b@\x1bt\x12\x97led\xab\n\x1bt\x00\x86\x84\x94\n"

    assert decode_text(data) == ["Śledź", "åäö"]


def test_the_native_qr_command_is_drawn_as_the_same_qr_code():
    data = render_escpos(make_printable_ticket())
    code = qrcode.QRCode(box_size=8, border=0, error_correction=qrcode.constants.ERROR_CORRECT_M)
    code.add_data(URL)
    code.make(fit=True)
    expected = code.make_image().get_image().convert("L")

    preview = render_preview(data)

    left = (PAPER_WIDTH_PX - expected.width) // 2
    matches = [
        top
        for top in range(0, preview.height - expected.height)
        if ImageChops.difference(
            preview.crop((left, top, left + expected.width, top + expected.height)), expected
        ).getbbox()
        is None
    ]
    assert len(matches) == 1


def test_a_raster_image_prints_its_set_bits_black():
    data = b"\x1dv0\x00\x01\x00\x02\x00\xf0\x0f"  # 8 x 2 dots: left half, then right half

    preview = render_preview(data, width_px=8)

    first, second = dark_rows(preview)
    assert [preview.getpixel((x, first)) < 128 for x in range(8)] == [True] * 4 + [False] * 4
    assert [preview.getpixel((x, second)) < 128 for x in range(8)] == [False] * 4 + [True] * 4


def test_bigger_type_prints_taller_lines():
    small = render_preview(b"\x1b@A042\n")
    large = render_preview(b"\x1b@\x1d!\x77A042\n")

    assert len(dark_rows(large)) > 6 * len(dark_rows(small))


def test_a_cut_is_shown_as_a_grey_band():
    preview = render_preview(b"\x1b@Hello\n\x1dV\x00")

    assert preview.getpixel((4, preview.height - 2)) == 225
