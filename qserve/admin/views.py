"""The administration pages of locations: settings, mode, services, counters, kiosks (/admin/)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from qserve.admin import forms, rules, services
from qserve.admin.audit import Editor, managed_location, managed_locations
from qserve.admin.shown import show
from qserve.admin.texts import LANGUAGES, error_text, field_label, language, text
from qserve.db import read_session, utcnow
from qserve.domain.errors import Conflict, ValidationFailed
from qserve.models import Counter, Kiosk, Service

bp = Blueprint(
    "admin",
    __name__,
    url_prefix="/admin",
    template_folder="templates",
    static_folder="static",
    static_url_path="/static",
)
FIXABLE = (ValidationFailed, Conflict)
LANGUAGE_COOKIE_AGE_S = 365 * 24 * 3600
TABS = {
    "location": "settings",
    "location_mode": "settings",
    "service_list": "services",
    "service": "services",
    "kiosk": "kiosks",
}


@bp.before_request
@login_required
def _only_managers():
    g.editor = Editor.of(current_user)
    g.editor.require_manager()


@bp.after_request
def _remember_language(response):
    """Keep a language chosen with ?lang= for the next pages (the app's locale selector reads the cookie)."""
    chosen = request.args.get("lang")
    if chosen in LANGUAGES and request.cookies.get("lang") != chosen:
        response.set_cookie("lang", chosen, max_age=LANGUAGE_COOKIE_AGE_S, samesite="Lax")
    return response


@bp.context_processor
def _helpers() -> dict:
    endpoint = (request.endpoint or "").removeprefix("admin.")
    return {
        "t": text,
        "editor": g.get("editor"),
        "tab": TABS.get(endpoint, endpoint),
        "show": show,
        "label": field_label,
        "lang": language(),
        "get_locale": language,  # base.html reads it for <html lang>
    }


def page(template: str, status: int = 200, **context):
    """Render an admin page with its status."""
    return render_template(f"admin/{template}", **context), status


def failed(error: ValidationFailed | Conflict) -> dict:
    """Return the page's error: the field to mark and the message to show next to it."""
    return {"field": error.field, "message": error_text(error)}


def saved(endpoint: str, **values):
    """Thank for a saved change and show the page again (Post/Redirect/Get)."""
    flash(text("saved"), "saved")
    return redirect(url_for(endpoint, **values), code=303)


@bp.get("/")
def index():
    """List the locations the editor configures."""
    with read_session() as session:
        locations = managed_locations(session, g.editor)
        rows = [
            {
                "id": loc.id,
                "name": loc.name,
                "slug": loc.slug,
                "mode": loc.mode,
                "services": len(loc.services),
                "counters": len(loc.counters),
            }
            for loc in locations
        ]
    return page("index.html", locations=rows)


def _location(location_id: int):
    with read_session() as session:
        location = managed_location(session, g.editor, location_id)
        list(location.services), list(location.counters)
        return location


# --- location settings and mode -------------------------------------------------------------------------


@bp.route("/locations/new", methods=["GET", "POST"])
def new_location():
    """Create a location (admins)."""
    g.editor.require_admin()
    form, error = forms.location_form(None), None
    if request.method == "POST":
        form = forms.typed(request.form)
        try:
            location_id = services.create_location(
                editor=g.editor, now=utcnow(), **forms.location_arguments(form)
            )
        except FIXABLE as problem:
            error = failed(problem)
        else:
            return saved("admin.location", location_id=location_id)
    return page("location.html", 422 if error else 200, location=None, form=form, error=error)


@bp.route("/locations/<int:location_id>", methods=["GET", "POST"])
def location(location_id: int):
    """Show and change a location's settings."""
    current = _location(location_id)
    form, error = forms.location_form(current), None
    if request.method == "POST":
        form = forms.typed(request.form) | {"mode": current.mode, "hybrid_share": form["hybrid_share"]}
        try:
            services.update_location(
                editor=g.editor, location_id=location_id, now=utcnow(), **forms.location_arguments(form)
            )
        except FIXABLE as problem:
            error = failed(problem)
        else:
            return saved("admin.location", location_id=location_id)
    return page("location.html", 422 if error else 200, location=current, form=form, error=error)


@bp.post("/locations/<int:location_id>/mode")
def location_mode(location_id: int):
    """Switch a location's mode; people waiting keep their places."""
    current = _location(location_id)
    try:
        services.change_mode(
            editor=g.editor,
            location_id=location_id,
            mode=request.form.get("mode", ""),
            hybrid_share=request.form.get("hybrid_share", ""),
            now=utcnow(),
        )
    except FIXABLE as problem:
        typed = {key: request.form.get(key, "") for key in ("mode", "hybrid_share")}
        form = forms.location_form(current) | typed
        return page("location.html", 422, location=current, form=form, error=failed(problem))
    return saved("admin.location", location_id=location_id)


# --- services -------------------------------------------------------------------------------------------


@bp.route("/locations/<int:location_id>/services", methods=["GET", "POST"])
def service_list(location_id: int):
    """List a location's services and add one."""
    current = _location(location_id)
    languages = current.languages or ["en"]
    form, error = forms.service_form(None, languages), None
    if request.method == "POST":
        form = forms.typed(request.form)
        arguments = forms.service_arguments(form, languages, with_questions=False, rows=[])
        try:
            service_id = services.create_service(
                editor=g.editor, location_id=location_id, now=utcnow(), **arguments
            )
        except FIXABLE as problem:
            error = failed(problem)
        else:
            return saved("admin.service", service_id=service_id)
    return page("services.html", 422 if error else 200, location=current, form=form, error=error)


@bp.route("/services/<int:service_id>", methods=["GET", "POST"])
def service(service_id: int):
    """Show and change a service: names, prefix, duration, cap, state, mode and pre-visit questions."""
    with read_session() as session:
        row = session.get(Service, service_id) or abort(404)
        current = managed_location(session, g.editor, row.location_id)
        languages = current.languages or ["en"]
        form = forms.service_form(row, languages)
    error = None
    if request.method == "POST":
        rows = forms.question_rows(request.form)
        form = forms.typed(request.form) | {"questions": rows}
        arguments = forms.service_arguments(form, languages, with_questions=True, rows=rows)
        try:
            services.update_service(
                editor=g.editor, service_id=service_id, mode=form.get("mode", ""), now=utcnow(), **arguments
            )
        except FIXABLE as problem:
            error = failed(problem)
        else:
            return saved("admin.service", service_id=service_id)
    return page(
        "service.html",
        422 if error else 200,
        location=current,
        service=row,
        form=form,
        error=error,
        languages=languages,
    )


# --- counters -------------------------------------------------------------------------------------------


@bp.route("/locations/<int:location_id>/counters", methods=["GET", "POST"])
def counters(location_id: int):
    """List a location's counters with the services each serves; add, rename and reassign them."""
    current = _location(location_id)
    error, typed_form = None, None
    if request.method == "POST":
        typed_form = forms.typed(request.form)
        counter_id = rules.check_int(
            request.form.get("counter_id"), field="counter_id", low=1, high=2**31 - 1
        )
        try:
            services.save_counter(
                editor=g.editor,
                location_id=location_id,
                counter_id=counter_id,
                name=typed_form.get("name", ""),
                service_ids=typed_form["service_ids"],
                now=utcnow(),
            )
        except FIXABLE as problem:
            error = failed(problem) | {"counter_id": counter_id}
        else:
            return saved("admin.counters", location_id=location_id)
    with read_session() as session:
        rows = [
            {"id": c.id, "name": c.name, "service_ids": [s.id for s in c.services], "is_open": c.is_open}
            for c in session.query(Counter).filter_by(location_id=location_id).order_by(Counter.id)
        ]
    return page(
        "counters.html", 422 if error else 200, location=current, counters=rows, error=error, typed=typed_form
    )


# --- kiosks ---------------------------------------------------------------------------------------------


@bp.get("/locations/<int:location_id>/kiosks")
def kiosks(location_id: int):
    """List a location's kiosks with their printers and printer health."""
    current = _location(location_id)
    with read_session() as session:
        rows = list(session.query(Kiosk).filter_by(location_id=location_id).order_by(Kiosk.id))
    return page("kiosks.html", location=current, kiosks=rows)


@bp.route("/locations/<int:location_id>/kiosks/new", methods=["GET", "POST"])
@bp.route("/locations/<int:location_id>/kiosks/<int:kiosk_id>", methods=["GET", "POST"])
def kiosk(location_id: int, kiosk_id: int | None = None):
    """Create or change a kiosk and its ticket printer."""
    current = _location(location_id)
    with read_session() as session:
        row = session.get(Kiosk, kiosk_id) if kiosk_id else None
        if kiosk_id and (row is None or row.location_id != location_id):
            abort(404)
    form, error = forms.kiosk_form(row), None
    if request.method == "POST":
        form = forms.typed(request.form)
        try:
            services.save_kiosk(
                editor=g.editor,
                location_id=location_id,
                kiosk_id=kiosk_id,
                now=utcnow(),
                name=form.get("name", ""),
                slug=form.get("slug", ""),
                is_active=bool(form.get("is_active")),
                form=form,
                languages=form["languages"],
            )
        except FIXABLE as problem:
            error = failed(problem)
        else:
            return saved("admin.kiosks", location_id=location_id)
    return page("kiosk.html", 422 if error else 200, location=current, kiosk=row, form=form, error=error)
