"""A queue ticket as a PDF on an 80 mm or 58 mm roll, for office printers and phones."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass

from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from qserve.printing import fonts
from qserve.printing.labels import labels_for
from qserve.printing.layout import PrintableTicket

REGULAR, BOLD = "QServeDejaVuSans", "QServeDejaVuSans-Bold"
ROLL_WIDTHS_MM = (80, 58)
MARGIN_MM = 4


def register_fonts() -> None:
    """Register the DejaVu TrueType fonts with reportlab once (built-in fonts lack Polish letters)."""
    registered = pdfmetrics.getRegisteredFontNames()
    if REGULAR not in registered:
        pdfmetrics.registerFont(TTFont(REGULAR, str(fonts.SANS)))
    if BOLD not in registered:
        pdfmetrics.registerFont(TTFont(BOLD, str(fonts.SANS_BOLD)))


@dataclass(frozen=True)
class _Block:
    """A piece of the ticket: how tall it is and how to draw it below a given top edge."""

    height: float
    draw: Callable[[Canvas, float], None]


class _Builder:
    """Collect the ticket's blocks for one roll width."""

    def __init__(self, width_mm: int) -> None:
        self.page_width = width_mm * mm
        self.content_width = (width_mm - 2 * MARGIN_MM) * mm
        self.blocks: list[_Block] = []

    def text(self, text: str, *, size: float, bold: bool = False, space_after: float = 2) -> None:
        """Add centred text wrapped to the roll."""
        font = BOLD if bold else REGULAR
        lines = simpleSplit(text, font, size, self.content_width) or [""]
        leading = size * 1.25
        centre = self.page_width / 2

        def draw(canvas: Canvas, top: float) -> None:
            canvas.setFont(font, size)
            for index, line in enumerate(lines):
                canvas.drawCentredString(centre, top - size - index * leading, line)

        self.blocks.append(_Block(leading * (len(lines) - 1) + size * 1.3 + space_after, draw))

    def number(self, number: str, *, largest: float) -> None:
        """Add the ticket number as large as the roll allows."""
        size = min(largest, self.content_width / max(stringWidth(number, BOLD, 1), 0.01))
        self.text(number, size=size, bold=True, space_after=4)

    def rule(self) -> None:
        """Add a dashed line across the roll."""
        left, right = MARGIN_MM * mm, self.page_width - MARGIN_MM * mm

        def draw(canvas: Canvas, top: float) -> None:
            canvas.setDash(2, 2)
            canvas.setLineWidth(0.6)
            canvas.line(left, top - 4, right, top - 4)
            canvas.setDash()

        self.blocks.append(_Block(8, draw))

    def qr(self, url: str, *, side: float) -> None:
        """Add the QR code as vector shapes."""
        widget = QrCodeWidget(url, barLevel="M", barBorder=0)
        x0, y0, x1, y1 = widget.getBounds()
        drawing = Drawing(side, side, transform=[side / (x1 - x0), 0, 0, side / (y1 - y0), 0, 0])
        drawing.add(widget)
        left = (self.page_width - side) / 2

        def draw(canvas: Canvas, top: float) -> None:
            renderPDF.draw(drawing, canvas, left, top - side - 4)

        self.blocks.append(_Block(side + 10, draw))

    def pdf(self, title: str) -> bytes:
        """Draw every block on one page exactly as tall as the ticket."""
        margin = MARGIN_MM * mm
        height = sum(block.height for block in self.blocks) + 2 * margin
        buffer = io.BytesIO()
        canvas = Canvas(buffer, pagesize=(self.page_width, height), invariant=True)
        canvas.setTitle(title)
        top = height - margin
        for block in self.blocks:
            block.draw(canvas, top)
            top -= block.height
        canvas.showPage()
        canvas.save()
        return buffer.getvalue()


def render_ticket_pdf(ticket: PrintableTicket, *, width_mm: int = 80) -> bytes:
    """Render the ticket as a one-page PDF for an 80 mm or 58 mm roll."""
    if width_mm not in ROLL_WIDTHS_MM:
        raise ValueError(f"roll width must be one of {ROLL_WIDTHS_MM} mm, not {width_mm}")
    register_fonts()
    labels = labels_for(ticket.language)
    narrow = width_mm < 80
    builder = _Builder(width_mm)
    builder.text(ticket.location_name, size=12 if narrow else 14, bold=True)
    builder.rule()
    builder.text(labels["your_number"], size=9)
    builder.number(ticket.number, largest=54 if narrow else 64)
    builder.text(ticket.service_name, size=11 if narrow else 13, bold=True)
    texts = ticket.texts
    if texts.appointment is not None:
        builder.text(texts.appointment, size=10, bold=True)
    if texts.late_booking is not None:
        builder.text(texts.late_booking, size=9)
    builder.text(texts.issued_at, size=9)
    builder.rule()
    builder.text(texts.people_ahead, size=10, bold=True)
    if texts.wait is not None:
        builder.text(labels["estimated_wait"], size=9, space_after=0)
        builder.text(texts.wait, size=11, bold=True)
    builder.qr(ticket.url, side=(34 if narrow else 42) * mm)
    builder.text(labels["follow"], size=9)
    for paragraph in filter(None, ticket.footer.splitlines()):
        builder.text(paragraph, size=8)
    return builder.pdf(f"{ticket.number} · {ticket.location_name}")
