"""Appointments: a booked slot, its short booking code, and the per-slot load rows that enforce capacity."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from qserve.models.base import Base
from qserve.models.organization import Location, Service

APPOINTMENT_STATUSES = ("booked", "checked_in", "cancelled", "no_show")


class Appointment(Base):
    """A customer's booking of one slot of a service; becomes a ticket when they check in."""

    __tablename__ = "appointments"
    __table_args__ = (
        Index("ix_appointments_due", "status", "starts_at"),
        Index("ix_appointments_slot", "service_id", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)  # typed at a kiosk, stored without dashes
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"), index=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id"))
    starts_at: Mapped[datetime]
    duration_s: Mapped[int]
    status: Mapped[str] = mapped_column(String(16), default="booked")

    name: Mapped[str | None] = mapped_column(String(200), default=None)
    phone: Mapped[str | None] = mapped_column(String(32), default=None, index=True)
    email: Mapped[str | None] = mapped_column(String(254), default=None)
    language: Mapped[str] = mapped_column(String(8), default="en")
    answers: Mapped[dict] = mapped_column(default=dict)

    booked_at: Mapped[datetime]
    checked_in_at: Mapped[datetime | None] = mapped_column(default=None)
    check_in_outcome: Mapped[str | None] = mapped_column(String(16), default=None)  # keep_slot / walk_in
    cancelled_at: Mapped[datetime | None] = mapped_column(default=None)
    no_show_at: Mapped[datetime | None] = mapped_column(default=None)
    reschedule_count: Mapped[int] = mapped_column(default=0)
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"), default=None)

    location: Mapped[Location] = relationship(lazy="joined", innerjoin=True)
    service: Mapped[Service] = relationship(lazy="joined", innerjoin=True)


class SlotLoad(Base):
    """How many places are taken at one start time in one scope ("service:7" or "location:3").

    Booking raises `taken` with one conditional UPDATE (`WHERE taken < capacity`), so two customers
    racing for the last place cannot both win, on SQLite and on PostgreSQL.
    """

    __tablename__ = "appointment_slot_loads"

    scope: Mapped[str] = mapped_column(String(32), primary_key=True)
    starts_at: Mapped[datetime] = mapped_column(primary_key=True)
    taken: Mapped[int] = mapped_column(default=0)
