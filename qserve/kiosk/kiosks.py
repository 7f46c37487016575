"""Finding kiosks and reading their settings."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from qserve.domain.errors import NotFound
from qserve.models import Location
from qserve.models.kiosk import Kiosk

KIOSK_LANGUAGES = ("en", "fi", "sv", "pl")


@dataclass(frozen=True)
class KioskSettings:
    """What a kiosk offers and how long its screens stay."""

    offers_assistance: bool = False
    assistance_priority: int = 1
    idle_reset_s: int = 45
    result_s: int = 10
    print_expiry_s: int = 900
    languages: tuple[str, ...] = KIOSK_LANGUAGES
    default_language: str = "en"
    camera_check_in: bool = False

    def as_dict(self) -> dict:
        """Return the settings the kiosk page needs."""
        return {
            "offers_assistance": self.offers_assistance,
            "idle_reset_s": self.idle_reset_s,
            "result_s": self.result_s,
            "languages": list(self.languages),
            "default_language": self.default_language,
            "camera_check_in": self.camera_check_in,
        }


def settings_of(kiosk: Kiosk) -> KioskSettings:
    """Read a kiosk's settings, falling back to its location's and then to defaults."""
    own, location = kiosk.settings or {}, kiosk.location
    shared = location.settings or {}
    languages = tuple(lang for lang in own.get("languages", KIOSK_LANGUAGES) if lang in KIOSK_LANGUAGES)
    languages = languages or KIOSK_LANGUAGES
    preferred = [lang for lang in (location.languages or []) if lang in languages]
    return KioskSettings(
        offers_assistance=bool(own.get("offers_assistance", shared.get("offers_assistance", False))),
        assistance_priority=int(own.get("assistance_priority", shared.get("assistance_priority", 1))),
        idle_reset_s=max(5, int(own.get("idle_reset_s", 45))),
        result_s=max(2, int(own.get("result_s", 10))),
        print_expiry_s=max(30, int(own.get("print_expiry_s", 900))),
        languages=languages,
        default_language=preferred[0] if preferred else languages[0],
        camera_check_in=bool(own.get("camera_check_in", False)),
    )


def kiosk_at(session: Session, location_slug: str, kiosk_slug: str) -> Kiosk:
    """Return an active kiosk by its location's slug and its own, or raise NotFound."""
    kiosk = session.scalar(
        select(Kiosk)
        .join(Location, Location.id == Kiosk.location_id)
        .where(Location.slug == location_slug, Kiosk.slug == kiosk_slug, Kiosk.is_active.is_(True))
    )
    if kiosk is None:
        raise NotFound(f"no kiosk {kiosk_slug!r} at {location_slug!r}")
    return kiosk


def kiosks_of(session: Session, location_id: int) -> list[Kiosk]:
    """Return a location's kiosks in a stable order."""
    return list(session.scalars(select(Kiosk).where(Kiosk.location_id == location_id).order_by(Kiosk.id)))


def public_printer_config(config: dict) -> dict:
    """Return the parts of a printer config that staff may see (where it is, not any secrets)."""
    keep = ("kind", "host", "port", "vendor_id", "product_id", "device", "path", "profile")
    return {key: config[key] for key in keep if key in config}
