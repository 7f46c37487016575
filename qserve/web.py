"""The landing page and small shared pages."""

from __future__ import annotations

from flask import Blueprint, Flask, render_template
from sqlalchemy import select

from qserve.db import read_session
from qserve.models import Location

bp = Blueprint("web", __name__)


@bp.get("/")
def index():
    """List the locations with links to their pages."""
    with read_session() as session:
        locations = list(session.scalars(select(Location).order_by(Location.id)))
        return render_template("index.html", locations=locations)


@bp.get("/healthz")
def health():
    """Answer a liveness probe (also the ceiling endpoint of the throughput benchmark)."""
    return {"ok": True}


def init_app(app: Flask) -> None:
    """Register the shared pages."""
    app.register_blueprint(bp)
