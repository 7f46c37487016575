"""The OpenAPI description of the appointment routes under /api/v1, added to the API's document."""

from __future__ import annotations

from qserve.api.openapi import ERRORS, SLUG, _json, _ref, describe

CODE = {
    "name": "code",
    "in": "path",
    "required": True,
    "description": "the booking code, with or without its dash and in any case (ABCD-2345)",
    "schema": {"type": "string"},
}
STARTS_AT = {
    "type": "string",
    "format": "date-time",
    "description": "a slot's start as listed by /locations/{slug}/slots, with its offset",
}
APPOINTMENT = {
    "type": "object",
    "required": ["id", "code", "location", "service_id", "starts_at", "ends_at", "status", "url"],
    "properties": {
        "id": {"type": "integer"},
        "code": {"type": "string", "examples": ["ABCD-2345"], "description": "what the customer keeps"},
        "location": {
            "type": "object",
            "properties": {
                "slug": {"type": "string"},
                "name": {"type": "string"},
                "time_zone": {"type": "string", "examples": ["Europe/Helsinki"]},
            },
        },
        "service_id": {"type": "integer"},
        "service": {"type": "string", "description": "the service's name in the booking's language"},
        "starts_at": {"type": "string", "format": "date-time"},
        "ends_at": {"type": "string", "format": "date-time"},
        "status": {"enum": ["booked", "checked_in", "cancelled", "no_show"]},
        "language": {"enum": ["en", "fi", "sv", "pl"]},
        "ticket_id": {"type": ["integer", "null"], "description": "the ticket its check-in issued"},
        "url": {"type": "string", "format": "uri", "description": "the booking's own page"},
        "calendar_url": {"type": "string", "format": "uri", "description": "an iCalendar (.ics) event"},
    },
}
BOOKING = {
    "type": "object",
    "required": ["service_id", "starts_at"],
    "properties": {
        "service_id": {"type": "integer"},
        "starts_at": STARTS_AT,
        "name": {"type": "string", "maxLength": 200},
        "phone": {"type": "string", "description": "any format; stored as E.164"},
        "email": {"type": "string", "format": "email"},
        "language": {"enum": ["en", "fi", "sv", "pl"]},
        "answers": {"type": "object", "description": "answers keyed by question id"},
    },
}
SLOTS = {
    "type": "object",
    "properties": {
        "date": {"type": "string", "format": "date"},
        "service_id": {"type": "integer"},
        "slots": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "starts_at": {"type": "string", "format": "date-time"},
                    "ends_at": {"type": "string", "format": "date-time"},
                    "capacity": {"type": "integer"},
                    "available": {"type": "integer", "description": "places still free"},
                },
            },
        },
    },
}
CHECKED_IN = {
    "type": "object",
    "properties": {
        "ticket_id": {"type": "integer"},
        "token": {"type": "string", "description": "follow it at /tickets/{token}"},
        "number": {"type": "string"},
        "url": {"type": "string", "format": "uri"},
    },
}
BOOKING_REFUSED = (
    "422 validation_failed (the field named: a past time, no slot starting then) or beyond_booking_horizon"
    " (with last_day and horizon_days: the location takes bookings only so many days ahead); 409 conflict"
    " when the slot or the location is full at that time"
)
LIMITED = "Limited to 30 requests a minute per address, so codes cannot be guessed."


def _starts_at_body() -> dict:
    schema = {"type": "object", "required": ["starts_at"], "properties": {"starts_at": STARTS_AT}}
    return {"required": True, "content": {"application/json": {"schema": schema}}}


describe(
    {
        "/locations/{slug}/slots": {
            "get": {
                "summary": "A service's bookable slots on a day, with the places left",
                "description": "Slots already begun, and days beyond the location's booking horizon, are"
                " left out.",
                "parameters": [
                    SLUG,
                    {"name": "service_id", "in": "query", "required": True, "schema": {"type": "integer"}},
                    {
                        "name": "date",
                        "in": "query",
                        "required": True,
                        "description": "a day in the location's time zone",
                        "schema": {"type": "string", "format": "date"},
                    },
                ],
                "responses": {"200": _json(SLOTS), **ERRORS},
            }
        },
        "/locations/{slug}/appointments": {
            "post": {
                "summary": "Book an appointment",
                "description": BOOKING_REFUSED + ".",
                "parameters": [SLUG],
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": _ref("Booking")}},
                },
                "responses": {"201": _json(_ref("Appointment"), "the booking and its code"), **ERRORS},
            }
        },
        "/appointments/{code}": {
            "get": {
                "summary": "A booking by its code",
                "description": LIMITED,
                "parameters": [CODE],
                "responses": {"200": _json(_ref("Appointment")), **ERRORS},
            }
        },
        "/appointments/{code}/check-in": {
            "post": {
                "summary": "Check a booking in: it joins the line and gets a ticket",
                "description": "A booking already checked in answers with its ticket again. 409"
                " check_in_too_early (check-in opens closer to its time), check_in_too_late (its time has"
                " passed: it is marked a no-show) or check_in_not_booked (cancelled or a no-show). "
                + LIMITED,
                "parameters": [CODE],
                "responses": {"200": _json(CHECKED_IN, "the ticket of the visit"), **ERRORS},
            }
        },
        "/appointments/{code}/cancel": {
            "post": {
                "summary": "Cancel a booking and free its place",
                "description": "409 conflict when it is checked in or already over. " + LIMITED,
                "parameters": [CODE],
                "responses": {"200": _json(_ref("Appointment")), **ERRORS},
            }
        },
        "/appointments/{code}/reschedule": {
            "post": {
                "summary": "Move a booking to another slot of its service",
                "description": BOOKING_REFUSED
                + "; 409 conflict too when the booking can no longer be moved. "
                + LIMITED,
                "parameters": [CODE],
                "requestBody": _starts_at_body(),
                "responses": {"200": _json(_ref("Appointment")), **ERRORS},
            }
        },
    },
    schemas={"Appointment": APPOINTMENT, "Booking": BOOKING},
)
