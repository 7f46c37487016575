"""Helpers for the phone page tests: set up services and hours, act as staff over HTTP, read pages."""

from __future__ import annotations

from datetime import UTC, datetime

import requests

from qserve.db import transaction
from qserve.models import Location, Service

ALL_DAY = {day: [["00:00", "24:00"]] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
LOAN_QUESTIONS = [
    {
        "id": "purpose",
        "type": "choice",
        "required": True,
        "label": {
            "en": "What is the loan for?",
            "fi": "Mihin laina on?",
            "sv": "Vad är lånet till?",
            "pl": "Na co jest kredyt?",
        },
        "options": [
            {"value": "home", "label": {"en": "Home", "fi": "Asunto", "sv": "Bostad", "pl": "Mieszkanie"}},
            {"value": "car", "label": {"en": "Car", "fi": "Auto", "sv": "Bil", "pl": "Samochód"}},
        ],
    },
    {
        "id": "customer",
        "type": "yesno",
        "required": False,
        "label": {
            "en": "Are you already our customer?",
            "fi": "Oletko jo asiakkaamme?",
            "sv": "Är du redan kund hos oss?",
            "pl": "Czy jesteś już naszym klientem?",
        },
    },
    {
        "id": "note",
        "type": "text",
        "required": False,
        "label": {
            "en": "Anything we should know?",
            "fi": "Jotain, mitä meidän pitäisi tietää?",
            "sv": "Något vi borde veta?",
            "pl": "Coś, o czym powinniśmy wiedzieć?",
        },
    },
]
LOAN_ANSWERS = {"purpose": "home"}
SERVICE_NAMES = [
    {"en": "Loans", "fi": "Lainat", "sv": "Lån", "pl": "Kredyty"},
    {
        "en": "Cash and quick errands",
        "fi": "Käteinen ja pikaasiat",
        "sv": "Kontanter och snabbärenden",
        "pl": "Gotówka i szybkie sprawy",
    },
    {"en": "Accounts and cards", "fi": "Tilit ja kortit", "sv": "Konton och kort", "pl": "Konta i karty"},
]


def change_service(service_id: int, **values) -> None:
    """Set columns of a service (names, questions, is_open, daily_cap ...)."""
    with transaction() as tx:
        service = tx.session.get(Service, service_id)
        for key, value in values.items():
            setattr(service, key, value)


def change_location(location_id: int, **values) -> None:
    """Set columns of a location (opening_hours, mode, settings ...)."""
    with transaction() as tx:
        location = tx.session.get(Location, location_id)
        for key, value in values.items():
            setattr(location, key, value)


def bank_branch(make, *, services: int = 2, **overrides) -> dict:
    """Create a location open all day whose first service asks the loan questions."""
    location = make.location(services=services, opening_hours=ALL_DAY, **overrides)
    for service_id, names in zip(location["service_ids"], SERVICE_NAMES, strict=False):
        change_service(service_id, names=names)
    change_service(location["service_ids"][0], questions=LOAN_QUESTIONS)
    return location


class Staff:
    """A staff member calling customers through the real HTTP API of a live server."""

    def __init__(self, make, location: dict, base_url: str) -> None:
        from qserve.services.accounts import create_token

        user = make.user(organization_id=location["organization_id"], location_ids=[location["id"]])
        token = create_token(email=user["email"], now=datetime.now(UTC))
        self.base_url = base_url
        self.http = requests.Session()
        self.http.headers["Authorization"] = f"Bearer {token}"

    def call_next(self, counter_id: int) -> dict | None:
        """Call the next customer to a counter; return the ticket, or None when nobody waits."""
        response = self.http.post(f"{self.base_url}/api/v1/counters/{counter_id}/call-next", timeout=10)
        response.raise_for_status()
        return None if response.status_code == 204 else response.json()

    def transfer(self, ticket_id: int, service_id: int) -> None:
        """Move a ticket to another service's line (its place kept)."""
        url = f"{self.base_url}/api/v1/tickets/{ticket_id}/transfer"
        moved = self.http.post(url, json={"service_id": service_id, "keep_place": True}, timeout=10)
        moved.raise_for_status()

    def finish(self, ticket_id: int) -> None:
        """Finish serving a called ticket."""
        self.http.post(f"{self.base_url}/api/v1/tickets/{ticket_id}/finish", timeout=10).raise_for_status()
