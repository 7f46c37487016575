"""Kiosks: walk-in touchscreens at a location, each with its own ticket printer."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from qserve.models.base import Base
from qserve.models.organization import Location


class Kiosk(Base):
    """A touchscreen that issues walk-in tickets and prints them on its printer."""

    __tablename__ = "kiosks"
    __table_args__ = (UniqueConstraint("location_id", "slug", name="uq_kiosks_location_slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id", ondelete="CASCADE"), index=True)
    slug: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    is_active: Mapped[bool] = mapped_column(default=True)
    # {"kind": "network", "host": "10.0.0.5", "port": 9100, "profile": "TM-T88V"}, or kind usb (vendor_id,
    # product_id), serial (device, baudrate) or file (path); {} when the kiosk has no printer.
    printer: Mapped[dict] = mapped_column(default=dict)
    # online, paper_near_end, paper_out, cover_open, offline, unknown, job_failed, misconfigured
    printer_status: Mapped[str] = mapped_column(String(16), default="unknown")
    printer_status_at: Mapped[datetime | None] = mapped_column(default=None)
    printer_message: Mapped[str | None] = mapped_column(String(500), default=None)
    # {"offers_assistance": bool, "assistance_priority": 1, "idle_reset_s": 45, "result_s": 10,
    #  "print_expiry_s": 900, "languages": ["en", "fi", "sv", "pl"], "camera_check_in": bool}
    settings: Mapped[dict] = mapped_column(default=dict)

    location: Mapped[Location] = relationship()
