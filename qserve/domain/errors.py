"""The one error hierarchy of qserve; each error knows its code and HTTP status."""

from __future__ import annotations

from datetime import date, datetime

NO_BOOKING = "no booking has this code; check the code in the booking's confirmation message"


class QServeError(Exception):
    """Base of every error qserve reports to a user."""

    code = "error"
    http_status = 400

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    @property
    def extra(self) -> dict:
        """Return what the JSON error carries beyond its code, message and field (most errors: nothing)."""
        return {}


class ValidationFailed(QServeError):
    """Input is malformed or breaks a rule of the data (422)."""

    code = "validation_failed"
    http_status = 422


class BeyondBookingHorizon(ValidationFailed):
    """A time is further ahead than its location takes bookings (422); the error says the last day that
    does, so a page or an app can offer the times up to it."""

    code = "beyond_booking_horizon"

    def __init__(self, *, last_day: date, days: int) -> None:
        super().__init__(
            f"bookings are taken up to {last_day.isoformat()} ({days} days ahead); choose an earlier time",
            field="starts_at",
        )
        self.last_day = last_day
        self.days = days

    @property
    def extra(self) -> dict:
        """Return the last day that takes bookings and how many days ahead that is."""
        return {"last_day": self.last_day.isoformat(), "horizon_days": self.days}


class BadRequest(QServeError):
    """Input cannot be read at all (400)."""

    code = "bad_request"
    http_status = 400


class NotFound(QServeError):
    """The thing asked for does not exist or is not visible to the caller (404)."""

    code = "not_found"
    http_status = 404


class BookingNotFound(NotFound):
    """No booking has the code given: mistyped, or another location's (404). Its own code lets a page or
    a kiosk tell the customer to check the code rather than say that the page does not exist."""

    code = "booking_not_found"

    def __init__(self, message: str = NO_BOOKING, *, field: str | None = "code") -> None:
        super().__init__(message, field=field)


class Unauthorized(QServeError):
    """No valid credentials were given (401)."""

    code = "unauthorized"
    http_status = 401


class Forbidden(QServeError):
    """The caller is known but may not do this (403)."""

    code = "forbidden"
    http_status = 403


class InvalidTransition(QServeError):
    """A ticket cannot go from its current status by this action (409)."""

    code = "invalid_transition"
    http_status = 409


class Conflict(QServeError):
    """The action collided with another change, e.g. another counter called the ticket first (409)."""

    code = "conflict"
    http_status = 409


class ServiceClosed(QServeError):
    """The service takes no new tickets now (409)."""

    code = "service_closed"
    http_status = 409


class LocationClosed(ServiceClosed):
    """A walk-in tried to join while the location is closed (409); the error says when it opens next."""

    code = "location_closed"

    def __init__(
        self, location_name: str, *, opens_at: datetime | None, now: datetime, last_call: bool = False
    ) -> None:
        super().__init__(_closed_message(location_name, opens_at, now, last_call=last_call))
        self.opens_at = opens_at
        self.last_call = last_call  # open, but past the last call for walk-ins before closing

    @property
    def extra(self) -> dict:
        """Return when the location opens next, in its own zone's offset (null when not known)."""
        return {"opens_at": self.opens_at.isoformat() if self.opens_at else None}


def _closed_message(name: str, opens_at: datetime | None, now: datetime, *, last_call: bool = False) -> str:
    """Say, in English for developers, that a location is closed (or past its last call for walk-ins) and
    when it opens (its local time)."""
    shut = f"{name} takes no more walk-ins now" if last_call else f"{name} is closed now"
    if opens_at is None:
        return shut
    days = (opens_at.date() - now.astimezone(opens_at.tzinfo).date()).days
    if days < 2:
        day = ("today", "tomorrow")[max(days, 0)]
    else:
        day = f"on {opens_at:%A}" if days < 7 else f"on {opens_at:%Y-%m-%d}"
    return f"{shut}; it opens {day} at {opens_at:%H:%M}"


class ServiceFull(QServeError):
    """The service reached its daily ticket cap (409)."""

    code = "service_full"
    http_status = 409


class RateLimited(QServeError):
    """Too many requests from one address or phone (429)."""

    code = "rate_limited"
    http_status = 429
