"""Lay out a queue ticket as ESC/POS bytes for a thermal printer."""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from datetime import datetime

from escpos.capabilities import get_profile
from escpos.constants import PAPER_FULL_CUT, QR_ECLEVEL_M
from escpos.printer import Dummy

from qserve.printing import raster
from qserve.printing.codepages import CodePageTable, encode, plain_typography
from qserve.printing.labels import (
    format_appointment,
    format_issued_at,
    format_late_booking,
    format_people_ahead,
    format_wait,
    labels_for,
)

ESC = b"\x1b"
DEFAULT_PAPER_WIDTH_PX = 576  # 80 mm roll, 72 mm printable at 203 dpi
FONT_A_WIDTH_DOTS = 12
LARGEST_SCALE = 8  # GS ! accepts 1..8 times width and height


@dataclass(frozen=True)
class PrintableTicket:
    """Everything printed on a ticket, already formatted for its location."""

    location_name: str
    number: str
    service_name: str
    issued_at: datetime
    people_ahead: int
    wait_p10_s: int | None
    wait_p90_s: int | None
    url: str
    footer: str = ""
    language: str = "en"
    logo_path: str | None = None
    appointment_at: datetime | None = None  # a checked-in booking's slot, in local time
    late_booking: datetime | None = None  # a booking checked in after its grace: its lost slot, local time

    @property
    def texts(self) -> TicketTexts:
        """Return the ticket's sentences in its language, as every rendering (ESC/POS, PDF) prints them."""
        language = self.language
        return TicketTexts(
            appointment=format_appointment(self.appointment_at, language),
            late_booking=format_late_booking(self.late_booking, language),
            issued_at=format_issued_at(self.issued_at, language),
            people_ahead=format_people_ahead(self.people_ahead, language),
            wait=format_wait(self.wait_p10_s, self.wait_p90_s, language),
        )


@dataclass(frozen=True)
class TicketTexts:
    """The formatted sentences of a ticket; None where a line is left out (no booking, no estimate)."""

    appointment: str | None
    late_booking: str | None
    issued_at: str
    people_ahead: str
    wait: str | None


def paper_width_px(profile: str | None = None) -> int:
    """Return the printable width in dots for an escpos profile (576 when the profile does not say)."""
    pixels = get_profile(profile).profile_data.get("media", {}).get("width", {}).get("pixels")
    return pixels if isinstance(pixels, int) else DEFAULT_PAPER_WIDTH_PX


class _TicketWriter:
    """Write styled, wrapped, correctly encoded lines onto an escpos printer object."""

    def __init__(self, printer: Dummy, profile: str | None) -> None:
        self.printer = printer
        self.code_pages = CodePageTable(profile)
        self.width_px = paper_width_px(profile)
        self.columns = self.width_px // FONT_A_WIDTH_DOTS
        self.code_page: str | None = None
        self.align, self.bold, self.size = "left", False, (1, 1)

    def line(
        self, text: str, *, bold: bool = False, scale: int = 1, tall: bool = False, align: str = "center"
    ) -> None:
        """Print text wrapped to the paper, switching code page or drawing it where needed."""
        height = scale * 2 if tall else scale
        self._style(align=align, bold=bold, width=scale, height=height)
        for part in textwrap.wrap(plain_typography(text), self.columns // scale) or [""]:
            self._one_line(part, bold=bold, width=scale, height=height, align=align)

    def _style(self, *, align: str, bold: bool, width: int, height: int) -> None:
        # Send only what changed, so the job stays short and readable in a hex dump.
        if align != self.align:
            self.printer.set(align=align)
        if bold != self.bold:
            self.printer.set(bold=bold)
        if (width, height) != self.size:
            self.printer.set(custom_size=True, width=width, height=height)
        self.align, self.bold, self.size = align, bold, (width, height)

    def _one_line(self, text: str, *, bold: bool, width: int, height: int, align: str) -> None:
        code_page = self.code_pages.choose(text, self.code_page)
        if code_page is None:
            image = raster.text_image(
                text, paper_width_px=self.width_px, align=align, bold=bold, width=width, height=height
            )
            self.printer._raw(raster.raster_command(image))
            return
        if code_page != self.code_page:
            self.printer._raw(ESC + b"t" + bytes([self.code_pages.slots[code_page]]))
            self.code_page = code_page
        self.printer._raw(encode(text, code_page) + b"\n")

    def blank(self, lines: int = 1) -> None:
        """Feed empty lines."""
        self.printer._raw(b"\n" * lines)

    def rule(self) -> None:
        """Print a dashed separator across the paper."""
        self.line("-" * self.columns)

    def logo(self, path: str) -> None:
        """Print a logo centred above the ticket."""
        self.printer._raw(raster.raster_command(raster.fit_logo(path, self.width_px)))

    def number(self, number: str) -> None:
        """Print the ticket number in the largest type that fits across the paper."""
        scale = max(1, min(LARGEST_SCALE, self.columns // max(len(number), 1)))
        self.line(number, bold=True, scale=scale)

    def qr(self, url: str) -> None:
        """Print the QR code with the printer's own QR command (GS ( k)."""
        self._style(align="center", bold=False, width=1, height=1)
        module_dots = 8 if self.width_px >= 512 else 6
        self.printer.qr(url, native=True, size=module_dots, ec=QR_ECLEVEL_M)
        self.blank()


def render_escpos(ticket: PrintableTicket, *, profile: str | None = None) -> bytes:
    """Render the whole ticket to ESC/POS bytes, ending with a cut."""
    printer = Dummy(profile=profile)
    printer.hw("INIT")
    writer = _TicketWriter(printer, profile)
    labels = labels_for(ticket.language)
    if ticket.logo_path:
        writer.logo(ticket.logo_path)
    writer.line(ticket.location_name, bold=True, scale=2)
    writer.rule()
    writer.line(labels["your_number"])
    writer.number(ticket.number)
    writer.line(ticket.service_name, bold=True, tall=True)
    texts = ticket.texts
    if texts.appointment is not None:
        writer.line(texts.appointment, bold=True)
    if texts.late_booking is not None:
        writer.line(texts.late_booking)
    writer.line(texts.issued_at)
    writer.rule()
    writer.line(texts.people_ahead, bold=True)
    if texts.wait is not None:
        writer.line(labels["estimated_wait"])
        writer.line(texts.wait, bold=True)
    writer.blank()
    writer.qr(ticket.url)
    writer.line(labels["follow"])
    if ticket.footer:
        writer.blank()
        for paragraph in ticket.footer.splitlines():
            writer.line(paragraph)
    # Cut even where the profile does not list a cutter: printers without one ignore GS V.
    printer.print_and_feed(6)
    printer._raw(PAPER_FULL_CUT)
    return printer.output
