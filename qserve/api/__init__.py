"""The versioned JSON API at /api/v1."""

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")

from qserve.api import openapi, public, staff  # noqa: E402,F401  (routes register on import)
