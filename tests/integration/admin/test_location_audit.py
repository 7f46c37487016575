"""Saving a location's page as it was shown changes nothing and writes no audit entry, whatever shape its
stored settings have (written by the demo, an older form, or the defaults)."""

from __future__ import annotations

import pytest

from qserve.admin import forms, services
from qserve.db import read_session
from qserve.models import Location
from tests.integration.admin.helpers import audit_rows, editor_of, organization

WEEKDAYS_ONLY = {day: [["08:00", "18:00"]] for day in ("mon", "tue", "wed", "thu", "fri")}


def form_as_shown(location_id: int) -> dict:
    """Return a location's settings form as its page shows it and a browser sends it back (text values)."""
    with read_session() as session:
        shown = forms.location_form(session.get(Location, location_id))
    return {key: value if isinstance(value, list) else str(value) for key, value in shown.items()}


@pytest.mark.parametrize(
    "stored",
    [
        {"opening_hours": WEEKDAYS_ONLY},  # closed days left out, as the demo and the form now store them
        {"opening_hours": WEEKDAYS_ONLY | {"sat": [], "sun": []}},  # as the form used to store them
        {"opening_hours": WEEKDAYS_ONLY | {"exceptions": {"2026-12-24": []}}},
        {"opening_hours": WEEKDAYS_ONLY | {"exceptions": {}}},  # an empty table of exceptions
        {"opening_hours": WEEKDAYS_ONLY, "fairness": {"kind": "ageing", "credit_s": 900}},
        {"opening_hours": {}, "fairness": None},  # no fixed hours, the default fairness
        {"opening_hours": WEEKDAYS_ONLY, "fairness": {"kind": "max_in_row", "max_in_row": 2}},
    ],
)
def test_saving_the_page_as_shown_writes_no_audit_entry(make, clock, stored):
    org = organization(make)
    location_id = make.location(organization_id=org["north"]["organization_id"], slug="shown", **stored)["id"]
    sent = form_as_shown(location_id)
    services.update_location(
        editor=editor_of(org["admin"]["id"]),
        location_id=location_id,
        now=clock(),
        **forms.location_arguments(sent),
    )
    assert [row.changes for row in audit_rows()] == []


def test_a_real_change_of_hours_is_still_recorded(make, clock):
    org = organization(make)
    location_id = make.location(
        organization_id=org["north"]["organization_id"], slug="shown", opening_hours=WEEKDAYS_ONLY
    )["id"]
    sent = form_as_shown(location_id)
    sent["hours_sat"] = "10:00-14:00"
    services.update_location(
        editor=editor_of(org["admin"]["id"]),
        location_id=location_id,
        now=clock(),
        **forms.location_arguments(sent),
    )
    (row,) = audit_rows()
    assert list(row.changes) == ["opening_hours"]
    assert row.changes["opening_hours"][1] == WEEKDAYS_ONLY | {"sat": [["10:00", "14:00"]]}
