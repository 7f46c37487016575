"""PDF reports with reportlab: one location's period, or several locations compared."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from qserve.formats import Figures
from qserve.insights.dashboard_texts import Words
from qserve.insights.formatting import SUMMARY_ROWS
from qserve.insights.staffing import GOAL

FONTS = Path(__file__).resolve().parents[1] / "printing" / "fonts"
FONT, BOLD = "DejaVuSans", "DejaVuSans-Bold"
SIZE = 8.5  # of the tables' text
MARGIN = 15 * mm
PADDING = 6  # reportlab's own, each side of a table cell and inside the page's frame
WIDTH = A4[0] - 2 * MARGIN - 2 * PADDING  # what a table may take


def _register_fonts() -> None:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(FONT, str(FONTS / "DejaVuSans.ttf")))
        pdfmetrics.registerFont(TTFont(BOLD, str(FONTS / "DejaVuSans-Bold.ttf")))


def _styles() -> dict:
    return {
        "title": ParagraphStyle("title", fontName=BOLD, fontSize=16, leading=20, spaceAfter=4),
        "h2": ParagraphStyle("h2", fontName=BOLD, fontSize=12, leading=16, spaceBefore=8, spaceAfter=4),
        "body": ParagraphStyle("body", fontName=FONT, fontSize=9, leading=12),
    }


def _width(text: str, font: str, *, wrapped: bool) -> float:
    """Return how wide a text is on one line, or its longest word when it may wrap."""
    return max(
        pdfmetrics.stringWidth(part, font, SIZE) for part in (text.split() if wrapped else [text]) or [""]
    )


def _column_widths(rows: list[list[str]]) -> list[float] | None:
    """Return widths that keep a table on the page by wrapping the header row and the names in the first
    column between words (Finnish, Swedish and Polish headers are long), or None when it fits as it is."""

    def widths(wrapped: bool) -> list[float]:
        return [
            max(
                max((_width(row[c], FONT, wrapped=wrapped and c == 0) for row in rows[1:]), default=0),
                _width(rows[0][c], BOLD, wrapped=wrapped),
            )
            + 2 * PADDING
            for c in range(len(rows[0]))
        ]

    natural = widths(False)
    if sum(natural) <= WIDTH:
        return None
    least = widths(True)
    spare = max(WIDTH - sum(least), 0)  # given back where wrapping cost the most lines
    saved = sum(natural) - sum(least)
    return [low + spare * (high - low) / saved for low, high in zip(least, natural, strict=True)]


def _table(rows: list[list[str]]) -> Table:
    widths = _column_widths(rows)
    if widths is not None:
        header = ParagraphStyle(
            "header", fontName=BOLD, fontSize=SIZE, leading=SIZE + 1.5, alignment=TA_RIGHT
        )
        name = ParagraphStyle("name", parent=header, fontName=FONT, alignment=TA_LEFT)
        first = ParagraphStyle("first", parent=header, alignment=TA_LEFT)
        rows = [
            [Paragraph(escape(text), first if c == 0 else header) for c, text in enumerate(rows[0])],
            *([Paragraph(escape(row[0]), name), *row[1:]] for row in rows[1:]),
        ]
    table = Table(rows, colWidths=widths, hAlign="LEFT", repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), FONT, SIZE),
                ("FONT", (0, 0), (-1, 0), BOLD, SIZE),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef8")),
                ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.HexColor("#c8d0dc")),
                ("ALIGN", (1, 0), (-1, -1), "RIGHT"),
                ("VALIGN", (0, 0), (-1, 0), "BOTTOM"),
            ]
        )
    )
    return table


def _comparison(reports: list[dict], w: Words, figures: Figures) -> Table:
    rows = [["", *(r["name"] for r in reports)]]
    rows += [
        [w(word), *(write(figures, r["summary"][key]) for r in reports)] for word, key, write in SUMMARY_ROWS
    ]
    return _table(rows)


def _groups(title: str, groups: list[dict], w: Words, figures: Figures) -> Table:
    rows = [[title, w.tickets, w.served, w.median_wait, w.p90_wait, w.service_time, w.no_show, w.rating]]
    for g in groups:
        rows.append(
            [
                g["name"],
                figures.number(g["tickets"]),
                figures.number(g["served"]),
                figures.minutes(g["median_wait_s"]),
                figures.minutes(g["p90_wait_s"]),
                figures.minutes(g["median_service_s"]),
                figures.percent(g["no_show_rate"]),
                figures.number(g["mean_rating"], 2),
            ]
        )
    return _table(rows)


def _staffing(report: dict, w: Words, figures: Figures) -> Table:
    rows = [[w.hour, w.arrivals_per_hour, w.counters_needed, w.counters_open]]
    rows += [
        [
            figures.hour(r["hour"]),
            figures.number(r["arrivals_per_hour"], 1),
            figures.number(r["counters_needed"]),
            figures.number(r["counters_open"], 1),
        ]
        for r in report["staffing"]
    ]
    return _table(rows)


def _location_section(report: dict, styles: dict, w: Words, figures: Figures, *, full: bool) -> list:
    accuracy = report["accuracy"]
    story = [Paragraph(f"{report['name']} ({report['time_zone']})", styles["h2"])]
    if full:
        story += [_comparison([report], w, figures), Spacer(1, 4 * mm)]
    story += [
        _groups(w.service, report["services"], w, figures),
        Spacer(1, 3 * mm),
        _groups(w.staff, report["staff"], w, figures),
        Spacer(1, 2 * mm),
    ]
    story.append(
        Paragraph(
            w(
                "accuracy_pdf",
                count=figures.number(accuracy["count"]),
                error=figures.minutes(accuracy["mean_abs_error_s"]),
                share=figures.percent(accuracy["within_tolerance"]),
            ),
            styles["body"],
        )
    )
    if full and report["staffing"]:
        story += [
            Paragraph(w("staffing_pdf", share=figures.percent(GOAL)), styles["h2"]),
            _staffing(report, w, figures),
        ]
    return story


def report_title(reports: list[dict], w: Words) -> str:
    """Return a report's title: the location's name, or the comparison of several."""
    if len(reports) == 1:
        return reports[0]["name"]
    return w("comparison_of", names=", ".join(r["name"] for r in reports))


def report_pdf(
    reports: list[dict], *, first: date, last: date, target_min: float, language: str = "en"
) -> bytes:
    """Return a PDF in a language: a location report for one location, or a comparison for several."""
    w, figures = Words(language), Figures(language)
    _register_fonts()
    styles = _styles()
    buffer = io.BytesIO()
    title = report_title(reports, w)
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        title=title,
        author="qserve",
    )
    story = [
        Paragraph(title, styles["title"]),
        Paragraph(
            w("period_line", period=figures.period(first, last), target=figures.amount(target_min)),
            styles["body"],
        ),
        Spacer(1, 4 * mm),
    ]
    if len(reports) > 1:
        story += [_comparison(reports, w, figures), Spacer(1, 4 * mm)]
    for report in reports:
        story += _location_section(report, styles, w, figures, full=len(reports) == 1)
    document.build(story)
    return buffer.getvalue()
