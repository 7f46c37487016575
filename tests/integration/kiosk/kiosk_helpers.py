"""Helpers for kiosk tests: a kiosk factory and a recorder of printer alerts."""

from __future__ import annotations

from sqlalchemy import select

from qserve.db import read_session, transaction
from qserve.kiosk.printers import PrinterAlert
from qserve.models import OutboxMessage
from qserve.models.kiosk import Kiosk
from qserve.services.tickets import issue_ticket


def make_kiosk(location: dict, *, printer: dict | None = None, slug: str = "entrance", **settings) -> int:
    """Create a kiosk at a location made by the factory and return its id."""
    with transaction() as tx:
        kiosk = Kiosk(
            location_id=location["id"],
            slug=slug,
            name=f"Kiosk {slug}",
            printer=dict(printer or {}),
            settings=settings,
        )
        tx.session.add(kiosk)
        tx.session.flush()
        return kiosk.id


class RecordedAlerts:
    """An alert sink that keeps what it was given."""

    def __init__(self) -> None:
        self.sent: list[PrinterAlert] = []

    def send(self, alert: PrinterAlert) -> None:
        """Keep an alert."""
        self.sent.append(alert)

    @property
    def statuses(self) -> list[str]:
        """Return the statuses alerted, in order."""
        return [alert.status for alert in self.sent]


def issue_at_kiosk(location: dict, kiosk_id: int, now, **overrides) -> int:
    """Issue a ticket at a kiosk of a location made by the factory and return its id."""
    arguments = {
        "location_slug": location["slug"],
        "service_id": location["service_ids"][0],
        "now": now,
        "channel": "kiosk",
        "details": {"kiosk_id": kiosk_id},
    } | overrides
    return issue_ticket(**arguments)


def print_jobs(ticket_id: int | None = None) -> list[OutboxMessage]:
    """Return the print jobs in the outbox (of one ticket), oldest first."""
    with read_session() as session:
        query = select(OutboxMessage).where(OutboxMessage.kind == "print").order_by(OutboxMessage.id)
        if ticket_id is not None:
            query = query.where(OutboxMessage.ticket_id == ticket_id)
        return list(session.scalars(query))
