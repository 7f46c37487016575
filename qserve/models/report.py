"""Report e-mails a manager asked for: which locations, how often, to whom, and what was sent last."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from qserve.models.base import Base


class ReportSchedule(Base):
    """A PDF report of some locations e-mailed every morning (the day before) or every Monday (the week)."""

    __tablename__ = "report_schedules"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    frequency: Mapped[str] = mapped_column(String(8))  # daily or weekly
    recipients: Mapped[list] = mapped_column(default=list)
    location_ids: Mapped[list] = mapped_column(default=list)
    target_min: Mapped[float] = mapped_column(default=10.0)
    language: Mapped[str] = mapped_column(String(8), default="en")
    time_zone: Mapped[str] = mapped_column(String(64), default="UTC")  # when "06:00" and "yesterday" are
    created_at: Mapped[datetime]
    last_period_end: Mapped[date | None] = mapped_column(default=None)  # the last period sent (or skipped)
    last_sent_at: Mapped[datetime | None] = mapped_column(default=None)
    last_error: Mapped[str | None] = mapped_column(String(500), default=None)
