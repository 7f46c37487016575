"""Who may administer what, and the audit entries every change writes in its own transaction."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from qserve.domain.errors import Forbidden, NotFound
from qserve.models import AuditEntry, Location

MANAGER_ROLES = ("manager", "admin")
SECRET_FIELDS = frozenset({"password", "password_hash", "token", "token_hash"})


@dataclass(frozen=True)
class Editor:
    """A signed-in manager or admin changing configuration: their organization and member locations."""

    user_id: int
    name: str
    organization_id: int
    role: str
    location_ids: frozenset[int]

    @classmethod
    def of(cls, user) -> Editor:
        """Return the editor a signed-in user acts as."""
        return cls(
            user_id=user.id,
            name=user.name,
            organization_id=user.organization_id,
            role=user.role,
            location_ids=frozenset(location.id for location in user.locations),
        )

    @property
    def is_admin(self) -> bool:
        """Tell whether the editor also manages accounts, retention and notifications."""
        return self.role == "admin"

    def require_manager(self) -> None:
        """Raise Forbidden unless the editor is a manager or an admin."""
        if self.role not in MANAGER_ROLES:
            raise Forbidden("only managers and admins configure qserve")

    def require_admin(self) -> None:
        """Raise Forbidden unless the editor is an admin."""
        if self.role != "admin":
            raise Forbidden("only admins may change this")

    def may_manage(self, location: Location) -> bool:
        """Tell whether the editor may configure a location: their organization's, and theirs unless admin."""
        if self.role not in MANAGER_ROLES or location.organization_id != self.organization_id:
            return False
        return self.is_admin or location.id in self.location_ids


def managed_location(session: Session, editor: Editor, location_id: int) -> Location:
    """Return a location the editor may configure; others look missing (NotFound), staff get Forbidden."""
    editor.require_manager()
    location = session.get(Location, location_id)
    if location is None or not editor.may_manage(location):
        raise NotFound("no such location among yours")
    return location


def managed_locations(session: Session, editor: Editor) -> list[Location]:
    """Return the locations the editor may configure, in a stable order."""
    editor.require_manager()
    query = select(Location).where(Location.organization_id == editor.organization_id).order_by(Location.id)
    return [location for location in session.scalars(query) if editor.may_manage(location)]


def record(
    session: Session,
    editor: Editor,
    *,
    entity: str,
    entity_id: int | None,
    label: str,
    action: str,
    changes: dict,
    now: datetime,
    location_id: int | None = None,
) -> AuditEntry | None:
    """Add an audit entry to the change's own transaction (nothing when an update changed nothing)."""
    clean = {key: value for key, value in changes.items() if key not in SECRET_FIELDS}
    if action == "update" and not clean and not set(changes) & SECRET_FIELDS:
        return None
    entry = AuditEntry(
        organization_id=editor.organization_id,
        location_id=location_id,
        user_id=editor.user_id,
        user_name=editor.name,
        changed_at=now,
        entity_type=entity,
        entity_id=entity_id,
        entity_label=label[:200],
        action=action,
        changes=clean | ({"password": ["", "changed"]} if set(changes) & SECRET_FIELDS else {}),
    )
    session.add(entry)
    return entry


# --- joining a change to a transaction another package opens ---------------------------------------------

_joined: ContextVar[Callable[[Session], None] | None] = ContextVar("qserve_admin_joined", default=None)


def _run_joined(session: Session) -> None:
    work = _joined.get()
    if work is not None:
        _joined.set(None)
        work(session)


def install_join_hook() -> None:
    """Let `joined_to_next_commit` add writes to the next commit of this context (installed once)."""
    if not event.contains(Session, "before_commit", _run_joined):
        event.listen(Session, "before_commit", _run_joined)


@contextmanager
def joined_to_next_commit(work: Callable[[Session], None]) -> Iterator[None]:
    """Run `work(session)` inside the next transaction committed in this context, just before it commits.

    Used to write the rest of a change and its audit entry in the very transaction of a use case another
    package owns (switching modes), so both commit or neither does.
    """
    token = _joined.set(work)
    try:
        yield
    finally:
        _joined.reset(token)
