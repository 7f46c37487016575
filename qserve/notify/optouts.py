"""SMS opt-outs: a number that answered STOP (or that the provider reports unsubscribed) gets no SMS."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from qserve.models.notify import SmsOptOut


def remember_opt_out(session: Session, *, phone: str, now: datetime, source: str = "keyword") -> None:
    """Record that a number wants no more SMS (idempotent)."""
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    session.execute(
        insert(SmsOptOut.__table__)
        .values(phone=phone, created_at=now, source=source)
        .on_conflict_do_nothing(index_elements=["phone"])
    )


def forget_opt_out(session: Session, *, phone: str) -> None:
    """Let a number receive SMS again (it answered START)."""
    session.execute(delete(SmsOptOut).where(SmsOptOut.phone == phone))


def is_opted_out(session: Session, phone: str) -> bool:
    """Tell whether a number opted out of SMS."""
    return session.scalar(select(SmsOptOut.id).where(SmsOptOut.phone == phone)) is not None
