"""How many days ahead a location takes bookings is a setting of its admin page: checked, kept beside the
other location settings, and audited."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from qserve.admin import services
from qserve.appointments.services import list_slots
from qserve.db import read_session, transaction
from qserve.domain.errors import ValidationFailed
from qserve.models import Location
from tests.integration.admin.helpers import audit_rows, editor_of, organization
from tests.integration.admin.test_admin_services import location_typed

MONDAY = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)  # 09:00 in Helsinki
EVERY_DAY = dict.fromkeys(("mon", "tue", "wed", "thu", "fri", "sat", "sun"), "08:00-18:00")


@pytest.fixture
def org(make):
    return organization(make)


def stored(location_id: int) -> dict:
    with read_session() as session:
        return session.get(Location, location_id).settings


def test_a_manager_sets_how_many_days_ahead_bookings_are_taken_and_the_change_is_audited(org, clock):
    north = org["north"]["id"]
    manager = editor_of(org["manager"]["id"])
    with transaction() as tx:
        tx.session.get(Location, north).settings = {"appointments": {"grace_s": 300}}
    services.update_location(
        editor=manager, location_id=north, now=clock(), **location_typed(booking_horizon_days="14")
    )
    assert stored(north)["booking_horizon_days"] == 14
    assert stored(north)["appointments"] == {"grace_s": 300}  # the other settings stay
    [entry] = audit_rows()
    assert entry.changes["booking_horizon_days"] == [60, 14]  # never set: the 60 days it had
    services.update_location(editor=manager, location_id=north, now=clock(), **location_typed())
    assert stored(north)["booking_horizon_days"] == 60  # blank: the default


@pytest.mark.parametrize("typed", ["0", "366", "-3", "two weeks", "1.5"])
def test_a_horizon_outside_one_to_365_days_is_refused_and_nothing_changes(org, clock, typed):
    north = org["north"]["id"]
    before = stored(north)
    with pytest.raises(ValidationFailed) as error:
        services.update_location(
            editor=editor_of(org["admin"]["id"]),
            location_id=north,
            now=clock(),
            **location_typed(booking_horizon_days=typed),
        )
    assert error.value.field == "booking_horizon_days"
    assert stored(north) == before and audit_rows() == []


def test_the_days_offered_follow_the_setting_saved(make, org, clock):
    north = org["north"]
    with transaction() as tx:
        tx.session.get(Location, north["id"]).mode = "appointments"
    services.update_location(
        editor=editor_of(org["admin"]["id"]),
        location_id=north["id"],
        now=clock(),
        **location_typed(booking_horizon_days="3", weekday_hours=EVERY_DAY, exceptions=""),
    )

    def offered(days_ahead: int) -> int:
        day = MONDAY.date() + timedelta(days=days_ahead)
        return len(list_slots(location_slug="north", service_id=north["service_ids"][0], day=day, now=MONDAY))

    assert offered(3) > 0 and offered(4) == 0
