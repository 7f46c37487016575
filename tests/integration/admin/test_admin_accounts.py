"""Administration of accounts and the organization's settings on a real database: roles, passwords kept out
of the log, account rules, retention and notification settings, a location's feedback form."""

from __future__ import annotations

import pytest
from werkzeug.security import check_password_hash

from qserve.admin import settings
from qserve.db import read_session
from qserve.domain.errors import Conflict, Forbidden, ValidationFailed
from qserve.insights.feedback import form_for
from qserve.models import Location, Organization, User
from qserve.notify.outbox import notification_settings
from tests.integration.admin.helpers import audit_rows, editor_of, organization


@pytest.fixture
def org(make):
    """An organization with two locations, users of every role and a foreign location."""
    return organization(make)


def test_admins_create_accounts_change_roles_and_reset_passwords_without_secrets_in_the_log(org, clock):
    admin = editor_of(org["admin"]["id"])
    user_id = settings.create_account(
        editor=admin,
        name="Nina New",
        email="nina@example.org",
        password="first-password",
        role="staff",
        location_ids=[org["south"]["id"]],
        now=clock(),
    )
    settings.update_account(
        editor=admin,
        user_id=user_id,
        name="Nina New",
        role="manager",
        location_ids=[org["north"]["id"]],
        active=True,
        now=clock(),
    )
    settings.reset_password(editor=admin, user_id=user_id, password="second-password", now=clock())
    settings.update_account(
        editor=admin,
        user_id=user_id,
        name="Nina New",
        role="manager",
        location_ids=[],
        active=False,
        now=clock(),
    )
    with read_session() as session:
        user = session.get(User, user_id)
        assert user.role == "manager" and not user.active and user.locations == []
        assert check_password_hash(user.password_hash, "second-password")
        stored_hash = user.password_hash
    created, promoted, reset, deactivated = audit_rows()
    assert created.changes["role"] == [None, "staff"] and created.changes["email"] == [
        None,
        "nina@example.org",
    ]
    assert promoted.changes == {
        "role": ["staff", "manager"],
        "location_ids": [[org["south"]["id"]], [org["north"]["id"]]],
    }
    assert reset.changes == {"password": ["", "changed"]}
    assert deactivated.changes["active"] == [True, False]
    every_value = repr([e.changes for e in audit_rows()])
    assert "password" not in every_value.replace("'password': ['', 'changed']", "")
    assert "first-password" not in every_value and stored_hash not in every_value


def test_an_account_is_not_created_twice_for_one_address_in_other_letter_case(org, clock):
    with pytest.raises(Conflict) as error:
        settings.create_account(
            editor=editor_of(org["admin"]["id"]),
            name="X",
            email=org["staff"]["email"].upper(),
            password="long-enough",
            role="staff",
            location_ids=[],
            now=clock(),
        )
    assert error.value.field == "email"


def test_account_rules_hold(org, clock):
    admin = editor_of(org["admin"]["id"])
    with pytest.raises(ValidationFailed) as error:
        settings.create_account(
            editor=admin,
            name="X",
            email="x@example.org",
            password="short",
            role="staff",
            location_ids=[],
            now=clock(),
        )
    assert error.value.field == "password"
    with pytest.raises(Conflict):
        settings.create_account(
            editor=admin,
            name="X",
            email=org["staff"]["email"],
            password="long-enough",
            role="staff",
            location_ids=[],
            now=clock(),
        )
    with pytest.raises(ValidationFailed):  # a location of another organization
        settings.create_account(
            editor=admin,
            name="X",
            email="y@example.org",
            password="long-enough",
            role="staff",
            location_ids=[org["foreign"]["id"]],
            now=clock(),
        )
    with pytest.raises(Conflict):
        settings.update_account(
            editor=admin,
            user_id=admin.user_id,
            name="Ada",
            role="staff",
            location_ids=[],
            active=True,
            now=clock(),
        )
    with pytest.raises(Forbidden):
        settings.create_account(
            editor=editor_of(org["manager"]["id"]),
            name="X",
            email="z@example.org",
            password="long-enough",
            role="admin",
            location_ids=[],
            now=clock(),
        )
    assert audit_rows() == []


def test_retention_and_notification_settings_are_what_the_jobs_read(org, clock):
    admin = editor_of(org["admin"]["id"])
    settings.update_organization(editor=admin, name="Org", retention_days="90", now=clock())
    typed = {
        "push": "1",
        "sms": "1",
        "position_thresholds": "3, 1",
        "time_left_min": "5",
        "reminders_h": "24",
        "feedback": "1",
        "feedback_delay_min": "10",
        "no_show_warning_at_recall": "2",
    }
    values = settings.notification_values(typed, ["called", "recalled"])
    settings.update_notifications(editor=admin, location_id=org["north"]["id"], values=values, now=clock())
    with read_session() as session:
        assert session.get(Organization, admin.organization_id).retention_days == 90
        read = notification_settings(session.get(Location, org["north"]["id"]))
    assert read["email"] is False and read["position_thresholds"] == [3, 1] and read["time_left_s"] == [300]
    assert read["sms_kinds"] == ["called", "recalled"] and read["feedback_delay_s"] == 600
    with pytest.raises(Forbidden):
        settings.update_organization(
            editor=editor_of(org["manager"]["id"]), name="Org", retention_days="1", now=clock()
        )
    with pytest.raises(ValidationFailed):
        settings.update_organization(editor=admin, name="Org", retention_days="0", now=clock())
    assert [e.entity_type for e in audit_rows()] == ["organization", "notifications"]


def test_a_location_feedback_form_is_the_one_its_customers_get(org, clock):
    manager = editor_of(org["manager"]["id"])
    config = {
        "enabled": True,
        "ask_recommendation": False,
        "valid_hours": 48,
        "questions": [
            {"key": "speed", "kind": "text", "texts": {"en": "How fast?", "fi": "Kuinka nopeasti?"}}
        ],
    }
    settings.save_feedback_form(editor=manager, location_id=org["north"]["id"], config=config, now=clock())
    with read_session() as session:
        form = form_for(session, organization_id=manager.organization_id, location_id=org["north"]["id"])
        shared = form_for(session, organization_id=manager.organization_id, location_id=org["south"]["id"])
    assert form["valid_hours"] == 48 and form["questions"][0]["texts"]["fi"] == "Kuinka nopeasti?"
    assert shared["valid_hours"] == 72
    with pytest.raises(Forbidden):  # the organization's own form is for admins
        settings.save_feedback_form(editor=manager, location_id=None, config=config, now=clock())
    [entry] = audit_rows()
    assert entry.entity_type == "feedback_form" and entry.action == "create"
