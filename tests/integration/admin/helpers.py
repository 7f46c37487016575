"""Shared set-up of the administration tests: one organization with users of every role, and a stranger."""

from __future__ import annotations

from qserve.admin.audit import Editor
from qserve.db import read_session
from qserve.models import AuditEntry, User


def editor_of(user_id: int) -> Editor:
    """Return the Editor a user acts as."""
    with read_session() as session:
        user = session.get(User, user_id)
        list(user.locations)
        return Editor.of(user)


def audit_rows() -> list[AuditEntry]:
    """Return every audit entry, oldest first."""
    with read_session() as session:
        return list(session.query(AuditEntry).order_by(AuditEntry.id))


def organization(make) -> dict:
    """Return two locations of one organization, a foreign one, and users of every role."""
    north = make.location(name="North", slug="north")
    org = north["organization_id"]
    south = make.location(organization_id=org, name="South", slug="south", time_zone="Europe/Warsaw")
    foreign = make.location(name="Elsewhere", slug="elsewhere")
    admin = make.user(organization_id=org, role="admin", name="Ada Admin")
    manager = make.user(organization_id=org, role="manager", location_ids=[north["id"]], name="Mia Manager")
    staff = make.user(organization_id=org, location_ids=[north["id"]], name="Sam Staff")
    return {
        "north": north,
        "south": south,
        "foreign": foreign,
        "admin": admin,
        "manager": manager,
        "staff": staff,
    }
