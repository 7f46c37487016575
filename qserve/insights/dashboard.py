"""The manager's dashboard (/manage/): locations side by side over a date range, CSV and PDF exports."""

from __future__ import annotations

from datetime import date, timedelta

from flask import Blueprint, Response, current_app, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from qserve.api.inputs import date_arg
from qserve.db import read_session, utcnow
from qserve.domain.errors import ValidationFailed
from qserve.domain.numbering import service_day
from qserve.formats import Figures
from qserve.insights import charts, formatting, schedules
from qserve.insights.dashboard_texts import LANGUAGES, TEXTS, words
from qserve.insights.export import report_csv
from qserve.insights.queries import Period, location_report, managed_locations
from qserve.insights.report_pdf import report_pdf
from qserve.insights.staffing import GOAL

bp = Blueprint("manage", __name__, url_prefix="/manage", template_folder="templates")

DEFAULT_TARGET_MIN = 10
MIN_TARGET_MIN, MAX_TARGET_MIN = 1, 600  # as for the reports by e-mail
# Pages of other packages a manager reaches from the dashboard, when those packages are installed.
EXTRA_LINKS = (("admin.index", "administration"),)
APPOINTMENT_COUNTS = "appointments_manage.counts"  # per location
MAX_DAYS = 366


def parse_filters(today: date | None = None, *, defaults: bool = False) -> dict:
    """Read locations, date range and target wait from the query string (the last 7 days up to `today`,
    10 minutes); with `defaults`, the locations alone (the range and target are the defaults)."""
    last = today or utcnow().date()
    slugs = [s for value in request.args.getlist("locations") for s in value.split(",") if s]
    if defaults:
        return {
            "period": Period(last - timedelta(days=6), last),
            "target_min": DEFAULT_TARGET_MIN,
            "slugs": slugs,
        }
    last = date_arg("to", last)
    first = date_arg("from", last - timedelta(days=6))
    if first > last or (last - first).days >= MAX_DAYS:
        raise ValidationFailed(f"choose a range of 1 to {MAX_DAYS} days", field="from")
    try:
        target_min = float(request.args.get("target") or DEFAULT_TARGET_MIN)
    except ValueError as error:
        raise ValidationFailed("the target wait is a number of minutes", field="target") from error
    if not MIN_TARGET_MIN <= target_min <= MAX_TARGET_MIN:  # also refuses nan and inf
        raise ValidationFailed(
            f"the target wait is {MIN_TARGET_MIN} to {MAX_TARGET_MIN} minutes", field="target"
        )
    return {"period": Period(first, last), "target_min": target_min, "slugs": slugs}


def build_reports(language: str = "en", *, defaults: bool = False) -> tuple[dict, list, list[dict]]:
    """Return the filters, every location the manager may see, and the reports of the chosen ones (with
    `defaults`, over the default range and target, see parse_filters)."""
    now = utcnow()
    with read_session() as session:
        every = managed_locations(session, current_user)
        # Days are the locations' own: by default the range ends on the latest of their todays (in the
        # evening UTC, Helsinki's today is already tomorrow's UTC date).
        today = max((service_day(now, loc.time_zone) for loc in every), default=None)
        filters = parse_filters(today, defaults=defaults)
        chosen = managed_locations(session, current_user, filters["slugs"]) if filters["slugs"] else every[:2]
        reports = [
            location_report(
                session,
                location,
                filters["period"],
                target_wait_s=filters["target_min"] * 60,
                now=now,
                language=language,
            )
            for location in chosen
        ]
        choices = [{"slug": loc.slug, "name": loc.name} for loc in every]
    return filters, choices, reports


@bp.context_processor
def _formatters() -> dict:
    w = words()
    figures = Figures(w.language)
    return {
        "w": w,
        "figures": figures,
        "extra_links": [
            (endpoint, word) for endpoint, word in EXTRA_LINKS if endpoint in current_app.view_functions
        ],
        "appointment_counts": (
            APPOINTMENT_COUNTS if APPOINTMENT_COUNTS in current_app.view_functions else None
        ),
        "languages": LANGUAGES,
        "minutes": figures.minutes,
        "percent": figures.percent,
        "number": figures.number,
        "summary_rows": formatting.SUMMARY_ROWS,
        "staffing_goal": GOAL,
        "wait_bars": wait_bars,
    }


def query_without_language() -> str:
    """Return the query string without ?lang=, for the language links to add their own."""
    return "&".join(f"{key}={value}" for key, value in request.args.items(multi=True) if key != "lang")


def wait_bars(report: dict) -> list[tuple[str, float]]:
    """Return (service, median wait in seconds) for a location's bar chart."""
    return [(s["name"], s["median_wait_s"] or 0) for s in report["services"]]


@bp.get("/")
@login_required
def dashboard():
    """Show the chosen locations side by side; a wrong range or target is explained above the default
    figures (422), not instead of the dashboard."""
    error = None
    try:
        filters, choices, reports = build_reports(words().language)
    except ValidationFailed as failure:
        error = failure
        filters, choices, reports = build_reports(words().language, defaults=True)
    chosen = {report["slug"] for report in reports}
    page = render_template(
        "insights/dashboard.html",
        filters=filters,
        choices=choices,
        chosen=chosen,
        reports=reports,
        charts=charts,
        error=error,
        error_text=error_text(error) if error else None,
        query=request.query_string.decode(),
        query_without_language=query_without_language(),
    )
    return page, 422 if error else 200


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
    language = words().language
    filters, _, reports = build_reports(language)
    period = filters["period"]
    data = report_pdf(
        reports, first=period.first, last=period.last, target_min=filters["target_min"], language=language
    )
    name = f"qserve-report-{period.first}-{period.last}.pdf"
    return Response(
        data, mimetype="application/pdf", headers={"Content-Disposition": f'inline; filename="{name}"'}
    )


def error_text(error: ValidationFailed) -> str:
    """Say what is wrong with a field: the detailed message in English, a translated one otherwise."""
    w, key = words(), f"err_{error.field}"
    return error.message if w.language == "en" or key not in TEXTS["en"] else w(key)


def _schedule_request() -> schedules.ScheduleRequest:
    try:
        target = float(request.form.get("target") or DEFAULT_TARGET_MIN)
    except ValueError as error:
        raise ValidationFailed("the target wait is a number of minutes", field="target") from error
    return schedules.ScheduleRequest(
        recipients=request.form.get("recipients", ""),
        frequency=request.form.get("frequency", ""),
        slugs=request.form.getlist("locations"),
        target_min=target,
        language=request.form.get("language") or words().language,
    )


@bp.route("/reports", methods=["GET", "POST"])
@login_required
def report_schedules():
    """List the report e-mails and add one for the chosen locations; a wrong field keeps what was typed."""
    error = notice = None
    status = 200
    if request.method == "POST":
        try:
            schedules.create_schedule(current_user, _schedule_request(), now=utcnow())
            return redirect(url_for("manage.report_schedules", saved=1))
        except ValidationFailed as failure:
            error, status = failure, 422
    elif request.args.get("saved"):
        notice = words().schedule_saved
    elif request.args.get("removed"):
        notice = words().schedule_removed
    filters = parse_filters() if request.method == "GET" else None
    with read_session() as session:
        choices = [{"slug": loc.slug, "name": loc.name} for loc in managed_locations(session, current_user)]
    chosen = set(request.form.getlist("locations")) if request.method == "POST" else set(filters["slugs"])
    form = {
        "recipients": request.form.get("recipients", ""),
        "frequency": request.form.get("frequency", "weekly"),
        "target": request.form.get("target") or (f"{filters['target_min']:g}" if filters else "10"),
        "language": request.form.get("language") or words().language,
    }
    return (
        render_template(
            "insights/reports.html",
            schedules=schedules.list_schedules(current_user),
            choices=choices,
            chosen=chosen or {c["slug"] for c in choices[:2]},
            form=form,
            error=error,
            error_text=error_text(error) if error else None,
            notice=notice,
            query_without_language=query_without_language(),
        ),
        status,
    )


@bp.post("/reports/<int:schedule_id>/delete")
@login_required
def delete_report_schedule(schedule_id: int):
    """Stop sending a report."""
    schedules.delete_schedule(current_user, schedule_id)
    return redirect(url_for("manage.report_schedules", removed=1))
