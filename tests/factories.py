"""Factory helpers for tests: make_location(**overrides), make_ticket(**overrides) and friends."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

from werkzeug.security import generate_password_hash

from qserve.db import transaction
from qserve.domain.actors import Actor
from qserve.models import Counter, Location, Organization, Service, User

_ids = itertools.count(1)
PASSWORD = "password-123"


class Factory:
    """Create rows with sensible defaults; every argument can be overridden."""

    def organization(self, **overrides) -> int:
        """Create an organization and return its id."""
        n = next(_ids)
        with transaction() as tx:
            org = Organization(**({"slug": f"org{n}", "name": f"Org {n}"} | overrides))
            tx.session.add(org)
            tx.session.flush()
            return org.id

    def location(
        self, *, organization_id: int | None = None, services: int = 2, counters: int = 2, **overrides
    ) -> dict:
        """Create a location with services A, B ... and counters serving all of them; return their ids."""
        organization_id = organization_id or self.organization()
        n = next(_ids)
        with transaction() as tx:
            location = Location(
                **(
                    {
                        "organization_id": organization_id,
                        "slug": f"loc{n}",
                        "name": f"Location {n}",
                        "time_zone": "Europe/Helsinki",
                        "languages": ["en", "fi", "sv", "pl"],
                    }
                    | overrides
                )
            )
            tx.session.add(location)
            tx.session.flush()
            made = [
                Service(
                    location_id=location.id,
                    prefix=chr(ord("A") + i),
                    position=i,
                    names={"en": f"Service {chr(ord('A') + i)}"},
                    default_duration_s=300,
                )
                for i in range(services)
            ]
            tx.session.add_all(made)
            tx.session.flush()
            desks = [
                Counter(location_id=location.id, name=str(i + 1), services=list(made))
                for i in range(counters)
            ]
            tx.session.add_all(desks)
            tx.session.flush()
            return {
                "id": location.id,
                "slug": location.slug,
                "organization_id": organization_id,
                "service_ids": [s.id for s in made],
                "counter_ids": [c.id for c in desks],
            }

    def user(
        self, *, organization_id: int, location_ids: list[int] | None = None, role: str = "staff", **overrides
    ) -> dict:
        """Create a user with the test password and return its id, e-mail and actor."""
        n = next(_ids)
        with transaction() as tx:
            locations = [tx.session.get(Location, i) for i in (location_ids or [])]
            user = User(
                **(
                    {
                        "organization_id": organization_id,
                        "name": f"User {n}",
                        "email": f"user{n}@example.org",
                        "role": role,
                        "password_hash": generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000"),
                        "locations": locations,
                    }
                    | overrides
                )
            )
            tx.session.add(user)
            tx.session.flush()
            actor = Actor(
                kind="staff",
                user_id=user.id,
                role=role,
                organization_id=organization_id,
                location_ids=None if role != "staff" else frozenset(location_ids or []),
            )
            return {"id": user.id, "email": user.email, "actor": actor}

    def ticket(
        self, *, location: dict, service_index: int = 0, now: datetime | None = None, **overrides
    ) -> int:
        """Issue a ticket at a location made by `location()` and return its id."""
        from qserve.services.tickets import issue_ticket

        arguments = {
            "location_slug": location["slug"],
            "service_id": location["service_ids"][service_index],
            "now": now or datetime.now(UTC),
        } | overrides
        return issue_ticket(**arguments)


def seed_staffed_location(database_url: str, *, counters: int) -> tuple[dict, dict, str]:
    """Create, in a database a server process will use, a location with one service and `counters`
    counters, a staff member working there and their API token; return the three (for benchmarks and tests
    that run servers of their own)."""
    from qserve import create_app
    from qserve.config import TestConfig
    from qserve.services.accounts import create_token

    app = create_app(TestConfig(database_url=database_url))
    with app.app_context():
        factory = Factory()
        location = factory.location(services=1, counters=counters)
        staff = factory.user(organization_id=location["organization_id"], location_ids=[location["id"]])
        token = create_token(email=staff["email"], now=datetime.now(UTC))
    app.extensions["qserve.db"].dispose()
    return location, staff, token
