"""The OpenAPI 3.1 description of /api/v1."""

from __future__ import annotations

from flask import jsonify

from qserve.api import bp

WAIT = {
    "type": "object",
    "properties": {"p10_s": {"type": "integer"}, "p50_s": {"type": "integer"}, "p90_s": {"type": "integer"}},
}
TICKET = {
    "type": "object",
    "required": ["id", "token", "number", "service_id", "status", "position", "estimated_wait", "url"],
    "properties": {
        "id": {"type": "integer"},
        "token": {"type": "string"},
        "number": {"type": "string", "examples": ["A007"]},
        "service_id": {"type": "integer"},
        "service_name": {"type": "string"},
        "status": {"enum": ["waiting", "called", "serving", "parked", "done", "no_show", "cancelled"]},
        "position": {"type": ["integer", "null"], "description": "1 = next; null when not waiting"},
        "people_ahead": {"type": ["integer", "null"]},
        "ahead_appointments": {"type": ["integer", "null"]},
        "estimated_wait": {"oneOf": [WAIT, {"type": "null"}]},
        "expected_call_at": {"type": ["string", "null"], "format": "date-time"},
        "counter": {"type": ["string", "null"]},
        "appointment_at": {
            "type": ["string", "null"],
            "format": "date-time",
            "description": "the booked time a checked-in booking is called at; null for walk-ins",
        },
        "late_booking_at": {
            "type": ["string", "null"],
            "format": "date-time",
            "description": "a booking checked in after its grace period: its booked time, which it lost;"
            " it waits in order of arrival like a walk-in. Null for walk-ins and bookings that kept"
            " their slot",
        },
        "cancel_code": {
            "type": ["string", "null"],
            "description": "why qserve itself cancelled the ticket: closed_for_the_day (still in line an hour"
            " after the location closed)",
        },
        "url": {"type": "string", "format": "uri"},
    },
}
ERROR = {
    "type": "object",
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {
                "code": {"type": "string"},
                "message": {"type": "string"},
                "field": {"type": "string"},
                "opens_at": {
                    "type": ["string", "null"],
                    "format": "date-time",
                    "description": "with location_closed only: when the location opens next, in its own"
                    " time zone's offset (null when no opening is known)",
                },
            },
        }
    },
}
JOIN = {
    "type": "object",
    "required": ["service_id"],
    "properties": {
        "service_id": {"type": "integer"},
        "channel": {"enum": ["kiosk", "remote", "staff", "appointment"]},
        "name": {"type": "string", "maxLength": 200},
        "phone": {"type": "string", "description": "any format; stored as E.164"},
        "email": {"type": "string", "format": "email"},
        "language": {"enum": ["en", "fi", "sv", "pl"]},
        "answers": {"type": "object", "description": "answers keyed by question id"},
    },
}


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict, description: str = "OK") -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


ERRORS = {
    str(code): _json(_ref("Error"), text)
    for code, text in [
        (400, "unreadable input"),
        (401, "no credentials"),
        (403, "not allowed"),
        (404, "not found"),
        (409, "transition not allowed or collision"),
        (422, "invalid field"),
        (429, "rate limited"),
    ]
}
STAFF = [{"bearer": []}]
SLUG = {"name": "slug", "in": "path", "required": True, "schema": {"type": "string"}}
TOKEN = {"name": "token", "in": "path", "required": True, "schema": {"type": "string"}}
ID = {"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}
ACTIONS = [
    "recall",
    "start",
    "finish",
    "no-show",
    "park",
    "resume",
    "transfer",
    "cancel",
    "reactivate",
    "requeue",
]

PATHS = {
    "/locations": {"get": {"summary": "List locations", "responses": {"200": _json({"type": "object"})}}},
    "/locations/{slug}/services": {
        "get": {
            "summary": "Services with waiting counts and estimates",
            "parameters": [SLUG],
            "responses": {"200": _json({"type": "object"})},
        }
    },
    "/locations/{slug}/counters": {
        "get": {"summary": "Counters", "parameters": [SLUG], "responses": {"200": _json({"type": "object"})}}
    },
    "/locations/{slug}/tickets": {
        "post": {
            "summary": "Join a queue",
            "description": "Customers' own joins (channel remote or kiosk) are refused with 409"
            " location_closed while a location with opening hours is closed, except within its"
            " join_before_opening_s setting before it opens, and within its stop_joining_before_closing_s"
            " setting before it closes (the last call); the error says when walk-ins may join again"
            " (opens_at). Staff"
            " sending their bearer token with channel staff may issue at any hour. A ticket issued while the"
            " location is closed belongs to the day of its next opening and takes that day's numbers.",
            "parameters": [SLUG],
            "requestBody": {"required": True, "content": {"application/json": {"schema": _ref("Join")}}},
            "responses": {
                "201": _json(_ref("Ticket"), "the new ticket"),
                **ERRORS,
                "409": _json(
                    _ref("Error"),
                    "refused: location_closed (with opens_at), service_closed, appointments_only,"
                    " service_full, site_full, or a collision",
                ),
            },
        }
    },
    "/tickets/{token}": {
        "get": {
            "summary": "Follow a ticket",
            "parameters": [TOKEN],
            "responses": {"200": _json(_ref("Ticket")), **ERRORS},
        }
    },
    "/tickets/{token}/cancel": {
        "post": {
            "summary": "Cancel my ticket",
            "parameters": [TOKEN],
            "responses": {"200": _json(_ref("Ticket")), **ERRORS},
        }
    },
    "/tickets/{token}/postpone": {
        "post": {
            "summary": "I need more time",
            "description": "Moves a waiting ticket back three places (behind everyone, when fewer wait behind"
            " it), at most max_postpones times. 409 with code nobody_behind when nobody waits behind it yet:"
            " nothing would move, and the request is not counted.",
            "parameters": [TOKEN],
            "responses": {"200": _json(_ref("Ticket")), **ERRORS},
        }
    },
    "/tickets/{token}/language": {
        "post": {
            "summary": "Remember the language chosen for my ticket (page and notifications)",
            "parameters": [TOKEN],
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {
                        "schema": {
                            "type": "object",
                            "required": ["language"],
                            "properties": {"language": {"enum": ["en", "fi", "sv", "pl"]}},
                        }
                    }
                },
            },
            "responses": {"200": _json(_ref("Ticket")), **ERRORS},
        }
    },
    "/locations/{slug}/queue": {
        "get": {
            "summary": "Live queue (staff)",
            "security": STAFF,
            "parameters": [SLUG],
            "responses": {"200": _json({"type": "object"}), **ERRORS},
        }
    },
    "/counters/{id}/call-next": {
        "post": {
            "summary": "Call next",
            "security": STAFF,
            "parameters": [ID],
            "responses": {"200": _json(_ref("Ticket")), "204": {"description": "nobody waits"}, **ERRORS},
        }
    },
    "/counters/{id}/call": {
        "post": {
            "summary": "Call a ticket out of order",
            "security": STAFF,
            "parameters": [ID],
            "responses": {"200": _json(_ref("Ticket")), **ERRORS},
        }
    },
    "/counters/{id}/open": {
        "post": {
            "summary": "Open a counter",
            "security": STAFF,
            "parameters": [ID],
            "responses": {"200": _json({"type": "object"}), **ERRORS},
        }
    },
    "/counters/{id}/close": {
        "post": {
            "summary": "Close a counter",
            "security": STAFF,
            "parameters": [ID],
            "responses": {"200": _json({"type": "object"}), **ERRORS},
        }
    },
    "/tickets/{id}/events": {
        "get": {
            "summary": "A ticket's event log",
            "security": STAFF,
            "parameters": [ID],
            "responses": {"200": _json({"type": "object"}), **ERRORS},
        }
    },
    "/tickets/{id}/{action}": {
        "post": {
            "summary": "Act on a ticket (staff)",
            "security": STAFF,
            "parameters": [
                ID,
                {"name": "action", "in": "path", "required": True, "schema": {"enum": ACTIONS}},
            ],
            "requestBody": {
                "content": {
                    "application/json": {
                        "schema": {
                            "type": "object",
                            "properties": {
                                "service_id": {"type": "integer"},
                                "keep_place": {"type": "boolean"},
                                "reason": {"type": "string"},
                            },
                        }
                    }
                }
            },
            "responses": {"200": _json(_ref("Ticket")), **ERRORS},
        }
    },
}

PATHS["/staff/tickets/{id}"] = {
    "get": {
        "summary": "One ticket as staff see it (its contact, answers and counter)",
        "security": STAFF,
        "parameters": [ID],
        "responses": {"200": _json({"type": "object"}), **ERRORS},
    }
}
PATHS["/tickets/{token}/push-subscriptions"] = {
    "post": {
        "summary": "Have web push notifications sent to this browser for my ticket",
        "description": "The body is the browser's PushSubscription as JSON (endpoint, keys.p256dh,"
        " keys.auth), alone or as {subscription: ...}. 201 when new, 200 when already known.",
        "parameters": [TOKEN],
        "requestBody": {"required": True, "content": {"application/json": {"schema": {"type": "object"}}}},
        "responses": {
            "200": _json({"type": "object", "properties": {"id": {"type": "integer"}}}, "already known"),
            "201": _json({"type": "object", "properties": {"id": {"type": "integer"}}}, "stored"),
            **ERRORS,
        },
    }
}
PATHS["/push/public-key"] = {
    "get": {
        "summary": "The VAPID public key to pass to pushManager.subscribe() as applicationServerKey",
        "responses": {
            "200": _json({"type": "object", "properties": {"public_key": {"type": "string"}}}),
            "404": _json(_ref("Error"), "web push is not configured"),
        },
    }
}
PATHS["/openapi.json"] = {
    "get": {"summary": "This document", "responses": {"200": _json({"type": "object"})}}
}

SCHEMAS = {"Ticket": TICKET, "Error": ERROR, "Join": JOIN, "Wait": WAIT}
DOCUMENT = {
    "openapi": "3.1.0",
    "info": {"title": "qserve API", "version": "1"},
    "servers": [{"url": "/api/v1"}],
    "paths": PATHS,
    "components": {"schemas": SCHEMAS, "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
}


def describe(paths: dict, schemas: dict | None = None) -> None:
    """Add a feature's own routes under /api/v1 (and the schemas they name) to the document."""
    PATHS.update(paths)
    SCHEMAS.update(schemas or {})


@bp.get("/openapi.json")
def openapi_document():
    """Return the OpenAPI document."""
    return jsonify(DOCUMENT)
