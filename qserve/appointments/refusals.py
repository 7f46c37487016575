"""Why a check-in was refused for a reason the customer's page and the staff desk put alike."""

from __future__ import annotations

from flask_babel import gettext

from qserve.domain.errors import Conflict, QServeError, ServiceClosed, ServiceFull


def shared_refusal(error: QServeError) -> str | None:
    """Return the words for a refusal that both audiences are told the same way, else None."""
    if getattr(error, "reason", None) == "not_booked":
        return gettext("This booking can no longer be checked in.")
    if isinstance(error, ServiceClosed):
        return gettext("This service is closed now.")
    if isinstance(error, ServiceFull):
        return gettext("This service has given all of today's tickets.")
    if isinstance(error, Conflict) and error.field == "phone":
        return gettext("This phone number already has a ticket in line here.")
    return None
