"""The administration pages of the organization: accounts, retention, notifications, feedback, audit."""

from __future__ import annotations

from flask import g, request

from qserve.admin import forms, settings
from qserve.admin.audit import FILTER_ARGS, audit_choices, audit_page, managed_locations
from qserve.admin.texts import error_text
from qserve.admin.views import FIXABLE, _location, bp, failed, page, saved
from qserve.db import read_session, utcnow
from qserve.domain.errors import BadRequest, NotFound
from qserve.models import User
from qserve.notify.outbox import notification_settings

# --- staff accounts -------------------------------------------------------------------------------------


def _location_choices() -> list[dict]:
    with read_session() as session:
        return [{"id": loc.id, "name": loc.name} for loc in managed_locations(session, g.editor)]


@bp.get("/users")
def users():
    """List the organization's accounts (admins)."""
    g.editor.require_admin()
    return page("users.html", users=settings.accounts(editor=g.editor))


@bp.route("/users/new", methods=["GET", "POST"])
def new_user():
    """Create an account with a first password (admins)."""
    g.editor.require_admin()
    form, error = {"role": "staff", "location_ids": [], "active": "1"}, None
    if request.method == "POST":
        form = forms.typed(request.form)
        try:
            user_id = settings.create_account(
                editor=g.editor,
                name=form.get("name", ""),
                email=form.get("email", ""),
                password=form.get("password", ""),
                role=form.get("role", ""),
                location_ids=form["location_ids"],
                now=utcnow(),
            )
        except FIXABLE as problem:
            error = failed(problem)
        else:
            return saved("admin.user", user_id=user_id)
    form.pop("password", None)  # never echo a password back
    return page(
        "user.html", 422 if error else 200, user=None, form=form, error=error, choices=_location_choices()
    )


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
def user(user_id: int):
    """Change an account's name, role, locations and access (admins)."""
    g.editor.require_admin()
    with read_session() as session:
        row = session.get(User, user_id)
        if row is None or row.organization_id != g.editor.organization_id:
            raise NotFound("no such account in your organization")
        form = {
            "name": row.name,
            "email": row.email,
            "role": row.role,
            "active": "1" if row.active else "",
            "location_ids": [loc.id for loc in row.locations],
        }
    error = None
    if request.method == "POST":
        form = forms.typed(request.form) | {"email": row.email}
        try:
            settings.update_account(
                editor=g.editor,
                user_id=user_id,
                name=form.get("name", ""),
                role=form.get("role", ""),
                location_ids=form["location_ids"],
                active=bool(form.get("active")),
                now=utcnow(),
            )
        except FIXABLE as problem:
            error = failed(problem)
        else:
            return saved("admin.user", user_id=user_id)
    return page(
        "user.html", 422 if error else 200, user=row, form=form, error=error, choices=_location_choices()
    )


@bp.post("/users/<int:user_id>/password")
def user_password(user_id: int):
    """Set a new password for an account (admins)."""
    g.editor.require_admin()
    try:
        settings.reset_password(
            editor=g.editor, user_id=user_id, password=request.form.get("new_password", ""), now=utcnow()
        )
    except FIXABLE as problem:
        with read_session() as session:
            row = session.get(User, user_id)
            form = {
                "name": row.name,
                "email": row.email,
                "role": row.role,
                "active": "1" if row.active else "",
                "location_ids": [loc.id for loc in row.locations],
            }
        error = failed(problem) | {"field": "new_password"}
        return page("user.html", 422, user=row, form=form, error=error, choices=_location_choices())
    return saved("admin.user", user_id=user_id)


# --- organization ---------------------------------------------------------------------------------------


@bp.route("/organization", methods=["GET", "POST"])
def organization():
    """Show and change the organization's name and retention period (admins)."""
    g.editor.require_admin()
    with read_session() as session:
        row = settings.organization_of(session, g.editor)
        form = {"name": row.name, "retention_days": row.retention_days}
    error = None
    if request.method == "POST":
        form = forms.typed(request.form)
        try:
            settings.update_organization(
                editor=g.editor,
                name=form.get("name", ""),
                retention_days=form.get("retention_days", ""),
                now=utcnow(),
            )
        except FIXABLE as problem:
            error = failed(problem)
        else:
            return saved("admin.organization")
    return page("organization.html", 422 if error else 200, form=form, error=error)


# --- notifications --------------------------------------------------------------------------------------


@bp.route("/locations/<int:location_id>/notifications", methods=["GET", "POST"])
def notifications(location_id: int):
    """Show and change a location's notification settings (admins)."""
    g.editor.require_admin()
    current = _location(location_id)
    form, error = forms.notification_form(notification_settings(current)), None
    if request.method == "POST":
        form = forms.typed(request.form)
        try:
            values = settings.notification_values(form, form["sms_kinds"])
            settings.update_notifications(
                editor=g.editor, location_id=location_id, values=values, now=utcnow()
            )
        except FIXABLE as problem:
            error = failed(problem)
        else:
            return saved("admin.notifications", location_id=location_id)
    return page(
        "notifications.html",
        422 if error else 200,
        location=current,
        form=form,
        error=error,
        kinds=settings.NOTIFICATION_KINDS,
    )


# --- feedback forms -------------------------------------------------------------------------------------


@bp.route("/feedback", methods=["GET", "POST"], defaults={"location_id": None})
@bp.route("/locations/<int:location_id>/feedback", methods=["GET", "POST"])
def feedback(location_id: int | None):
    """Edit the organization's feedback form (admins) or a location's own form (its managers)."""
    if location_id is None:
        g.editor.require_admin()
    current = _location(location_id) if location_id is not None else None
    config, own = settings.feedback_config(editor=g.editor, location_id=location_id)
    form, error = forms.feedback_form(config), None
    if request.method == "POST":
        rows = forms.feedback_rows(request.form)
        form = forms.typed(request.form) | {"questions": rows}
        try:
            config = forms.feedback_config(form, rows)
            settings.save_feedback_form(editor=g.editor, location_id=location_id, config=config, now=utcnow())
        except FIXABLE as problem:
            error = failed(problem)
        else:
            if location_id is None:
                return saved("admin.feedback")
            return saved("admin.feedback", location_id=location_id)
    return page("feedback.html", 422 if error else 200, location=current, form=form, error=error, own=own)


# --- audit ----------------------------------------------------------------------------------------------


@bp.get("/audit")
def audit():
    """List configuration changes newest first, 50 a page, narrowed by location, kind, person and days."""
    choices = audit_choices(editor=g.editor)
    context = {
        "choices": choices,
        "names": {c["id"]: c["name"] for c in choices["locations"]},
        "typed": {key: request.args.get(key, "").strip() for key in FILTER_ARGS},
    }
    try:
        found = audit_page(editor=g.editor, args=request.args)
    except BadRequest as problem:
        shown = {"field": problem.field, "message": error_text(problem)}
        return page("audit.html", 400, found=None, problem=shown, **context)
    return page("audit.html", found=found, problem=None, **context)
