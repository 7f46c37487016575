"""Tickets, their daily number counters and their append-only event log."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from qserve.models.base import Base
from qserve.models.organization import Counter, Location, Service

# The tickets that a plain newcomer's place depends on the clock or the fairness rule for.
SPECIAL_IN_LINE = "appointment_at IS NOT NULL OR priority <> 0"


class TicketNumberCounter(Base):
    """The last number handed out for one service on one service day (locked by an upsert)."""

    __tablename__ = "ticket_number_counters"

    service_id: Mapped[int] = mapped_column(ForeignKey("services.id", ondelete="CASCADE"), primary_key=True)
    service_day: Mapped[date] = mapped_column(primary_key=True)
    last_number: Mapped[int] = mapped_column(default=0)


class Ticket(Base):
    """One customer's visit, from joining to done, no-show or cancelled."""

    __tablename__ = "tickets"
    __table_args__ = (
        UniqueConstraint("issued_service_id", "service_day", "sequence", name="uq_tickets_number_per_day"),
        UniqueConstraint("location_id", "idempotency_key", name="uq_tickets_idempotency_key"),
        # Covers the hot queries of the line (positions, call order) without touching the table.
        Index("ix_tickets_waiting", "service_id", "status", "queued_at", "priority", "appointment_at"),
        Index("ix_tickets_location_status", "location_id", "status"),
        # A join's count of the line (qserve.services.queue.line_census): those newer than an id are a range
        # of this index, and the few appointments and priority tickets waiting sit in a partial index of
        # their own, so only the plain count steps through a long line.
        Index("ix_tickets_line", "service_id", "status", "id"),
        Index(
            "ix_tickets_line_special",
            "service_id",
            "status",
            "priority",
            "appointment_at",
            sqlite_where=text(SPECIAL_IN_LINE),
            postgresql_where=text(SPECIAL_IN_LINE),
        ),
        # The last calls of a location (the fairness rule's streak) without sorting its whole history; only
        # tickets that were called, so that a join does not write to it.
        Index(
            "ix_tickets_location_called",
            "location_id",
            "called_at",
            sqlite_where=text("called_at IS NOT NULL"),
            postgresql_where=text("called_at IS NOT NULL"),
        ),
        # One ticket per phone number: only tickets that have one.
        Index(
            "ix_tickets_phone",
            "phone",
            sqlite_where=text("phone IS NOT NULL"),
            postgresql_where=text("phone IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    public_token: Mapped[str] = mapped_column(String(64), unique=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"))
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id"))
    issued_service_id: Mapped[int] = mapped_column(ForeignKey("services.id"))
    service_day: Mapped[date]
    sequence: Mapped[int]
    number: Mapped[str] = mapped_column(String(16))
    channel: Mapped[str] = mapped_column(String(16), default="remote")
    priority: Mapped[int] = mapped_column(default=0)
    status: Mapped[str] = mapped_column(String(16), default="waiting")
    idempotency_key: Mapped[str | None] = mapped_column(String(100), default=None)

    name: Mapped[str | None] = mapped_column(String(200), default=None)
    phone: Mapped[str | None] = mapped_column(String(32), default=None)
    email: Mapped[str | None] = mapped_column(String(254), default=None)
    language: Mapped[str] = mapped_column(String(8), default="en")
    answers: Mapped[dict] = mapped_column(default=dict)
    notes: Mapped[str] = mapped_column(String(2000), default="")

    joined_at: Mapped[datetime]
    queued_at: Mapped[datetime]  # place in line; moved by postpone or transfer to the back
    appointment_at: Mapped[datetime | None] = mapped_column(default=None)
    called_at: Mapped[datetime | None] = mapped_column(default=None)
    serving_started_at: Mapped[datetime | None] = mapped_column(default=None)
    finished_at: Mapped[datetime | None] = mapped_column(default=None)
    closed_at: Mapped[datetime | None] = mapped_column(default=None)

    counter_id: Mapped[int | None] = mapped_column(ForeignKey("counters.id"), default=None)
    served_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    recall_count: Mapped[int] = mapped_column(default=0)
    postpone_count: Mapped[int] = mapped_column(default=0)
    cancelled_by: Mapped[str | None] = mapped_column(String(32), default=None)
    cancel_reason: Mapped[str | None] = mapped_column(String(500), default=None)
    personal_data_erased_at: Mapped[datetime | None] = mapped_column(default=None)
    version: Mapped[int] = mapped_column(default=1)  # optimistic lock: two counters never win the same ticket

    joined_estimate_p10_s: Mapped[int | None] = mapped_column(default=None)
    joined_estimate_p50_s: Mapped[int | None] = mapped_column(default=None)
    joined_estimate_p90_s: Mapped[int | None] = mapped_column(default=None)
    estimate_p10_s: Mapped[int | None] = mapped_column(default=None)
    estimate_p50_s: Mapped[int | None] = mapped_column(default=None)
    estimate_p90_s: Mapped[int | None] = mapped_column(default=None)
    estimate_updated_at: Mapped[datetime | None] = mapped_column(default=None)

    __mapper_args__ = {"version_id_col": version}

    # Views of a ticket always need these three; load them with the ticket.
    location: Mapped[Location] = relationship(lazy="joined", innerjoin=True)
    service: Mapped[Service] = relationship(foreign_keys=[service_id], lazy="joined", innerjoin=True)
    counter: Mapped[Counter | None] = relationship(lazy="joined")

    @property
    def stands_at_back(self) -> bool:
        """Tell whether the ticket's place is simply behind those who came before it: no priority, no
        appointment (so a newcomer of this kind moves nobody else's place)."""
        return self.priority == 0 and self.appointment_at is None

    @property
    def has_contact(self) -> bool:
        """Tell whether the ticket has a phone number or an e-mail address to tell its holder anything by."""
        return bool(self.phone or self.email)


class TicketEvent(Base):
    """One transition of a ticket: who did what, when, from which status to which, at which counter."""

    __tablename__ = "ticket_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"), index=True)
    at: Mapped[datetime] = mapped_column(index=True)
    action: Mapped[str] = mapped_column(String(16))
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16))
    actor_kind: Mapped[str] = mapped_column(String(16))  # staff, customer, kiosk, system
    actor_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    counter_id: Mapped[int | None] = mapped_column(ForeignKey("counters.id"), default=None)
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id"))
    details: Mapped[dict] = mapped_column(default=dict)
