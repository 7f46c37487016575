"""Administration of locations and services on a real database: validation, scope, effects and the audit entry
of each (counters and kiosks, accounts and settings have files of their own)."""

from __future__ import annotations

import pytest

from qserve.admin import question_rules, services, settings
from qserve.db import read_session
from qserve.domain.errors import Conflict, Forbidden, NotFound, ValidationFailed
from qserve.domain.ordering import FairnessKind, FairnessRule
from qserve.models import Location, Service, Ticket
from tests.integration.admin.helpers import audit_rows, editor_of, organization


@pytest.fixture
def org(make):
    """An organization with two locations, users of every role and a foreign location."""
    return organization(make)


def location_typed(**overrides) -> dict:
    """Return the settings of a location as an admin would type them."""
    return {
        "name": "North Office",
        "slug": "north",
        "time_zone": "Europe/Helsinki",
        "weekday_hours": {"mon": "08:00-12:00, 13:00-16:00", "tue": "08:00-16:00"},
        "exceptions": "2026-12-24 closed",
        "languages": ["fi", "en"],
        "display_message": "Welcome!",
        "fairness": {"kind": "max_in_row", "max_in_row": "2"},
    } | overrides


def service_typed(**overrides) -> dict:
    """Return a service's settings as typed in its form."""
    return {
        "names": {"en": "Parcels", "fi": "Paketit"},
        "prefix": "P",
        "duration_min": "4",
        "daily_cap": "",
        "is_open": True,
        "position": "3",
    } | overrides


def _location(location_id: int) -> Location:
    with read_session() as session:
        return session.get(Location, location_id)


def _service(service_id: int) -> Service:
    with read_session() as session:
        return session.get(Service, service_id)


def test_location_settings_are_stored_as_the_app_reads_them_and_audited(org, clock):
    admin = editor_of(org["admin"]["id"])
    services.update_location(editor=admin, location_id=org["north"]["id"], now=clock(), **location_typed())
    location = _location(org["north"]["id"])
    assert location.opening_hours["mon"] == [["08:00", "12:00"], ["13:00", "16:00"]]
    assert location.opening_hours["exceptions"] == {"2026-12-24": []}
    assert location.languages == ["fi", "en"]
    assert FairnessRule.from_settings(location.fairness) == FairnessRule(
        FairnessKind.MAX_IN_ROW, max_in_row=2
    )
    [entry] = audit_rows()
    assert (entry.user_id, entry.user_name, entry.entity_type, entry.action) == (
        org["admin"]["id"],
        "Ada Admin",
        "location",
        "update",
    )
    assert entry.location_id == org["north"]["id"] and entry.changed_at == clock()
    assert entry.changes["name"] == ["North", "North Office"]
    assert entry.changes["display_message"] == ["", "Welcome!"]
    assert "slug" not in entry.changes  # unchanged fields are left out


def test_how_early_walk_ins_may_join_is_a_location_setting_kept_beside_the_others(org, clock):
    from qserve.db import transaction

    admin = editor_of(org["admin"]["id"])
    north = org["north"]["id"]
    with transaction() as tx:
        tx.session.get(Location, north).settings = {"phone_region": "SE", "no_show_grace_s": 30}
    services.update_location(
        editor=admin, location_id=north, now=clock(), **location_typed(join_before_opening_min="15")
    )
    assert _location(north).settings == {
        "phone_region": "SE",
        "no_show_grace_s": 30,
        "join_before_opening_s": 900,
        "stop_joining_before_closing_s": 0,
        "booking_horizon_days": 60,
    }
    [entry] = audit_rows()
    assert entry.changes["join_before_opening_s"] == [0, 900]
    services.update_location(editor=admin, location_id=north, now=clock(), **location_typed())  # blank: 0
    assert _location(north).settings["join_before_opening_s"] == 0
    for typed in ("-5", "721", "soon"):
        with pytest.raises(ValidationFailed) as error:
            services.update_location(
                editor=admin, location_id=north, now=clock(), **location_typed(join_before_opening_min=typed)
            )
        assert error.value.field == "join_before_opening_min"
    created = services.create_location(
        editor=admin, now=clock(), **location_typed(slug="east", join_before_opening_min="30")
    )
    assert _location(created).settings == {
        "join_before_opening_s": 1800,
        "stop_joining_before_closing_s": 0,
        "booking_horizon_days": 60,
    }


def test_the_last_call_before_closing_is_set_in_minutes_and_audited(org, clock):
    admin = editor_of(org["admin"]["id"])
    north = org["north"]["id"]
    services.update_location(
        editor=admin, location_id=north, now=clock(), **location_typed(stop_joining_before_closing_min="20")
    )
    assert _location(north).settings["stop_joining_before_closing_s"] == 1200
    [entry] = audit_rows()
    assert entry.changes["stop_joining_before_closing_s"] == [0, 1200]
    for typed in ("-1", "721", "late"):
        with pytest.raises(ValidationFailed) as error:
            services.update_location(
                editor=admin,
                location_id=north,
                now=clock(),
                **location_typed(stop_joining_before_closing_min=typed),
            )
        assert error.value.field == "stop_joining_before_closing_min"


def test_saving_unchanged_settings_writes_no_audit_entry(org, clock):
    admin = editor_of(org["admin"]["id"])
    services.update_location(editor=admin, location_id=org["north"]["id"], now=clock(), **location_typed())
    services.update_location(editor=admin, location_id=org["north"]["id"], now=clock(), **location_typed())
    assert len(audit_rows()) == 1


def test_a_taken_slug_and_a_bad_zone_are_refused_and_nothing_changes(org, clock):
    admin = editor_of(org["admin"]["id"])
    with pytest.raises(Conflict) as error:
        services.update_location(
            editor=admin, location_id=org["north"]["id"], now=clock(), **location_typed(slug="south")
        )
    assert error.value.field == "slug"
    with pytest.raises(ValidationFailed) as error:
        services.update_location(
            editor=admin, location_id=org["north"]["id"], now=clock(), **location_typed(time_zone="Mars/Base")
        )
    assert error.value.field == "time_zone"
    assert _location(org["north"]["id"]).name == "North" and audit_rows() == []


def test_managers_change_only_their_own_locations_and_staff_nothing(org, clock):
    manager = editor_of(org["manager"]["id"])
    services.update_location(editor=manager, location_id=org["north"]["id"], now=clock(), **location_typed())
    for other in ("south", "foreign"):
        with pytest.raises(NotFound):
            services.update_location(
                editor=manager, location_id=org[other]["id"], now=clock(), **location_typed(slug=other)
            )
    with pytest.raises(Forbidden):
        services.update_location(
            editor=editor_of(org["staff"]["id"]),
            location_id=org["north"]["id"],
            now=clock(),
            **location_typed(),
        )
    with pytest.raises(Forbidden):
        services.create_location(editor=manager, now=clock(), **location_typed(slug="new"))
    assert len(audit_rows()) == 1


def test_an_admin_creates_a_location(org, clock):
    admin = editor_of(org["admin"]["id"])
    location_id = services.create_location(
        editor=admin, now=clock(), **location_typed(slug="east", name="East")
    )
    location = _location(location_id)
    assert (location.organization_id, location.mode, location.slug) == (
        org["north"]["organization_id"],
        "queue",
        "east",
    )
    [entry] = audit_rows()
    assert entry.action == "create" and entry.changes["slug"] == [None, "east"]


def test_switching_modes_keeps_everyone_waiting_and_audits_in_the_same_transaction(org, make, clock):
    waiting = [make.ticket(location=org["north"], now=clock.advance(seconds=5)) for _ in range(3)]
    admin = editor_of(org["admin"]["id"])
    services.change_mode(
        editor=admin, location_id=org["north"]["id"], mode="hybrid", hybrid_share="40", now=clock()
    )
    location = _location(org["north"]["id"])
    assert location.mode == "hybrid" and location.settings["appointments"]["hybrid_share"] == 0.4
    with read_session() as session:
        assert [session.get(Ticket, t).status for t in waiting] == ["waiting"] * 3
    [entry] = audit_rows()
    assert entry.changes == {"mode": ["queue", "hybrid"], "hybrid_share": [None, 0.4]}


def test_a_refused_mode_switch_changes_and_audits_nothing(org, clock):
    admin = editor_of(org["admin"]["id"])
    with pytest.raises(ValidationFailed):
        services.change_mode(
            editor=admin, location_id=org["north"]["id"], mode="lottery", hybrid_share="", now=clock()
        )
    with pytest.raises(NotFound):
        services.change_mode(
            editor=editor_of(org["manager"]["id"]),
            location_id=org["south"]["id"],
            mode="appointments",
            hybrid_share="",
            now=clock(),
        )
    assert _location(org["south"]["id"]).mode == "queue" and audit_rows() == []


def test_a_service_is_renamed_given_questions_and_its_own_mode_in_one_audited_change(org, clock):
    admin = editor_of(org["admin"]["id"])
    service_id = org["north"]["service_ids"][0]
    rows = [{"id": "", "type": "yesno", "required": "1", "label": {"en": "First visit?"}, "options": {}}]
    services.update_service(
        editor=admin,
        service_id=service_id,
        mode="appointments",
        now=clock(),
        **service_typed(question_rows=rows, prefix="A"),
    )
    service = _service(service_id)
    assert service.names == {"en": "Parcels", "fi": "Paketit"} and service.default_duration_s == 240
    assert service.mode == "appointments"
    assert service.questions == [
        {"id": "first_visit", "type": "yesno", "required": True, "label": {"en": "First visit?"}}
    ]
    [entry] = audit_rows()
    assert entry.entity_type == "service" and entry.entity_id == service_id
    assert entry.changes["mode"] == ["inherit", "appointments"]
    assert entry.changes["names"] == [{"en": "Service A"}, {"en": "Parcels", "fi": "Paketit"}]


def test_when_the_rest_of_a_service_change_fails_its_mode_switch_is_rolled_back_too(org, clock):
    admin = editor_of(org["admin"]["id"])
    service_id = org["north"]["service_ids"][0]
    with pytest.raises(
        Conflict
    ) as error:  # prefix B belongs to the other service, found inside switch_mode's commit
        services.update_service(
            editor=admin, service_id=service_id, mode="appointments", now=clock(), **service_typed(prefix="B")
        )
    assert error.value.field == "prefix"
    service = _service(service_id)
    assert service.mode is None and service.prefix == "A" and audit_rows() == []


def test_closing_a_service_stops_new_tickets_at_once(org, clock):
    from qserve.domain.errors import ServiceClosed

    admin = editor_of(org["admin"]["id"])
    service_id = org["north"]["service_ids"][0]
    services.update_service(
        editor=admin,
        service_id=service_id,
        mode="inherit",
        now=clock(),
        **service_typed(prefix="A", is_open=False),
    )
    with pytest.raises(ServiceClosed):
        from qserve.services.tickets import issue_ticket

        issue_ticket(location_slug="north", service_id=service_id, now=clock())
    assert audit_rows()[0].changes["is_open"] == [True, False]


def test_a_new_service_needs_a_free_prefix(org, clock):
    manager = editor_of(org["manager"]["id"])
    service_id = services.create_service(
        editor=manager, location_id=org["north"]["id"], now=clock(), **service_typed()
    )
    assert _service(service_id).prefix == "P"
    with pytest.raises(Conflict):
        services.create_service(
            editor=manager, location_id=org["north"]["id"], now=clock(), **service_typed()
        )
    with pytest.raises(ValidationFailed) as error:
        services.create_service(
            editor=manager, location_id=org["north"]["id"], now=clock(), **service_typed(prefix="p1")
        )
    assert error.value.field == "prefix"
    assert [e.action for e in audit_rows()] == ["create"]


def test_the_audit_list_is_newest_first_filtered_and_scoped(org, clock):
    admin, manager = editor_of(org["admin"]["id"]), editor_of(org["manager"]["id"])
    services.update_location(editor=admin, location_id=org["north"]["id"], now=clock(), **location_typed())
    services.update_location(
        editor=admin,
        location_id=org["south"]["id"],
        now=clock.advance(minutes=1),
        **location_typed(slug="south"),
    )
    settings.update_organization(
        editor=admin, name="Renamed", retention_days="30", now=clock.advance(minutes=1)
    )
    assert [e["entity_type"] for e in settings.audit_entries(editor=admin)] == [
        "organization",
        "location",
        "location",
    ]
    assert [
        e["location_id"] for e in settings.audit_entries(editor=admin, location_id=org["south"]["id"])
    ] == [org["south"]["id"]]
    assert [e["location_id"] for e in settings.audit_entries(editor=manager)] == [org["north"]["id"]]
    with pytest.raises(NotFound):
        settings.audit_entries(editor=manager, location_id=org["south"]["id"])
    with pytest.raises(Forbidden):
        settings.audit_entries(editor=editor_of(org["staff"]["id"]))


def test_names_in_languages_the_location_no_longer_offers_are_kept(org, clock):
    admin = editor_of(org["admin"]["id"])
    service_id = org["north"]["service_ids"][0]
    services.update_service(
        editor=admin, service_id=service_id, mode="inherit", now=clock(), **service_typed(prefix="A")
    )
    services.update_location(
        editor=admin, location_id=org["north"]["id"], now=clock(), **location_typed(languages=["en"])
    )
    typed = service_typed(prefix="A", names={"en": "Parcels only"})
    services.update_service(editor=admin, service_id=service_id, mode="inherit", now=clock(), **typed)
    assert _service(service_id).names == {"fi": "Paketit", "en": "Parcels only"}


def test_saving_a_service_unchanged_keeps_its_answer_values_and_labels_in_other_languages(org, clock):
    admin = editor_of(org["admin"]["id"])
    north, service_id = org["north"]["id"], org["north"]["service_ids"][0]
    services.update_location(
        editor=admin, location_id=north, now=clock(), **location_typed(languages=["fi", "en", "pl"])
    )
    options = {"fi": "Kortit\nLainat", "en": "Cards\nLoans", "pl": "Karty\nKredyty"}
    label = {"fi": "Aihe", "en": "Topic", "pl": "Temat"}
    rows = [{"id": "", "type": "choice", "required": "1", "label": label, "options": options}]
    typed = service_typed(prefix="A", question_rows=rows)
    services.update_service(editor=admin, service_id=service_id, mode="inherit", now=clock(), **typed)
    before = _service(service_id).questions
    services.update_location(
        editor=admin, location_id=north, now=clock(), **location_typed(languages=["en", "fi"])
    )
    # The admin opens the service (its editor now in English and Finnish) and saves it as it is.
    rows = [row | {"required": "1"} for row in question_rules.question_rows(before, ["en", "fi"])]
    typed = service_typed(prefix="A", question_rows=rows)
    services.update_service(editor=admin, service_id=service_id, mode="inherit", now=clock(), **typed)
    assert [option["value"] for option in before[0]["options"]] == ["kortit", "lainat"]
    assert _service(service_id).questions == before
