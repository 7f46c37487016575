"""Administration use cases of the organization: staff accounts, retention, notifications, feedback forms.

Like qserve.admin.services, each function validates, changes and audits in one transaction.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from qserve.admin import rules
from qserve.admin.audit import Editor, managed_location, record, visible_to
from qserve.db import read_session, transaction
from qserve.domain.errors import Conflict, NotFound, ValidationFailed
from qserve.insights.forms import validate_form_config
from qserve.insights.texts import DEFAULT_FORM
from qserve.models import ROLES, AuditEntry, FeedbackForm, Location, Organization, User
from qserve.notify.texts import KINDS
from qserve.services.accounts import add_user, set_password

NOTIFICATION_KINDS = KINDS  # the kinds of message, as qserve.notify words them


# --- staff accounts -------------------------------------------------------------------------------------


def _org_locations(session: Session, editor: Editor, location_ids: list[int]) -> list[Location]:
    wanted = rules.check_ids(location_ids, field="location_ids")
    rows = list(session.scalars(select(Location).where(Location.id.in_(wanted)).order_by(Location.id)))
    if len(rows) != len(wanted) or any(loc.organization_id != editor.organization_id for loc in rows):
        raise ValidationFailed("choose locations of your organization", field="location_ids")
    return rows


def _account(session: Session, editor: Editor, user_id: int) -> User:
    editor.require_admin()
    user = session.get(User, user_id)
    if user is None or user.organization_id != editor.organization_id:
        raise NotFound("no such account in your organization")
    return user


def _account_state(user: User) -> dict:
    return {
        "name": user.name,
        "email": user.email,
        "role": user.role,
        "active": user.active,
        "location_ids": sorted(loc.id for loc in user.locations),
    }


def create_account(
    *, editor: Editor, name: str, email: str, password: str, role: str, location_ids: list[int], now: datetime
) -> int:
    """Create a staff, manager or admin account with a first password; return its id."""
    editor.require_admin()
    clean_name = rules.check_name(name)
    with transaction() as tx:
        locations = _org_locations(tx.session, editor, location_ids)
        user = add_user(
            tx.session,
            organization_id=editor.organization_id,
            name=clean_name,
            email=email,
            password=password,
            role=role,
            locations=locations,
        )
        changes = {key: [None, value] for key, value in _account_state(user).items()}
        record(
            tx.session,
            editor,
            entity="user",
            entity_id=user.id,
            label=user.name,
            action="create",
            changes=changes,
            now=now,
        )
        return user.id


def update_account(
    *,
    editor: Editor,
    user_id: int,
    name: str,
    role: str,
    location_ids: list[int],
    active: bool,
    now: datetime,
) -> None:
    """Change an account's name, role, locations, or deactivate it (never one's own role or access)."""
    if role not in ROLES:
        raise ValidationFailed(f"role must be one of {list(ROLES)}", field="role")
    with transaction() as tx:
        user = _account(tx.session, editor, user_id)
        if user.id == editor.user_id and (role != user.role or not active):
            raise Conflict("you cannot change your own role or deactivate yourself", field="role")
        before = _account_state(user)
        user.name = rules.check_name(name)
        user.role, user.active = role, bool(active)
        user.locations = _org_locations(tx.session, editor, location_ids)
        record(
            tx.session,
            editor,
            entity="user",
            entity_id=user.id,
            label=user.name,
            action="update",
            changes=rules.diff(before, _account_state(user)),
            now=now,
        )


def reset_password(*, editor: Editor, user_id: int, password: str, now: datetime) -> None:
    """Give an account a new password; the audit says that it changed, never what it is."""
    with transaction() as tx:
        user = _account(tx.session, editor, user_id)
        set_password(user, password)
        record(
            tx.session,
            editor,
            entity="user",
            entity_id=user.id,
            label=user.name,
            action="update",
            changes={"password": None},
            now=now,
        )


def accounts(*, editor: Editor) -> list[dict]:
    """Return the organization's accounts with their roles and locations (admins only)."""
    editor.require_admin()
    with read_session() as session:
        users = session.scalars(
            select(User).where(User.organization_id == editor.organization_id).order_by(User.name)
        )
        return [
            _account_state(u) | {"id": u.id, "locations": [loc.name for loc in u.locations]} for u in users
        ]


# --- organization and notifications ---------------------------------------------------------------------


def organization_of(session: Session, editor: Editor) -> Organization:
    """Return the editor's organization."""
    editor.require_manager()
    return session.get(Organization, editor.organization_id)


def update_organization(*, editor: Editor, name: str, retention_days: str, now: datetime) -> None:
    """Rename the organization and set how many days personal data is kept."""
    editor.require_admin()
    values = {
        "name": rules.check_name(name),
        "retention_days": rules.check_int(retention_days, field="retention_days", low=1, high=3650),
    }
    if values["retention_days"] is None:
        raise ValidationFailed("give a whole number from 1 to 3650", field="retention_days")
    with transaction() as tx:
        organization = tx.session.get(Organization, editor.organization_id)
        before = {"name": organization.name, "retention_days": organization.retention_days}
        organization.name, organization.retention_days = values["name"], values["retention_days"]
        record(
            tx.session,
            editor,
            entity="organization",
            entity_id=organization.id,
            label=organization.name,
            action="update",
            changes=rules.diff(before, values),
            now=now,
        )


def notification_values(form: dict, sms_kinds: list[str] | None) -> dict:
    """Check notification settings as typed; the keys are those qserve.notify.outbox reads."""
    kinds = [kind for kind in NOTIFICATION_KINDS if kind in set(sms_kinds or [])]
    return {
        "push": bool(form.get("push")),
        "sms": bool(form.get("sms")),
        "email": bool(form.get("email")),
        "position_thresholds": rules.parse_thresholds(
            form.get("position_thresholds", ""), field="position_thresholds", low=1, high=100
        ),
        "time_left_s": rules.parse_thresholds(
            form.get("time_left_min", ""), field="time_left_min", low=1, high=240, scale=60
        ),
        "reminders_s": rules.parse_thresholds(
            form.get("reminders_h", ""), field="reminders_h", low=1, high=336, scale=3600
        ),
        "feedback": bool(form.get("feedback")),
        "feedback_delay_s": rules.check_int(
            form.get("feedback_delay_min"), field="feedback_delay_min", low=0, high=1440, blank=0
        )
        * 60,
        "no_show_warning_at_recall": rules.check_int(
            form.get("no_show_warning_at_recall"), field="no_show_warning_at_recall", low=0, high=10, blank=0
        ),
        "sms_kinds": None if form.get("sms_all_kinds") else kinds,
    }


def update_notifications(*, editor: Editor, location_id: int, values: dict, now: datetime) -> None:
    """Store a location's notification settings in settings["notifications"] (admins only)."""
    editor.require_admin()
    with transaction() as tx:
        location = managed_location(tx.session, editor, location_id)
        settings = dict(location.settings or {})
        before = dict(settings.get("notifications") or {})
        settings["notifications"] = before | values
        location.settings = settings
        record(
            tx.session,
            editor,
            entity="notifications",
            entity_id=location.id,
            label=location.name,
            action="update",
            changes=rules.diff(before, values),
            now=now,
            location_id=location.id,
        )


# --- feedback forms -------------------------------------------------------------------------------------


def _feedback_row(session: Session, editor: Editor, location_id: int | None) -> FeedbackForm | None:
    query = select(FeedbackForm).where(FeedbackForm.organization_id == editor.organization_id)
    if location_id is None:
        query = query.where(FeedbackForm.location_id.is_(None))
    else:
        query = query.where(FeedbackForm.location_id == location_id)
    return session.scalar(query)


def feedback_config(*, editor: Editor, location_id: int | None) -> tuple[dict, bool]:
    """Return the form a scope edits (its own, else what it inherits) and whether it has its own."""
    editor.require_manager()
    with read_session() as session:
        if location_id is not None:
            managed_location(session, editor, location_id)
        own = _feedback_row(session, editor, location_id)
        if own is not None:
            return validate_form_config(own.config), True
        shared = _feedback_row(session, editor, None) if location_id is not None else None
        return validate_form_config(shared.config if shared else DEFAULT_FORM), False


def save_feedback_form(*, editor: Editor, location_id: int | None, config: dict, now: datetime) -> None:
    """Save the organization's form (admins) or one location's own form (its managers)."""
    if location_id is None:
        editor.require_admin()
    clean = validate_form_config(config)
    with transaction() as tx:
        label = "organization"
        if location_id is not None:
            label = managed_location(tx.session, editor, location_id).name
        row = _feedback_row(tx.session, editor, location_id)
        before = dict(row.config) if row is not None else {}
        if row is None:
            row = FeedbackForm(
                organization_id=editor.organization_id, location_id=location_id, updated_at=now
            )
            tx.session.add(row)
        row.config, row.updated_at, row.updated_by_id = clean, now, editor.user_id
        tx.session.flush()
        record(
            tx.session,
            editor,
            entity="feedback_form",
            entity_id=row.id,
            label=label,
            action="update" if before else "create",
            changes=rules.diff(before, clean),
            now=now,
            location_id=location_id,
        )


# --- the audit trail ------------------------------------------------------------------------------------


def audit_entries(*, editor: Editor, location_id: int | None = None, limit: int = 200) -> list[dict]:
    """Return the newest audit entries the editor may see (admins: all; managers: their locations')."""
    editor.require_manager()
    with read_session() as session:
        query = select(AuditEntry).where(*visible_to(editor))
        if location_id is not None:
            managed_location(session, editor, location_id)
            query = query.where(AuditEntry.location_id == location_id)
        query = query.order_by(AuditEntry.changed_at.desc(), AuditEntry.id.desc()).limit(limit)
        return [
            {
                "id": e.id,
                "changed_at": e.changed_at,
                "user_name": e.user_name,
                "entity_type": e.entity_type,
                "entity_id": e.entity_id,
                "entity_label": e.entity_label,
                "action": e.action,
                "changes": e.changes,
                "location_id": e.location_id,
            }
            for e in session.scalars(query)
        ]
