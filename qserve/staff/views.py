"""Plain-data views for the staff pages and the waiting-room display."""

from __future__ import annotations

from datetime import datetime

from flask_babel import force_locale, gettext
from sqlalchemy import select
from sqlalchemy.orm import Session

from qserve.domain.actors import Actor
from qserve.models import Location
from qserve.services.locations import location_by_slug, waiting_counts
from qserve.services.queue import serving_counters
from qserve.staff.services import recent_calls

# Fallback voice language when none of the location's languages has the announcement translated.
SPEECH_FALLBACK = "en"


def visible_locations(session: Session, actor: Actor) -> list[Location]:
    """Return the locations a staff member may work at, in a stable order."""
    query = select(Location).where(Location.organization_id == actor.organization_id).order_by(Location.id)
    if actor.location_ids is not None:
        query = query.where(Location.id.in_(list(actor.location_ids)))
    return list(session.scalars(query))


def primary_language(location: Location) -> str:
    """Return the language a location's display is written in."""
    return (location.languages or [SPEECH_FALLBACK])[0]


def display_state(session: Session, *, slug: str, now: datetime) -> dict:
    """Return everything a waiting-room display shows: latest calls, waiting counts, the message line."""
    location = location_by_slug(session, slug)
    counts = waiting_counts(session, location_id=location.id)
    language = primary_language(location)
    return {
        "location": location.slug,
        "name": location.name,
        "time_zone": location.time_zone,
        "languages": list(location.languages or [SPEECH_FALLBACK]),
        "message": location.display_message or "",
        "services": [
            {
                "id": s.id,
                "name": s.name(language),
                "names": s.names,
                "prefix": s.prefix,
                "is_open": s.is_open,
                "waiting": counts.get(s.id, 0),
            }
            for s in location.services
        ],
        "counters_open": len(serving_counters(session, location_id=location.id)),
        "calls": recent_calls(session, location=location, now=now),
        "server_time": now.isoformat(),
    }


def announcements(languages: list[str]) -> list[dict]:
    """Return the spoken call in each of a location's languages that has it translated.

    Speaking the English sentence with, say, a Finnish voice helps nobody: an untranslated language is
    left out, and when none is translated the English sentence is spoken once with an English voice.
    """
    english = "Ticket %(number)s, counter %(counter)s"
    spoken = []
    for language in languages:
        with force_locale(language):
            text = gettext("Ticket %(number)s, counter %(counter)s")
        if text != english or language.startswith(SPEECH_FALLBACK):
            spoken.append({"lang": language, "text": text})
    return spoken or [{"lang": SPEECH_FALLBACK, "text": english}]
