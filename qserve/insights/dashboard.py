"""The manager's dashboard (/manage/): locations side by side over a date range, CSV and PDF exports."""

from __future__ import annotations

from datetime import date, timedelta

from flask import Blueprint, Response, render_template, request
from flask_login import current_user, login_required

from qserve.db import read_session, utcnow
from qserve.domain.errors import ValidationFailed
from qserve.insights import charts, formatting
from qserve.insights.export import report_csv
from qserve.insights.queries import Period, location_report, managed_locations
from qserve.insights.report_pdf import report_pdf

bp = Blueprint("manage", __name__, url_prefix="/manage", template_folder="templates")

DEFAULT_TARGET_MIN = 10
MAX_DAYS = 366


def _date(name: str, default: date) -> date:
    raw = request.args.get(name)
    if not raw:
        return default
    try:
        return date.fromisoformat(raw)
    except ValueError as error:
        raise ValidationFailed("write dates as YYYY-MM-DD", field=name) from error


def parse_filters() -> dict:
    """Read locations, date range and target wait from the query string (last 7 days, 10 minutes)."""
    today = utcnow().date()
    last = _date("to", today)
    first = _date("from", last - timedelta(days=6))
    if first > last or (last - first).days >= MAX_DAYS:
        raise ValidationFailed(f"choose a range of 1 to {MAX_DAYS} days", field="from")
    try:
        target_min = float(request.args.get("target") or DEFAULT_TARGET_MIN)
    except ValueError as error:
        raise ValidationFailed("the target wait is a number of minutes", field="target") from error
    slugs = [s for value in request.args.getlist("locations") for s in value.split(",") if s]
    return {"period": Period(first, last), "target_min": target_min, "slugs": slugs}


def build_reports() -> tuple[dict, list, list[dict]]:
    """Return the filters, every location the manager may see, and the reports of the chosen ones."""
    filters = parse_filters()
    now = utcnow()
    with read_session() as session:
        every = managed_locations(session, current_user)
        chosen = managed_locations(session, current_user, filters["slugs"]) if filters["slugs"] else every[:2]
        reports = [
            location_report(
                session, location, filters["period"], target_wait_s=filters["target_min"] * 60, now=now
            )
            for location in chosen
        ]
        choices = [{"slug": loc.slug, "name": loc.name} for loc in every]
    return filters, choices, reports


@bp.context_processor
def _formatters() -> dict:
    return {
        "minutes": formatting.minutes,
        "percent": formatting.percent,
        "number": formatting.number,
        "summary_rows": formatting.SUMMARY_ROWS,
        "wait_bars": wait_bars,
    }


def wait_bars(report: dict) -> list[tuple[str, float]]:
    """Return (service, median wait in minutes) for a location's bar chart."""
    return [(s["name"], (s["median_wait_s"] or 0) / 60) for s in report["services"]]


@bp.get("/")
@login_required
def dashboard():
    """Show the chosen locations side by side."""
    filters, choices, reports = build_reports()
    chosen = {report["slug"] for report in reports}
    return render_template(
        "insights/dashboard.html",
        filters=filters,
        choices=choices,
        chosen=chosen,
        reports=reports,
        charts=charts,
        query=request.query_string.decode(),
    )


@bp.get("/export.csv")
@login_required
def export_csv():
    """Download the chosen locations' figures, overall and per service and staff member, as CSV."""
    filters, _, reports = build_reports()
    period = filters["period"]
    name = f"qserve-{period.first}-{period.last}.csv"
    return Response(
        report_csv(reports),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@bp.get("/report.pdf")
@login_required
def export_pdf():
    """Download a PDF report: one location's period, or a comparison of several."""
    filters, _, reports = build_reports()
    period = filters["period"]
    data = report_pdf(reports, first=period.first, last=period.last, target_min=filters["target_min"])
    name = f"qserve-report-{period.first}-{period.last}.pdf"
    return Response(
        data, mimetype="application/pdf", headers={"Content-Disposition": f'inline; filename="{name}"'}
    )
