"""The manager's booking figures (/manage/appointments/<slug>): booked, checked in, no-show, cancelled."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from flask import Blueprint, render_template
from flask_babel import get_locale
from flask_login import current_user, login_required
from sqlalchemy import select

from qserve.api.inputs import date_arg
from qserve.appointments.reports import appointment_report
from qserve.db import read_session, utcnow
from qserve.models import Location
from qserve.services.accounts import actor_for

bp = Blueprint(
    "appointments_manage", __name__, url_prefix="/manage/appointments", template_folder="templates"
)
DAYS_BEFORE, DAYS_AFTER = 7, 7


@bp.get("/<slug>")
@login_required
def counts(slug: str):
    """Show a location's bookings by status and service over a date range (a week back and ahead)."""
    with read_session() as session:
        zone = session.scalar(select(Location.time_zone).where(Location.slug == slug)) or "UTC"
    today = utcnow().astimezone(ZoneInfo(zone)).date()
    first = date_arg("from", today - timedelta(days=DAYS_BEFORE))
    last = date_arg("to", today + timedelta(days=DAYS_AFTER))
    actor, language = actor_for(current_user), str(get_locale() or "en")
    report = appointment_report(location_slug=slug, first=first, last=last, actor=actor, language=language)
    return render_template("appointments/manage.html", report=report, first=first, last=last)
