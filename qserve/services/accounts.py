"""Users, passwords and API tokens."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from sqlalchemy import func, select
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
    with transaction() as tx:
        organization = tx.session.scalar(select(Organization).where(Organization.slug == organization_slug))
        if organization is None:
            raise NotFound(f"no organization called {organization_slug!r}")
        locations = list(tx.session.scalars(select(Location).where(Location.slug.in_(location_slugs or []))))
        if len(locations) != len(set(location_slugs or [])):
            raise NotFound("some of these locations do not exist", field="locations")
        return add_user(
            tx.session,
            organization_id=organization.id,
            name=name,
            email=email,
            password=password,
            role=role,
            locations=locations,
        ).id


def check_new_password(password: str) -> None:
    """Raise ValidationFailed unless a password is long enough."""
    if len(password or "") < MIN_PASSWORD:
        raise ValidationFailed(f"a password needs at least {MIN_PASSWORD} characters", field="password")


def add_user(
    session: Session,
    *,
    organization_id: int,
    name: str,
    email: str,
    password: str,
    role: str,
    locations: list[Location],
) -> User:
    """Add a user to the caller's transaction after checking role, password and a free e-mail address."""
    if role not in ROLES:
        raise ValidationFailed(f"role must be one of {list(ROLES)}", field="role")
    check_new_password(password)
    email = normalize_email(email)
    if not email:
        raise ValidationFailed("an e-mail address is needed", field="email")
    # The same mailbox in other letter case is the same person, not a second account.
    if session.scalar(select(User.id).where(func.lower(User.email) == email.lower())):
        raise Conflict("a user with this e-mail exists", field="email")
    user = User(
        organization_id=organization_id,
        name=name,
        email=email,
        role=role,
        password_hash=generate_password_hash(password),
        locations=locations,
    )
    session.add(user)
    session.flush()
    return user


def set_password(user: User, password: str) -> None:
    """Give a user a new password (only its hash is kept)."""
    check_new_password(password)
    user.password_hash = generate_password_hash(password)


def create_token(*, email: str, now: datetime, name: str = "") -> str:
    """Create an API token for a user and return it; only its hash is kept."""
    with transaction() as tx:
        user = user_by_email(tx.session, email)
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


def user_by_email(session: Session, email: str | None) -> User | None:
    """Return the user of an e-mail address in any letter case (one mailbox, one account: add_user refuses
    a second); where accounts made before that rule differ in case only, the exact spelling alone."""
    typed = (email or "").strip()
    users = list(session.scalars(select(User).where(func.lower(User.email) == typed.lower())))
    exact = [user for user in users if user.email == typed]
    return exact[0] if exact else users[0] if len(users) == 1 else None


def check_login(session: Session, *, email: str, password: str) -> User:
    """Return the user whose e-mail and password match, or raise Unauthorized."""
    user = user_by_email(session, email)
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
