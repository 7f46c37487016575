"""PDF reports with reportlab: one location's period, or several locations compared."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from qserve.insights.dashboard_texts import Words
from qserve.insights.formatting import SUMMARY_ROWS, minutes, number, percent

FONTS = Path(__file__).resolve().parents[1] / "printing" / "fonts"
FONT, BOLD = "DejaVuSans", "DejaVuSans-Bold"


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


def _table(rows: list[list[str]]) -> Table:
    table = Table(rows, hAlign="LEFT", repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), FONT, 8.5),
                ("FONT", (0, 0), (-1, 0), BOLD, 8.5),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef8")),
                ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.HexColor("#c8d0dc")),
                ("ALIGN", (1, 0), (-1, -1), "RIGHT"),
            ]
        )
    )
    return table


def _comparison(reports: list[dict], w: Words) -> Table:
    rows = [["", *(r["name"] for r in reports)]]
    rows += [[w(word), *(fmt(r["summary"][key]) for r in reports)] for word, key, fmt in SUMMARY_ROWS]
    return _table(rows)


def _groups(title: str, groups: list[dict], w: Words) -> Table:
    rows = [[title, w.tickets, w.served, w.median_wait, w.p90_wait, w.service_time, w.no_show, w.rating]]
    for g in groups:
        rows.append(
            [
                g["name"],
                number(g["tickets"]),
                number(g["served"]),
                minutes(g["median_wait_s"]),
                minutes(g["p90_wait_s"]),
                minutes(g["median_service_s"]),
                percent(g["no_show_rate"]),
                number(g["mean_rating"], 2),
            ]
        )
    return _table(rows)


def _staffing(report: dict, w: Words) -> Table:
    rows = [[w.hour, w.arrivals_per_hour, w.counters_needed, w.counters_open]]
    rows += [
        [
            f"{r['hour']:02d}:00",
            number(r["arrivals_per_hour"], 1),
            str(r["counters_needed"]),
            number(r["counters_open"], 1),
        ]
        for r in report["staffing"]
    ]
    return _table(rows)


def _location_section(report: dict, styles: dict, w: Words, *, full: bool) -> list:
    accuracy = report["accuracy"]
    story = [Paragraph(f"{report['name']} ({report['time_zone']})", styles["h2"])]
    if full:
        story += [_comparison([report], w), Spacer(1, 4 * mm)]
    story += [
        _groups(w.service, report["services"], w),
        Spacer(1, 3 * mm),
        _groups(w.staff, report["staff"], w),
    ]
    story.append(
        Paragraph(
            w(
                "accuracy_pdf",
                count=accuracy["count"],
                error=minutes(accuracy["mean_abs_error_s"]),
                share=percent(accuracy["within_tolerance"]),
            ),
            styles["body"],
        )
    )
    if full and report["staffing"]:
        story += [Paragraph(w.staffing_pdf, styles["h2"]), _staffing(report, w)]
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
    w = Words(language)
    _register_fonts()
    styles = _styles()
    buffer = io.BytesIO()
    title = report_title(reports, w)
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
        title=title,
        author="qserve",
    )
    story = [
        Paragraph(title, styles["title"]),
        Paragraph(
            w("period_line", first=first.isoformat(), last=last.isoformat(), target=f"{target_min:g}"),
            styles["body"],
        ),
        Spacer(1, 4 * mm),
    ]
    if len(reports) > 1:
        story += [_comparison(reports, w), Spacer(1, 4 * mm)]
    for report in reports:
        story += _location_section(report, styles, w, full=len(reports) == 1)
    document.build(story)
    return buffer.getvalue()
