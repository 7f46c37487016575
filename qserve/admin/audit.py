"""Who may administer what, the audit entries every change writes in its own transaction, and reading them."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import ColumnElement, and_, event, or_, select
from sqlalchemy.orm import Session

from qserve.db import read_session
from qserve.domain.errors import BadRequest, Forbidden, NotFound
from qserve.models import AuditEntry, Location, User

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


# --- reading the trail: filters and pages ---------------------------------------------------------------

PAGE_SIZE = 50
ENTITY_TYPES = (
    "location",
    "service",
    "counter",
    "kiosk",
    "user",
    "organization",
    "notifications",
    "feedback_form",
)
FILTER_ARGS = ("location", "kind", "person", "from", "to")
LARGEST_ID = 2**31 - 1  # the databases' integer: a longer number names nothing and must not reach SQL
STALE_PAGE = "this page link is out of date or mistyped; start again from the newest changes"
NOT_YOURS = "choose one of your locations"
NO_SUCH_PERSON = "choose a person from the list"
NOT_A_DATE = "write the date as YYYY-MM-DD, for example 2026-11-23"


def parse_id(raw: str, *, field: str, message: str) -> int | None:
    """Read an id typed into a query string (None when empty); raise BadRequest unless it is one."""
    raw = raw.strip()
    if not raw:
        return None
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 10) or not 0 < int(raw) <= LARGEST_ID:
        raise BadRequest(message, field=field)
    return int(raw)


def parse_day(raw: str, *, field: str) -> date | None:
    """Read a date typed into a query string (None when empty); raise BadRequest unless it is one."""
    raw = raw.strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise BadRequest(NOT_A_DATE, field=field) from None


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(), UTC)


@dataclass(frozen=True)
class AuditFilters:
    """What the audit page narrows to: a location, a kind of item, a person, and a range of days in UTC."""

    location_id: int | None = None
    entity_type: str | None = None
    user_id: int | None = None
    first_day: date | None = None
    last_day: date | None = None

    @classmethod
    def parse(cls, args: Mapping[str, str]) -> AuditFilters:
        """Read the filters of a query string; raise BadRequest naming the field that cannot be read."""
        kind = args.get("kind", "").strip() or None
        if kind is not None and kind not in ENTITY_TYPES:
            raise BadRequest("choose a kind of item from the list", field="kind")
        filters = cls(
            location_id=parse_id(args.get("location", ""), field="location", message=NOT_YOURS),
            entity_type=kind,
            user_id=parse_id(args.get("person", ""), field="person", message=NO_SUCH_PERSON),
            first_day=parse_day(args.get("from", ""), field="from"),
            last_day=parse_day(args.get("to", ""), field="to"),
        )
        if filters.first_day and filters.last_day and filters.first_day > filters.last_day:
            raise BadRequest("the start date is after the end date", field="range")
        return filters

    def as_args(self) -> dict[str, str]:
        """Return the filters as query-string arguments, empty ones left out (paging links keep them)."""
        values = {
            "location": self.location_id,
            "kind": self.entity_type,
            "person": self.user_id,
            "from": self.first_day,
            "to": self.last_day,
        }
        return {key: str(value) for key, value in values.items() if value is not None}

    def conditions(self) -> list[ColumnElement[bool]]:
        """Return the SQL conditions of these filters (the editor's scope comes from `visible_to`)."""
        where: list[ColumnElement[bool]] = []
        if self.location_id is not None:
            where.append(AuditEntry.location_id == self.location_id)
        if self.entity_type is not None:
            where.append(AuditEntry.entity_type == self.entity_type)
        if self.user_id is not None:
            where.append(AuditEntry.user_id == self.user_id)
        if self.first_day is not None:
            where.append(AuditEntry.changed_at >= _midnight(self.first_day))
        if self.last_day is not None and self.last_day < date.max:
            where.append(AuditEntry.changed_at < _midnight(self.last_day + timedelta(days=1)))
        return where


@dataclass(frozen=True)
class AuditPage:
    """One page of the audit trail, newest first.

    `newer_after` and `older_before` are the entry ids the "Newer" and "Older" links page from (None when
    there is nothing more that way).
    """

    entries: list[dict]
    filters: AuditFilters = field(default_factory=AuditFilters)
    newer_after: int | None = None
    older_before: int | None = None


def visible_to(editor: Editor) -> list[ColumnElement[bool]]:
    """Return who sees which entries: their organization's; admins all of it, managers their locations'."""
    where = [AuditEntry.organization_id == editor.organization_id]
    if not editor.is_admin:
        where.append(AuditEntry.location_id.in_(sorted(editor.location_ids)))
    return where


def audit_choices(*, editor: Editor) -> dict:
    """Return what the audit page's filters offer: the editor's locations, the kinds of item, the people."""
    editor.require_manager()
    with read_session() as session:
        authors = select(AuditEntry.user_id).where(*visible_to(editor)).distinct()
        people = session.execute(
            select(User.id, User.name)
            .where(User.organization_id == editor.organization_id, User.id.in_(authors))
            .order_by(User.name, User.id)
        )
        return {
            "locations": [{"id": loc.id, "name": loc.name} for loc in managed_locations(session, editor)],
            "kinds": ENTITY_TYPES,
            "people": [{"id": person.id, "name": person.name} for person in people],
        }


def audit_page(*, editor: Editor, args: Mapping[str, str], size: int = PAGE_SIZE) -> AuditPage:
    """Return a page of the audit entries the editor may see, newest first, narrowed by the query's filters.

    Pages are keyed on (changed_at, id), not counted: `before=<id>` shows the entries older than that one,
    `after=<id>` the newer ones, so entries written meanwhile never shift a page. A value that cannot be
    used (not a number, not a date, a location that is not theirs) raises BadRequest and shows nothing.
    """
    editor.require_manager()
    filters = AuditFilters.parse(args)
    before = parse_id(args.get("before", ""), field="page", message=STALE_PAGE)
    after = parse_id(args.get("after", ""), field="page", message=STALE_PAGE)
    if before is not None and after is not None:
        raise BadRequest(STALE_PAGE, field="page")
    with read_session() as session:
        _check_filters(session, editor, filters)
        key = _position(session, editor, before or after) if before or after else None
        where = [*visible_to(editor), *filters.conditions()]
        newer = after is not None
        entries, more = _slice(session, where, key=key, newer=newer, size=size)
        top = _key(entries[0]) if entries else key
        bottom = _key(entries[-1]) if entries else key
        if newer:
            more_newer, more_older = more, _any_beyond(session, where, bottom, newer=False)
        else:
            more_newer, more_older = key is not None and _any_beyond(session, where, top, newer=True), more
        return AuditPage(
            entries=[_row(entry) for entry in entries],
            filters=filters,
            newer_after=top[1] if more_newer and top else None,
            older_before=bottom[1] if more_older and bottom else None,
        )


def _check_filters(session: Session, editor: Editor, filters: AuditFilters) -> None:
    if filters.location_id is not None:
        location = session.get(Location, filters.location_id)
        if location is None or not editor.may_manage(location):
            raise BadRequest(NOT_YOURS, field="location")
    if filters.user_id is not None:
        authored = select(AuditEntry.id).where(*visible_to(editor), AuditEntry.user_id == filters.user_id)
        if session.scalar(authored.limit(1)) is None:
            raise BadRequest(NO_SUCH_PERSON, field="person")


def _position(session: Session, editor: Editor, entry_id: int) -> tuple[datetime, int]:
    """Return the paging key of an entry the editor may see; any other is as unknown as a missing one."""
    changed_at = session.scalar(
        select(AuditEntry.changed_at).where(*visible_to(editor), AuditEntry.id == entry_id)
    )
    if changed_at is None:
        raise BadRequest(STALE_PAGE, field="page")
    return changed_at, entry_id


def _key(entry: AuditEntry) -> tuple[datetime, int]:
    return entry.changed_at, entry.id


def _beyond(key: tuple[datetime, int], *, newer: bool) -> ColumnElement[bool]:
    changed_at, entry_id = key
    if newer:
        return or_(
            AuditEntry.changed_at > changed_at,
            and_(AuditEntry.changed_at == changed_at, AuditEntry.id > entry_id),
        )
    return or_(
        AuditEntry.changed_at < changed_at,
        and_(AuditEntry.changed_at == changed_at, AuditEntry.id < entry_id),
    )


def _slice(
    session: Session, where: list, *, key: tuple[datetime, int] | None, newer: bool, size: int
) -> tuple[list[AuditEntry], bool]:
    """Return up to `size` entries next to `key` one way, newest first, and whether more lie beyond them."""
    query = select(AuditEntry).where(*where)
    if key is not None:
        query = query.where(_beyond(key, newer=newer))
    if newer:
        query = query.order_by(AuditEntry.changed_at.asc(), AuditEntry.id.asc())
    else:
        query = query.order_by(AuditEntry.changed_at.desc(), AuditEntry.id.desc())
    entries = list(session.scalars(query.limit(size + 1)))
    more, entries = len(entries) > size, entries[:size]
    return (entries[::-1] if newer else entries), more


def _any_beyond(session: Session, where: list, key: tuple[datetime, int] | None, *, newer: bool) -> bool:
    if key is None:
        return False
    query = select(AuditEntry.id).where(*where, _beyond(key, newer=newer)).limit(1)
    return session.scalar(query) is not None


def _row(entry: AuditEntry) -> dict:
    return {
        "id": entry.id,
        "changed_at": entry.changed_at,
        "user_name": entry.user_name,
        "entity_type": entry.entity_type,
        "entity_id": entry.entity_id,
        "entity_label": entry.entity_label,
        "action": entry.action,
        "changes": entry.changes,
        "location_id": entry.location_id,
    }
