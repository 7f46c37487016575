"""Demo data: one organization, two locations in different time zones, staff, and weeks of history."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import insert, select
from werkzeug.security import generate_password_hash

from qserve.db import transaction, utcnow
from qserve.domain.numbering import format_number
from qserve.models import (
    Counter,
    FeedbackAnswer,
    Location,
    Organization,
    Service,
    Ticket,
    TicketEvent,
    TicketNumberCounter,
    User,
)

PASSWORD = "queue-demo-1"
WEEKDAY_HOURS = [["08:00", "18:00"]]
HOURS = {day: WEEKDAY_HOURS for day in ("mon", "tue", "wed", "thu", "fri")} | {"sat": [["10:00", "14:00"]]}


@dataclass(frozen=True)
class ServiceSpec:
    prefix: str
    names: dict
    duration_s: int
    arrivals_per_hour: float
    questions: tuple = ()
    mode: str | None = None  # None: as its location; "hybrid": bookable too


ACCOUNTS = ServiceSpec(
    "A",
    {"en": "Accounts and cards", "fi": "Tilit ja kortit", "sv": "Konton och kort", "pl": "Konta i karty"},
    420,
    9.0,
)
LOANS = ServiceSpec(
    "L",
    {"en": "Loans", "fi": "Lainat", "sv": "Lån", "pl": "Kredyty"},
    900,
    3.0,
    (
        {
            "id": "purpose",
            "type": "choice",
            "required": True,
            "label": {
                "en": "What is the loan for?",
                "fi": "Mihin laina on?",
                "sv": "Vad är lånet till?",
                "pl": "Na co jest kredyt?",
            },
            "options": [
                {
                    "value": "home",
                    "label": {"en": "Home", "fi": "Asunto", "sv": "Bostad", "pl": "Mieszkanie"},
                },
                {"value": "car", "label": {"en": "Car", "fi": "Auto", "sv": "Bil", "pl": "Samochód"}},
                {"value": "other", "label": {"en": "Other", "fi": "Muu", "sv": "Annat", "pl": "Inne"}},
            ],
        },
        {
            "id": "existing_customer",
            "type": "yesno",
            "required": False,
            "label": {
                "en": "Are you already our customer?",
                "fi": "Oletko jo asiakkaamme?",
                "sv": "Är du redan kund hos oss?",
                "pl": "Czy jesteś już naszym klientem?",
            },
        },
    ),
    mode="hybrid",  # loan advice by appointment, or walk in and wait
)
CASH = ServiceSpec(
    "C",
    {
        "en": "Cash and quick errands",
        "fi": "Käteinen ja pikaasiat",
        "sv": "Kontanter och snabbärenden",
        "pl": "Gotówka i szybkie sprawy",
    },
    180,
    12.0,
)

LOCATIONS = [
    {
        "slug": "helsinki",
        "name": "Helsinki Centre",
        "time_zone": "Europe/Helsinki",
        "languages": ["fi", "sv", "en"],
        "region": "FI",
        "services": [ACCOUNTS, LOANS, CASH],
        "counters": {"1": "ALC", "2": "AC", "3": "AC", "4": "L"},
    },
    {
        "slug": "warsaw",
        "name": "Warszawa Mokotów",
        "time_zone": "Europe/Warsaw",
        "languages": ["pl", "en"],
        "region": "PL",
        "services": [ACCOUNTS, LOANS, CASH],
        "counters": {"1": "AC", "2": "ACL", "3": "L"},
        "load": 0.6,
    },
]


def load_demo(*, days: int = 21, seed: int = 7, now: datetime | None = None) -> list[tuple[str, str, str]]:
    """Create the demo organization with its history and return (email, password, role) logins."""
    now = now or utcnow()
    rng = random.Random(seed)
    with transaction() as tx:
        if tx.session.scalar(select(Organization).where(Organization.slug == "demo")):
            return _logins()
        org = Organization(slug="demo", name="Demo Bank", retention_days=30)
        tx.session.add(org)
        tx.session.flush()
        locations = [_location(tx.session, org, spec) for spec in LOCATIONS]
        users = _users(tx.session, org, locations)
        for location, spec in zip(locations, LOCATIONS, strict=True):
            staff = [u for u in users if u.role == "staff" and location in u.locations]
            _history(tx.session, location, spec, staff, rng=rng, days=days, now=now)
        _add_kiosks(tx.session)
    _book_coming_days(now=now, rng=rng)
    return _logins()


def _add_kiosks(session) -> None:
    """Give every location an entrance kiosk printing to `qserve printer-sim --port 9100`."""
    from qserve.kiosk.demo import add_demo_kiosks

    add_demo_kiosks(session)


def _book_coming_days(*, now: datetime, rng: random.Random) -> None:
    """Book customers into the bookable services' slots of the coming week."""
    from qserve.appointments.demo import book_demo_days

    book_demo_days(now=now, rng=rng)


def _logins() -> list[tuple[str, str, str]]:
    return [
        ("admin@demo.qserve", PASSWORD, "admin"),
        ("manager@demo.qserve", PASSWORD, "manager"),
        ("anna@demo.qserve", PASSWORD, "staff"),
        ("bartek@demo.qserve", PASSWORD, "staff"),
    ]


def _location(session, org: Organization, spec: dict) -> Location:
    location = Location(
        organization_id=org.id,
        slug=spec["slug"],
        name=spec["name"],
        time_zone=spec["time_zone"],
        opening_hours=HOURS,
        mode="queue",
        languages=spec["languages"],
        display_message="",
        fairness={"kind": "max_in_row", "max_in_row": 2},
        settings={"phone_region": spec["region"], "no_show_grace_s": 30, "max_postpones": 2},
    )
    session.add(location)
    session.flush()
    by_prefix = {}
    for position, service_spec in enumerate(spec["services"]):
        service = Service(
            location_id=location.id,
            names=service_spec.names,
            prefix=service_spec.prefix,
            default_duration_s=service_spec.duration_s,
            questions=list(service_spec.questions),
            position=position,
            daily_cap=300,
            mode=service_spec.mode,
        )
        session.add(service)
        by_prefix[service_spec.prefix] = service
    for name, prefixes in spec["counters"].items():
        session.add(Counter(location_id=location.id, name=name, services=[by_prefix[p] for p in prefixes]))
    session.flush()
    return location


def _users(session, org: Organization, locations: list[Location]) -> list[User]:
    password_hash = generate_password_hash(PASSWORD)
    rows = [
        ("Ada Admin", "admin@demo.qserve", "admin", locations),
        ("Mikko Manager", "manager@demo.qserve", "manager", locations),
        ("Anna Virtanen", "anna@demo.qserve", "staff", [locations[0]]),
        ("Erik Lindqvist", "erik@demo.qserve", "staff", [locations[0]]),
        ("Bartek Nowak", "bartek@demo.qserve", "staff", [locations[1]]),
        ("Zofia Wiśniewska", "zofia@demo.qserve", "staff", [locations[1]]),
    ]
    users = [
        User(
            organization_id=org.id,
            name=name,
            email=email,
            role=role,
            password_hash=password_hash,
            locations=list(locs),
        )
        for name, email, role, locs in rows
    ]
    session.add_all(users)
    session.flush()
    return users


def _history(session, location: Location, spec: dict, staff: list[User], *, rng, days: int, now: datetime):
    """Simulate past days: arrivals by hour, counters serving in call order, no-shows and cancellations."""
    zone = ZoneInfo(location.time_zone)
    today = now.astimezone(zone).date()
    services = {s.prefix: s for s in location.services}
    counters = list(location.counters)
    for offset in range(days, 0, -1):
        day = today - timedelta(days=offset)
        hours = HOURS.get(day.strftime("%a").lower())
        if not hours:
            continue
        _simulate_day(session, location, day, hours[0], services, counters, staff, spec, rng, zone)


def _simulate_day(session, location, day: date, hours, services, counters, staff, spec, rng, zone):
    opening = datetime.combine(day, time.fromisoformat(hours[0]), zone).astimezone(UTC)
    closing = datetime.combine(day, time.fromisoformat(hours[1]), zone).astimezone(UTC)
    arrivals = []
    for service_spec in spec["services"]:
        moment = opening
        while True:
            hour_factor = 1.6 if moment.astimezone(zone).hour in (11, 12, 16) else 1.0
            rate = service_spec.arrivals_per_hour * hour_factor * spec.get("load", 1.0)
            moment += timedelta(hours=rng.expovariate(rate))
            if moment >= closing - timedelta(minutes=20):
                break
            arrivals.append((moment, services[service_spec.prefix]))
    arrivals.sort(key=lambda item: item[0])
    free_at = {c.id: opening for c in counters}
    clerk = {c.id: staff[i % len(staff)] for i, c in enumerate(counters)}
    sequences: dict[int, int] = {}
    tickets, events = [], []
    for joined_at, service in arrivals:
        sequences[service.id] = sequences.get(service.id, 0) + 1
        able = [c for c in counters if service in c.services]
        counter = min(able, key=lambda c: free_at[c.id])
        called_at = max(joined_at, free_at[counter.id]) + timedelta(seconds=rng.uniform(5, 40))
        # What a queueing estimate would have announced: the real wait blurred, so accuracy reports have data.
        announced_s = int((called_at - joined_at).total_seconds() * rng.lognormvariate(0, 0.35))
        outcome = rng.choices(["done", "no_show", "cancelled"], weights=[92, 5, 3])[0]
        speed = 0.8 + 0.4 * (clerk[counter.id].id % 3) / 2
        duration = rng.lognormvariate(0, 0.45) * service.default_duration_s * speed
        row = _ticket_row(
            location,
            service,
            day,
            sequences[service.id],
            joined_at,
            called_at,
            counter,
            clerk[counter.id],
            outcome,
            duration,
            rng,
        )
        row |= {
            "joined_estimate_p10_s": int(announced_s * 0.6),
            "joined_estimate_p50_s": announced_s,
            "joined_estimate_p90_s": int(announced_s * 1.6) + 60,
        }
        if outcome != "cancelled":
            free_at[counter.id] = row["finished_at"] or called_at + timedelta(seconds=60)
        tickets.append(row)
    if not tickets:
        return
    ids = session.execute(insert(Ticket).returning(Ticket.id), tickets).scalars().all()
    for ticket_id, row in zip(ids, tickets, strict=True):
        events.extend(_event_rows(ticket_id, row))
    session.execute(insert(TicketEvent), events)
    answers = [_feedback_row(ticket_id, row, rng) for ticket_id, row in zip(ids, tickets, strict=True)]
    answers = [answer for answer in answers if answer]
    if answers:
        session.execute(insert(FeedbackAnswer), answers)
    for service_id, last in sequences.items():
        session.add(TicketNumberCounter(service_id=service_id, service_day=day, last_number=last))


def _ticket_row(
    location, service, day, sequence, joined_at, called_at, counter, clerk, outcome, duration, rng
):
    started = called_at + timedelta(seconds=rng.uniform(15, 60)) if outcome == "done" else None
    finished = started + timedelta(seconds=duration) if started else None
    closed = finished or (
        called_at + timedelta(seconds=90)
        if outcome == "no_show"
        else joined_at + timedelta(minutes=rng.uniform(2, 15))
    )
    return {
        "public_token": f"demo-{location.slug}-{service.prefix}-{day.isoformat()}-{sequence}",
        "location_id": location.id,
        "service_id": service.id,
        "issued_service_id": service.id,
        "service_day": day,
        "sequence": sequence,
        "number": format_number(service.prefix, sequence),
        "channel": rng.choice(["kiosk", "kiosk", "remote", "remote", "staff"]),
        "priority": 0,
        "status": outcome,
        "language": "en",
        "answers": {},
        "notes": "",
        "joined_at": joined_at,
        "queued_at": joined_at,
        "called_at": called_at if outcome != "cancelled" else None,
        "serving_started_at": started,
        "finished_at": finished,
        "closed_at": closed,
        "counter_id": counter.id if outcome != "cancelled" else None,
        "served_by_id": clerk.id if outcome != "cancelled" else None,
        "cancelled_by": "customer" if outcome == "cancelled" else None,
        "version": 1,
        "recall_count": 0,
        "postpone_count": 0,
    }


def _feedback_row(ticket_id: int, row: dict, rng) -> dict | None:
    """About a third of served visits answer the feedback form; long waits rate lower."""
    if row["status"] != "done" or rng.random() > 0.35:
        return None
    wait_s = (row["called_at"] - row["joined_at"]).total_seconds()
    mood = 4.6 - min(wait_s / 900, 2.2) + rng.gauss(0, 0.6)
    rating = max(1, min(5, round(mood)))
    recommendation = max(0, min(10, round(mood * 2 + rng.gauss(0, 1)))) if rng.random() < 0.6 else None
    return {
        "ticket_id": ticket_id,
        "location_id": row["location_id"],
        "service_id": row["service_id"],
        "counter_id": row["counter_id"],
        "served_by_id": row["served_by_id"],
        "wait_s": int(wait_s),
        "service_s": int((row["finished_at"] - row["serving_started_at"]).total_seconds()),
        "rating": rating,
        "recommendation": recommendation,
        "choices": {},
        "texts": {},
        "language": row["language"],
        "submitted_at": row["finished_at"] + timedelta(minutes=rng.uniform(1, 30)),
    }


def _event_rows(ticket_id: int, row: dict) -> list[dict]:
    base = {
        "ticket_id": ticket_id,
        "location_id": row["location_id"],
        "service_id": row["service_id"],
        "details": {},
        "actor_user_id": None,
        "counter_id": None,
    }
    steps = [("issue", None, "waiting", row["joined_at"], "customer")]
    if row["status"] == "cancelled":
        steps.append(("cancel", "waiting", "cancelled", row["closed_at"], "customer"))
    else:
        steps.append(("call", "waiting", "called", row["called_at"], "staff"))
        if row["status"] == "no_show":
            steps.append(("no-show", "called", "no_show", row["closed_at"], "staff"))
        else:
            steps.append(("start", "called", "serving", row["serving_started_at"], "staff"))
            steps.append(("finish", "serving", "done", row["finished_at"], "staff"))
    staff_fields = {"actor_user_id": row["served_by_id"], "counter_id": row["counter_id"]}
    return [
        base
        | {"action": a, "from_status": f, "to_status": t, "at": at, "actor_kind": kind}
        | (staff_fields if kind == "staff" else {})
        for a, f, t, at, kind in steps
    ]
