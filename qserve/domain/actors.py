"""Who is acting: a staff member, a customer with a ticket token, a kiosk or the system."""

from __future__ import annotations

from dataclasses import dataclass

from qserve.domain.errors import Forbidden


@dataclass(frozen=True)
class Actor:
    """The one doing an action, with the locations they may act on (None means every location)."""

    kind: str  # staff, customer, kiosk, system
    user_id: int | None = None
    role: str | None = None
    organization_id: int | None = None
    location_ids: frozenset[int] | None = None

    @classmethod
    def system(cls) -> Actor:
        """Return the actor for scheduled jobs and automatic rules."""
        return cls(kind="system")

    @classmethod
    def customer(cls) -> Actor:
        """Return the actor for a customer holding a ticket token."""
        return cls(kind="customer")

    def may_act_at(self, location_id: int, organization_id: int | None = None) -> bool:
        """Tell whether this actor may act at a location."""
        if self.kind in {"system", "customer", "kiosk"}:
            return True
        if organization_id is not None and self.organization_id not in (None, organization_id):
            return False
        return self.location_ids is None or location_id in self.location_ids

    def require_location(self, location_id: int, organization_id: int | None = None) -> None:
        """Raise Forbidden unless this actor may act at a location."""
        if not self.may_act_at(location_id, organization_id):
            raise Forbidden("you do not work at this location")

    @property
    def label(self) -> str:
        """Return how the actor is written in the event log, e.g. 'staff:12'."""
        return f"{self.kind}:{self.user_id}" if self.user_id else self.kind
