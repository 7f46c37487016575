"""Organizations, their locations, services (queues) and counters."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, ForeignKey, String, Table, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from qserve.domain.texts import in_language
from qserve.models.base import Base

counter_services = Table(
    "counter_services",
    Base.metadata,
    Column("counter_id", ForeignKey("counters.id", ondelete="CASCADE"), primary_key=True),
    Column("service_id", ForeignKey("services.id", ondelete="CASCADE"), primary_key=True),
)


class Organization(Base):
    """A company or public body running one or more locations."""

    __tablename__ = "organizations"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    retention_days: Mapped[int] = mapped_column(default=30)
    settings: Mapped[dict] = mapped_column(default=dict)

    locations: Mapped[list[Location]] = relationship(back_populates="organization", order_by="Location.id")


class Location(Base):
    """A physical service point with its own time zone, hours and mode."""

    __tablename__ = "locations"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    time_zone: Mapped[str] = mapped_column(String(64), default="UTC")
    # {"mon": [["08:00", "16:00"]], ..., "exceptions": {"2026-12-24": []}}
    opening_hours: Mapped[dict] = mapped_column(default=dict)
    mode: Mapped[str] = mapped_column(String(16), default="queue")
    languages: Mapped[list] = mapped_column(default=lambda: ["en"])
    display_message: Mapped[str] = mapped_column(String(500), default="")
    fairness: Mapped[dict] = mapped_column(default=dict)
    settings: Mapped[dict] = mapped_column(default=dict)

    organization: Mapped[Organization] = relationship(back_populates="locations")
    services: Mapped[list[Service]] = relationship(back_populates="location", order_by="Service.position")
    counters: Mapped[list[Counter]] = relationship(back_populates="location", order_by="Counter.id")


class Service(Base):
    """A queue at a location: names per language, ticket prefix, duration and cap."""

    __tablename__ = "services"
    __table_args__ = (UniqueConstraint("location_id", "prefix"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"), index=True)
    names: Mapped[dict] = mapped_column(default=dict)
    prefix: Mapped[str] = mapped_column(String(3))
    default_duration_s: Mapped[int] = mapped_column(default=300)
    daily_cap: Mapped[int | None] = mapped_column(default=None)
    is_open: Mapped[bool] = mapped_column(default=True)
    mode: Mapped[str | None] = mapped_column(String(16), default=None)
    questions: Mapped[list] = mapped_column(default=list)
    position: Mapped[int] = mapped_column(default=0)

    location: Mapped[Location] = relationship(back_populates="services")

    def name(self, language: str = "en") -> str:
        """Return the service's name in a language, falling back to English or any name."""
        return in_language(self.names, language) or self.prefix


class Counter(Base):
    """A desk or room where staff serve some of a location's services."""

    __tablename__ = "counters"
    __table_args__ = (UniqueConstraint("location_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"), index=True)
    name: Mapped[str] = mapped_column(String(64))
    is_open: Mapped[bool] = mapped_column(default=False)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    opened_at: Mapped[datetime | None] = mapped_column(default=None)
    # Services the counter serves today (chosen by staff at sign-in); empty means all it can serve.
    active_service_ids: Mapped[list] = mapped_column(default=list)

    location: Mapped[Location] = relationship(back_populates="counters")
    services: Mapped[list[Service]] = relationship(
        secondary=counter_services, order_by="Service.position", lazy="selectin"
    )

    def serving_service_ids(self) -> set[int]:
        """Return the ids of the services this counter calls from now."""
        return serving_ids({service.id for service in self.services}, self.active_service_ids)


def serving_ids(possible: set[int], active: list[int] | None) -> set[int]:
    """Return the services a counter calls from: those chosen for today among the ones it serves, or all of
    them when none is chosen."""
    return (set(active or []) & possible) or possible
