"""Insights fixtures: the feedback tables (until their migration lands) and the insights blueprints."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine


def create_insights_tables(engine) -> None:
    """Create the feedback tables if the migrations did not."""
    import qserve.models.feedback  # noqa: F401  (registers the tables)
    from qserve.models import Base

    Base.metadata.create_all(engine, checkfirst=True)


def plug_insights(app) -> None:
    """Register the insights package on an app whose factory does not list it yet."""
    if "manage" not in app.blueprints:
        from qserve.insights import init_app

        init_app(app, app.extensions["qserve.bus"])


@pytest.fixture(scope="session")
def postgres_database(postgres_database):
    """Add the feedback tables to the session's PostgreSQL database before any truncation."""
    engine = create_engine(postgres_database)
    create_insights_tables(engine)
    engine.dispose()
    return postgres_database


@pytest.fixture(autouse=True)
def insights(app):
    """Give every test the feedback tables and the insights routes."""
    create_insights_tables(app.extensions["qserve.db"].engine)
    plug_insights(app)
    return app
