"""Staff web tests share the module's live server; its database also gets tables not migrated yet."""

from __future__ import annotations

import importlib

import pytest
from sqlalchemy import create_engine

from qserve.models import Base


def create_missing_tables(url: str) -> None:
    """Create the tables of models whose migrations are not written yet (a no-op once they are)."""
    for name in ("qserve.models.notify", "qserve.models.kiosk"):
        try:
            importlib.import_module(name)
        except ModuleNotFoundError:
            continue
    engine = create_engine(url)
    Base.metadata.create_all(engine, checkfirst=True)
    engine.dispose()


@pytest.fixture(scope="module")
def live_db(live_db):
    """Return the module's live database with every model's table present."""
    create_missing_tables(live_db[1])
    return live_db
