"""Demo kiosks: one per location, printing to the printer simulator (`qserve printer-sim --port 9100`)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from qserve.models import Location
from qserve.models.kiosk import Kiosk

DEMO_PRINTER = {"kind": "network", "host": "127.0.0.1", "port": 9100}


def add_demo_kiosks(session: Session) -> list[Kiosk]:
    """Add an entrance kiosk to every location that has none, in the caller's transaction."""
    added = []
    for location in session.scalars(select(Location).order_by(Location.id)):
        exists = session.scalar(
            select(Kiosk.id).where(Kiosk.location_id == location.id, Kiosk.slug == "entrance")
        )
        if exists:
            continue
        kiosk = Kiosk(
            location_id=location.id,
            slug="entrance",
            name="Entrance kiosk",
            printer=dict(DEMO_PRINTER),
            settings={"offers_assistance": True, "idle_reset_s": 45, "result_s": 10},
        )
        session.add(kiosk)
        added.append(kiosk)
    session.flush()
    return added
