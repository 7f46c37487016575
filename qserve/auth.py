"""Staff sign-in for the pages: Flask-Login sessions with CSRF-protected forms."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, Flask, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required, login_user, logout_user
from werkzeug.routing import BuildError

from qserve.db import read_session
from qserve.domain.errors import Unauthorized
from qserve.extensions import login_manager
from qserve.models import User
from qserve.services.accounts import check_login

bp = Blueprint("auth", __name__)


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """Load the signed-in user for Flask-Login, with their locations; a deactivated account is signed out
    at its next request."""
    with read_session() as session:
        user = session.get(User, int(user_id))
        if user is None or not user.active:
            return None
        list(user.locations)  # load now: the session closes before the request uses them
        return user


HOME_BY_ROLE = {"admin": "admin.index", "manager": "manage.dashboard", "staff": "staff.locations"}


def _safe_next(target: str | None, user=None) -> str:
    """Return where to go after signing in: the page asked for, else the user's own start page (the staff
    screens for staff, the dashboard for managers, the administration for admins)."""
    if target and not urlsplit(target).netloc and target.startswith("/"):
        return target
    endpoint = HOME_BY_ROLE.get(getattr(user, "role", None), "web.index")
    try:
        return url_for(endpoint)
    except BuildError:  # that package is not installed
        return url_for("web.index")


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Show the sign-in form and sign a user in."""
    error = None
    if request.method == "POST":
        try:
            with read_session() as session:
                user = check_login(
                    session, email=request.form.get("email", ""), password=request.form.get("password", "")
                )
                list(user.locations)
            login_user(user, remember=bool(request.form.get("remember")))
            return redirect(_safe_next(request.args.get("next"), user))
        except Unauthorized:
            error = _("Wrong e-mail or password.")
    return render_template("login.html", error=error), (401 if error else 200)


@bp.post("/logout")
@login_required
def logout():
    """Sign the user out."""
    logout_user()
    return redirect(url_for("auth.login"))


def init_app(app: Flask) -> None:
    """Register the sign-in pages."""
    app.register_blueprint(bp)
