"""Staff pages: choose a location, a counter and its services, then work on the tablet."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_login import current_user, login_required

from qserve.db import read_session, utcnow
from qserve.domain.errors import NotFound, QServeError
from qserve.formats import Figures
from qserve.models import Counter, Location
from qserve.services import counters
from qserve.services.accounts import actor_for
from qserve.services.locations import location_by_slug
from qserve.staff.strings import tablet_strings
from qserve.staff.views import visible_locations

bp = Blueprint(
    "staff",
    __name__,
    url_prefix="/staff",
    template_folder="templates",
    static_folder="static",
    static_url_path="/static",
)


def _location(session, slug: str) -> Location:
    location = location_by_slug(session, slug)
    actor_for(current_user).require_location(location.id, location.organization_id)
    return location


def _counter(location: Location, counter_id: int) -> Counter:
    for counter in location.counters:
        if counter.id == counter_id:
            return counter
    raise NotFound("no such counter at this location")


@bp.get("/")
@login_required
def locations():
    """List the locations the signed-in staff member works at (straight on when there is one)."""
    with read_session() as session:
        places = visible_locations(session, actor_for(current_user))
        if len(places) == 1:
            return redirect(url_for("staff.counters_page", slug=places[0].slug))
        return render_template("staff/locations.html", locations=places)


@bp.get("/<slug>/")
@login_required
def counters_page(slug: str):
    """List a location's counters to choose one."""
    with read_session() as session:
        location = _location(session, slug)
        return render_template("staff/counters.html", location=location, counters=location.counters)


@bp.route("/<slug>/<int:counter_id>/open", methods=["GET", "POST"])
@login_required
def open_page(slug: str, counter_id: int):
    """Choose which of the counter's services to serve today, and open it."""
    with read_session() as session:
        _counter(_location(session, slug), counter_id)  # the counter belongs to this location
    error = None
    if request.method == "POST":
        chosen = [int(value) for value in request.form.getlist("service_ids") if value.isdigit()]
        try:
            counters.open_counter(
                counter_id=counter_id, actor=actor_for(current_user), now=utcnow(), service_ids=chosen
            )
            return redirect(url_for("staff.tablet", slug=slug, counter_id=counter_id))
        except QServeError as failure:
            error = failure.message
    with read_session() as session:
        location = _location(session, slug)
        counter = _counter(location, counter_id)
        return render_template(
            "staff/open.html",
            location=location,
            counter=counter,
            active=counter.serving_service_ids(),
            error=error,
            language=str(get_locale() or "en"),
        ), (422 if error else 200)


@bp.get("/<slug>/<int:counter_id>/")
@login_required
def tablet(slug: str, counter_id: int):
    """Show the tablet of one counter."""
    with read_session() as session:
        location = _location(session, slug)
        counter = _counter(location, counter_id)
        config = {
            "location": location.slug,
            "counter_id": counter.id,
            "counter_name": counter.name,
            "time_zone": location.time_zone,
            "no_show_grace_s": int((location.settings or {}).get("no_show_grace_s", 0)),
            "undo_s": int((location.settings or {}).get("undo_s", 8)),
            "locale": str(get_locale() or "en"),
            "clock": Figures(str(get_locale() or "en")).clock_pattern(),
            "strings": tablet_strings(),
        }
        return render_template(
            "staff/tablet.html", location=location, counter=counter, config=config, services=location.services
        )


@bp.post("/<slug>/<int:counter_id>/close")
@login_required
def close(slug: str, counter_id: int):
    """Close the counter and go back to the counter list."""
    counters.close_counter(counter_id=counter_id, actor=actor_for(current_user), now=utcnow())
    return redirect(url_for("staff.counters_page", slug=slug))
