"""The audit trail: who changed which piece of configuration, when, and from what to what."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from qserve.models.base import Base

AUDIT_ACTIONS = ("create", "update", "delete")


class AuditEntry(Base):
    """One configuration change made through the administration pages.

    `changes` is {field: [old, new]}; it never holds passwords, hashes or customers' personal data.
    """

    __tablename__ = "audit_entries"
    __table_args__ = (Index("ix_audit_entries_organization_changed", "organization_id", "changed_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    location_id: Mapped[int | None] = mapped_column(
        ForeignKey("locations.id", ondelete="SET NULL"), default=None, index=True
    )
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), default=None)
    user_name: Mapped[str] = mapped_column(String(200), default="")  # kept when the account goes
    changed_at: Mapped[datetime]
    entity_type: Mapped[str] = mapped_column(String(32))
    entity_id: Mapped[int | None] = mapped_column(default=None)
    entity_label: Mapped[str] = mapped_column(String(200), default="")
    action: Mapped[str] = mapped_column(String(16))
    changes: Mapped[dict] = mapped_column(default=dict)
