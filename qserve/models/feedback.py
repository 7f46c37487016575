"""Feedback forms (per organization or location) and the one answer a visit may get."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from qserve.models.base import Base


class FeedbackForm(Base):
    """The feedback form of an organization (location_id is None) or of one of its locations."""

    __tablename__ = "feedback_forms"
    __table_args__ = (UniqueConstraint("organization_id", "location_id", name="uq_feedback_forms_scope"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    location_id: Mapped[int | None] = mapped_column(
        ForeignKey("locations.id", ondelete="CASCADE"), default=None
    )
    # {"enabled", "ask_recommendation", "valid_hours", "title": {lang}, "questions": [...]}
    config: Mapped[dict] = mapped_column(default=dict)
    updated_at: Mapped[datetime]
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)


class FeedbackAnswer(Base):
    """A customer's answer to the feedback form, tied to the visit it is about."""

    __tablename__ = "feedback_answers"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), unique=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"), index=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id"))
    counter_id: Mapped[int | None] = mapped_column(ForeignKey("counters.id"), default=None)
    served_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    wait_s: Mapped[int | None] = mapped_column(default=None)
    service_s: Mapped[int | None] = mapped_column(default=None)
    rating: Mapped[int]
    recommendation: Mapped[int | None] = mapped_column(default=None)
    choices: Mapped[dict] = mapped_column(default=dict)  # question key -> choice key (anonymous)
    texts: Mapped[dict] = mapped_column(default=dict)  # question key -> free text (personal, erasable)
    language: Mapped[str] = mapped_column(String(8), default="en")
    submitted_at: Mapped[datetime] = mapped_column(index=True)
    texts_erased_at: Mapped[datetime | None] = mapped_column(default=None)
