"""The join API while a location is closed: a customer's join is 409 location_closed saying when it opens,
staff with their token still issue, and the OpenAPI document says so. The clock is fixed (a Monday in
Helsinki), whatever the hour the suite runs at."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from qserve.db import read_session, transaction
from qserve.models import Location, Ticket

WEEKDAYS = {day: [["08:00", "18:00"]] for day in ("mon", "tue", "wed", "thu", "fri")}
MONDAY_3_AM = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)  # 03:00 in Helsinki
MONDAY_8_30_PM = datetime(2026, 11, 23, 18, 30, tzinfo=UTC)  # 20:30 in Helsinki


@pytest.fixture
def at(monkeypatch):
    """Return a function that sets the moment the API reads as now."""

    def set_now(moment: datetime) -> None:
        monkeypatch.setattr("qserve.api.public.utcnow", lambda: moment)

    return set_now


@pytest.fixture
def office(staff):
    """Give the staff member's location weekday hours, 08:00 to 18:00 in Helsinki."""
    location = staff["location"]
    with transaction() as tx:
        row = tx.session.get(Location, location["id"])
        row.opening_hours, row.name = WEEKDAYS, "Helsinki Centre"
    return location


def join(client, location, headers=None, **body):
    payload = {"service_id": location["service_ids"][0]} | body
    return client.post(f"/api/v1/locations/{location['slug']}/tickets", json=payload, headers=headers or {})


def test_a_customers_join_at_three_in_the_morning_is_409_location_closed_with_the_opening_time(
    client, office, at
):
    at(MONDAY_3_AM)
    refused = join(client, office)
    assert refused.status_code == 409
    assert refused.get_json() == {
        "error": {
            "code": "location_closed",
            "message": "Helsinki Centre is closed now; it opens today at 08:00",
            "opens_at": "2026-11-23T08:00:00+02:00",
        }
    }
    at(MONDAY_8_30_PM)
    assert (
        join(client, office, channel="kiosk").get_json()["error"]["opens_at"] == "2026-11-24T08:00:00+02:00"
    )
    with read_session() as session:
        assert session.query(Ticket).count() == 0


def test_other_errors_carry_no_opening_time(client, office, at):
    at(MONDAY_3_AM)
    missing = client.post(f"/api/v1/locations/{office['slug']}/tickets", json={"service_id": 999})
    assert missing.status_code == 404 and "opens_at" not in missing.get_json()["error"]


def test_staff_with_their_token_issue_after_hours_for_the_next_morning(client, office, staff, at):
    at(MONDAY_8_30_PM)
    issued = join(client, office, staff["headers"], channel="staff", name="Maija")
    assert issued.status_code == 201 and issued.get_json()["number"] == "A001"
    with read_session() as session:
        assert str(session.get(Ticket, issued.get_json()["id"]).service_day) == "2026-11-24"
    assert join(client, office, staff["headers"]).status_code == 409  # a token with a customer's channel


def test_the_openapi_document_describes_the_refusal_and_its_opening_time(client):
    document = client.get("/api/v1/openapi.json").get_json()
    join_409 = document["paths"]["/locations/{slug}/tickets"]["post"]["responses"]["409"]
    assert "location_closed" in join_409["description"]
    error = document["components"]["schemas"]["Error"]["properties"]["error"]["properties"]
    assert error["opens_at"]["format"] == "date-time"
    assert "location_closed" in document["paths"]["/locations/{slug}/tickets"]["post"]["description"]
