"""Users, passwords and API tokens."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from qserve.db import transaction
from qserve.domain.actors import Actor
from qserve.domain.contact import normalize_email
from qserve.domain.errors import Conflict, NotFound, Unauthorized, ValidationFailed
from qserve.models import ROLES, ApiToken, Location, Organization, User

MIN_PASSWORD = 8


def hash_token(token: str) -> str:
    """Return the stored form of an API token."""
    return hashlib.sha256(token.encode()).hexdigest()


def create_user(
    *,
    organization_slug: str,
    name: str,
    email: str,
    password: str,
    role: str = "staff",
    location_slugs: list[str] | None = None,
) -> int:
    """Create a user of an organization and return their id."""
    if role not in ROLES:
        raise ValidationFailed(f"role must be one of {list(ROLES)}", field="role")
    if len(password or "") < MIN_PASSWORD:
        raise ValidationFailed(f"a password needs at least {MIN_PASSWORD} characters", field="password")
    email = normalize_email(email)
    if not email:
        raise ValidationFailed("an e-mail address is needed", field="email")
    with transaction() as tx:
        organization = tx.session.scalar(select(Organization).where(Organization.slug == organization_slug))
        if organization is None:
            raise NotFound(f"no organization called {organization_slug!r}")
        if tx.session.scalar(select(User.id).where(User.email == email)):
            raise Conflict("a user with this e-mail exists", field="email")
        locations = list(tx.session.scalars(select(Location).where(Location.slug.in_(location_slugs or []))))
        if len(locations) != len(set(location_slugs or [])):
            raise NotFound("some of these locations do not exist", field="locations")
        user = User(
            organization_id=organization.id,
            name=name,
            email=email,
            role=role,
            password_hash=generate_password_hash(password),
            locations=locations,
        )
        tx.session.add(user)
        tx.session.flush()
        return user.id


def create_token(*, email: str, now: datetime, name: str = "") -> str:
    """Create an API token for a user and return it; only its hash is kept."""
    with transaction() as tx:
        user = tx.session.scalar(select(User).where(User.email == email))
        if user is None:
            raise NotFound(f"no user with e-mail {email!r}")
        token = "qs_" + secrets.token_urlsafe(32)
        tx.session.add(ApiToken(user_id=user.id, token_hash=hash_token(token), name=name, created_at=now))
        return token


def user_for_token(session: Session, token: str) -> User:
    """Return the active user behind a bearer token or raise Unauthorized."""
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(token)))
    if row is None or row.revoked_at is not None or not row.user.active:
        raise Unauthorized("this token is not valid")
    return row.user


def check_login(session: Session, *, email: str, password: str) -> User:
    """Return the user whose e-mail and password match, or raise Unauthorized."""
    user = session.scalar(select(User).where(User.email == (email or "").strip()))
    if user is None or not user.active or not check_password_hash(user.password_hash, password or ""):
        raise Unauthorized("wrong e-mail or password")
    return user


def actor_for(user: User) -> Actor:
    """Return the actor a signed-in user acts as, with the locations they may act on."""
    locations = None if user.role in ("manager", "admin") else frozenset(loc.id for loc in user.locations)
    return Actor(
        kind="staff",
        user_id=user.id,
        role=user.role,
        organization_id=user.organization_id,
        location_ids=locations,
    )
