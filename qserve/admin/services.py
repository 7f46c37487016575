"""Administration use cases: locations, modes, services, counters and kiosks, each audited in its transaction.

Every function takes the acting Editor and an explicit `now`, validates with qserve.admin.rules (raising the
domain errors with the form field to mark), and writes its change and its audit entry in one transaction.
Staff accounts, the organization, notifications and feedback forms are in qserve.admin.settings.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from qserve.admin import question_rules, rules
from qserve.admin.audit import Editor, joined_to_next_commit, managed_location, record
from qserve.appointments.slots import DEFAULT_HORIZON_DAYS
from qserve.db import read_session, transaction
from qserve.domain.errors import Conflict, NotFound, ValidationFailed
from qserve.domain.events import CounterChanged, DomainEvent, ServiceChanged
from qserve.domain.questions import validate_questions
from qserve.models import Counter, Kiosk, Location, Service

LOCATION_FIELDS = ("name", "slug", "time_zone", "opening_hours", "languages", "display_message", "fairness")
# Kept in Location.settings, with the value a location that never set them has.
LOCATION_SETTINGS = {
    "join_before_opening_s": 0,
    "stop_joining_before_closing_s": 0,
    "booking_horizon_days": DEFAULT_HORIZON_DAYS,
}
SERVICE_FIELDS = ("names", "prefix", "default_duration_s", "daily_cap", "is_open", "position", "questions")


def _snapshot(row: object, fields: tuple[str, ...]) -> dict:
    return {name: getattr(row, name) for name in fields}


def _apply(row: object, values: dict) -> None:
    for name, value in values.items():
        setattr(row, name, value)


def _slug_free(session: Session, model, slug: str, *, own_id: int | None, **scope) -> None:
    query = select(model.id).where(model.slug == slug, *(getattr(model, k) == v for k, v in scope.items()))
    other = session.scalar(query)
    if other is not None and other != own_id:
        raise Conflict("this URL name is taken", field="slug")


# --- locations -----------------------------------------------------------------------------------------


def _location_snapshot(location: Location) -> dict:
    """Return a location's columns, and the settings its form edits, as rules.location_values shapes them."""
    settings = location.settings or {}
    return _snapshot(location, LOCATION_FIELDS) | {
        "opening_hours": rules.stored_opening_hours(location.opening_hours),
        "fairness": rules.stored_fairness(location.fairness),
        **{key: settings.get(key, default) for key, default in LOCATION_SETTINGS.items()},
    }


def _apply_location(location: Location, values: dict) -> None:
    """Write a location's columns, and its settings beside those that other pages keep in `settings`."""
    columns = {key: value for key, value in values.items() if key not in LOCATION_SETTINGS}
    edited = {key: values[key] for key in LOCATION_SETTINGS}
    location.settings = dict(location.settings or {}) | edited
    _apply(location, columns)


def create_location(*, editor: Editor, now: datetime, **typed) -> int:
    """Create a location of the editor's organization (admins only) and return its id."""
    editor.require_admin()
    values = rules.location_values(**typed)
    with transaction() as tx:
        _slug_free(tx.session, Location, values["slug"], own_id=None)
        location = Location(organization_id=editor.organization_id, mode="queue")
        _apply_location(location, values)
        tx.session.add(location)
        tx.session.flush()
        changes = {key: [None, value] for key, value in values.items()}
        record(
            tx.session,
            editor,
            entity="location",
            entity_id=location.id,
            label=location.name,
            action="create",
            changes=changes,
            now=now,
            location_id=location.id,
        )
        return location.id


def update_location(*, editor: Editor, location_id: int, now: datetime, **typed) -> None:
    """Change a location's name, address, zone, hours (and how early before opening walk-ins may join, how
    long before closing they stop, how many days ahead bookings are taken), languages, display message and
    fairness rule."""
    values = rules.location_values(**typed)
    with transaction() as tx:
        location = managed_location(tx.session, editor, location_id)
        _slug_free(tx.session, Location, values["slug"], own_id=location.id)
        changes = rules.diff(_location_snapshot(location), values)
        _apply_location(location, values)
        record(
            tx.session,
            editor,
            entity="location",
            entity_id=location.id,
            label=location.name,
            action="update",
            changes=changes,
            now=now,
            location_id=location.id,
        )
        # Displays and tablets refresh on a service change; no location event exists, so say it per service.
        if changes:
            for service in location.services:
                tx.record(ServiceChanged(service_id=service.id, location_id=location.id))


def _switch_mode_audited(
    location: Location,
    *,
    mode: str,
    service_id: int | None,
    hybrid_share: float | None,
    work: Callable[[Session], None],
) -> None:
    """Switch modes through the appointments use case, with `work` (the rest and the audit) in its commit."""
    from qserve.appointments.services import switch_mode

    with joined_to_next_commit(work):
        switch_mode(location_slug=location.slug, mode=mode, service_id=service_id, hybrid_share=hybrid_share)


def change_mode(*, editor: Editor, location_id: int, mode: str, hybrid_share: str, now: datetime) -> None:
    """Switch a location between queue, appointments and hybrid; waiting customers keep their places."""
    if mode not in rules.MODES:
        raise ValidationFailed("choose queue, appointments or hybrid", field="mode")
    share = None
    if mode == "hybrid":
        percent = rules.check_int(hybrid_share, field="hybrid_share", low=0, high=100, blank=50)
        share = percent / 100
    with read_session() as session:
        location = managed_location(session, editor, location_id)
        before = {"mode": location.mode, "hybrid_share": _hybrid_share(location)}
        services = [s.id for s in location.services]

    def audit(session: Session) -> None:
        after = {"mode": mode} | ({"hybrid_share": share} if share is not None else {})
        record(
            session,
            editor,
            entity="location",
            entity_id=location.id,
            label=location.name,
            action="update",
            changes=rules.diff(before, after),
            now=now,
            location_id=location.id,
        )

    _switch_mode_audited(location, mode=mode, service_id=None, hybrid_share=share, work=audit)
    _publish([ServiceChanged(service_id=s, location_id=location.id) for s in services])


def _hybrid_share(location: Location) -> float | None:
    return ((location.settings or {}).get("appointments") or {}).get("hybrid_share")


def _publish(events: list[DomainEvent]) -> None:
    """Publish events of a change committed inside another package's transaction."""
    current_app.extensions["qserve.bus"].after_commit(events)


# --- services -------------------------------------------------------------------------------------------


def service_values(
    *,
    languages: list[str],
    names: dict[str, str],
    prefix: str,
    duration_min: str,
    daily_cap: str,
    is_open: bool,
    position: str = "0",
    question_rows: list[dict] | None = None,
) -> dict:
    """Check a service's settings as typed and return them in the stored shape."""
    clean_names = {lang: (names.get(lang) or "").strip()[:200] for lang in languages}
    if not clean_names[languages[0]]:
        raise ValidationFailed(
            "name the service at least in the first language", field=f"name_{languages[0]}"
        )
    code = (prefix or "").strip().upper()
    if not rules.PREFIX.match(code):
        raise ValidationFailed("use one to three capital letters A-Z", field="prefix")
    values = {
        "names": {lang: text for lang, text in clean_names.items() if text},
        "prefix": code,
        "default_duration_s": rules.check_int(duration_min, field="duration_min", low=1, high=480, blank=5)
        * 60,
        "daily_cap": rules.check_int(daily_cap, field="daily_cap", low=1, high=100000),
        "is_open": bool(is_open),
        "position": rules.check_int(position, field="position", low=0, high=999, blank=0),
    }
    if question_rows is not None:
        values["questions"] = validate_questions(
            question_rules.parse_questions(question_rows, languages=languages)
        )
    return values


def _prefix_free(session: Session, location_id: int, prefix: str, own_id: int | None) -> None:
    query = select(Service.id).where(Service.location_id == location_id, Service.prefix == prefix)
    other = session.scalar(query)
    if other is not None and other != own_id:
        raise Conflict("another service of this location uses this prefix", field="prefix")


def create_service(*, editor: Editor, location_id: int, now: datetime, **typed) -> int:
    """Add a service (a queue) to a location and return its id."""
    with transaction() as tx:
        location = managed_location(tx.session, editor, location_id)
        values = service_values(languages=location.languages or ["en"], **typed)
        _prefix_free(tx.session, location.id, values["prefix"], None)
        service = Service(location_id=location.id, questions=[], **values)
        tx.session.add(service)
        tx.session.flush()
        record(
            tx.session,
            editor,
            entity="service",
            entity_id=service.id,
            label=service.name(),
            action="create",
            changes={k: [None, v] for k, v in values.items()},
            now=now,
            location_id=location.id,
        )
        tx.record(ServiceChanged(service_id=service.id, location_id=location.id))
        return service.id


def update_service(*, editor: Editor, service_id: int, mode: str, now: datetime, **typed) -> None:
    """Change a service's names, prefix, duration, cap, state, order, questions and own mode."""
    if mode not in (*rules.MODES, "inherit"):
        raise ValidationFailed("choose a mode", field="mode")
    with read_session() as session:
        service = session.get(Service, service_id)
        if service is None:
            raise NotFound("no such service")
        location = managed_location(session, editor, service.location_id)
        values = service_values(languages=location.languages or ["en"], **typed)
        location_id, old_mode = location.id, service.mode or "inherit"

    def apply(session: Session) -> None:
        row = session.get(Service, service_id)
        _prefix_free(session, location_id, values["prefix"], row.id)
        languages = location.languages
        values["names"] = rules.with_hidden_languages(values["names"], row.names, languages)
        if "questions" in values:
            values["questions"] = question_rules.keep_stored_texts(
                values["questions"], row.questions, languages
            )
        changes = rules.diff(_snapshot(row, SERVICE_FIELDS) | {"mode": old_mode}, values | {"mode": mode})
        _apply(row, values)
        record(
            session,
            editor,
            entity="service",
            entity_id=row.id,
            label=row.name(),
            action="update",
            changes=changes,
            now=now,
            location_id=location_id,
        )

    event = ServiceChanged(service_id=service_id, location_id=location_id)
    if mode != old_mode:
        _switch_mode_audited(location, mode=mode, service_id=service_id, hybrid_share=None, work=apply)
        _publish([event])
        return
    with transaction() as tx:
        apply(tx.session)
        tx.record(event)


# --- counters -------------------------------------------------------------------------------------------


def _counter_services(session: Session, location: Location, service_ids: list[int]) -> list[Service]:
    wanted = rules.check_ids(service_ids, field="service_ids")
    chosen = [s for s in location.services if s.id in wanted]
    if len(chosen) != len(wanted):
        raise ValidationFailed("choose services of this location", field="service_ids")
    return chosen


def save_counter(
    *,
    editor: Editor,
    location_id: int,
    counter_id: int | None,
    name: str,
    service_ids: list[int],
    now: datetime,
) -> int:
    """Create a counter, or rename one and choose the services it serves; return its id."""
    label = rules.check_name(name, limit=64)
    with transaction() as tx:
        location = managed_location(tx.session, editor, location_id)
        services = _counter_services(tx.session, location, service_ids)
        clash = tx.session.scalar(
            select(Counter.id).where(Counter.location_id == location.id, Counter.name == label)
        )
        if clash is not None and clash != counter_id:
            raise Conflict("another counter has this name", field="name")
        counter = (
            tx.session.get(Counter, counter_id)
            if counter_id
            else Counter(location_id=location.id, name=label)
        )
        if counter is None or counter.location_id != location.id:
            raise NotFound("no such counter at this location")
        before = (
            {"name": counter.name, "service_ids": sorted(s.id for s in counter.services)}
            if counter_id
            else {}
        )
        counter.name, counter.services = label, services
        tx.session.add(counter)
        tx.session.flush()
        after = {"name": label, "service_ids": sorted(s.id for s in services)}
        record(
            tx.session,
            editor,
            entity="counter",
            entity_id=counter.id,
            label=label,
            action="update" if counter_id else "create",
            changes=rules.diff(before, after),
            now=now,
            location_id=location.id,
        )
        tx.record(CounterChanged(counter_id=counter.id, location_id=location.id, is_open=counter.is_open))
        return counter.id


# --- kiosks ---------------------------------------------------------------------------------------------


def kiosk_values(*, name: str, slug: str, is_active: bool, form: dict, languages: list[str]) -> dict:
    """Check a kiosk's name, address, printer and offers as typed and return them in the stored shape."""
    chosen = [lang for lang in rules.LANGUAGES if lang in set(languages or [])]
    return {
        "name": rules.check_name(name),
        "slug": rules.check_slug(slug),
        "is_active": bool(is_active),
        "printer": rules.parse_printer(form),
        "settings": {
            "offers_assistance": bool(form.get("offers_assistance")),
            "camera_check_in": bool(form.get("camera_check_in")),
            "languages": chosen or list(rules.LANGUAGES),
        },
    }


def save_kiosk(*, editor: Editor, location_id: int, kiosk_id: int | None, now: datetime, **typed) -> int:
    """Create or change a kiosk and its printer; return its id."""
    values = kiosk_values(**typed)
    with transaction() as tx:
        location = managed_location(tx.session, editor, location_id)
        _slug_free(tx.session, Kiosk, values["slug"], own_id=kiosk_id, location_id=location.id)
        kiosk = tx.session.get(Kiosk, kiosk_id) if kiosk_id else Kiosk(location_id=location.id)
        if kiosk is None or kiosk.location_id != location.id:
            raise NotFound("no such kiosk at this location")
        before = {k: getattr(kiosk, k) for k in values} if kiosk_id else {}
        values["settings"] = dict(kiosk.settings or {}) | values["settings"]  # keep timings set elsewhere
        _apply(kiosk, values)
        tx.session.add(kiosk)
        tx.session.flush()
        record(
            tx.session,
            editor,
            entity="kiosk",
            entity_id=kiosk.id,
            label=kiosk.name,
            action="update" if kiosk_id else "create",
            changes=rules.diff(before, values),
            now=now,
            location_id=location.id,
        )
        return kiosk.id
