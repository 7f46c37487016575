"""What the kiosk page shows: its services with live waits, texts and settings."""

from __future__ import annotations

from datetime import datetime

from flask import url_for
from sqlalchemy.orm import Session

from qserve.domain.texts import in_language
from qserve.formats import Figures, opening_day
from qserve.kiosk.kiosks import settings_of
from qserve.kiosk.texts import LANGUAGE_NAMES, SPEECH_LOCALES, TEXTS, texts_for
from qserve.models.kiosk import Kiosk
from qserve.printing.labels import format_wait
from qserve.services.locations import services_with_waits
from qserve.services.opening import hours_span, walk_in_refusal


def kiosk_services(session: Session, kiosk: Kiosk, *, now: datetime) -> list[dict]:
    """Return the kiosk's services with their names and expected waits in each of its languages."""
    languages = settings_of(kiosk).languages
    views = services_with_waits(session, kiosk.location, language="en", now=now)
    services = []
    for view in views:
        if view["mode"] == "appointments":  # booked customers check in instead
            continue
        wait = view["estimated_wait"]
        services.append(
            {
                "id": view["id"],
                "prefix": view["prefix"],
                "is_open": view["is_open"],
                "waiting": view["waiting"],
                "names": {lang: view["names"].get(lang) or view["name"] for lang in languages},
                "wait_texts": {lang: format_wait(wait["p10_s"], wait["p90_s"], lang) for lang in languages},
                "questions": [kiosk_question(question, languages) for question in view["questions"] or []],
            }
        )
    return services


def closed_notice(kiosk: Kiosk, *, now: datetime) -> dict | None:
    """Return, while the kiosk's location takes no walk-ins (closed, and not yet within its early window
    before opening), when it opens next and the sentence saying so in each of the kiosk's languages; None
    while walk-ins may join. Booked customers still check in meanwhile."""
    location = kiosk.location
    refusal = walk_in_refusal(location, hours_span(location, now), now)
    if refusal is None:
        return None
    opens_at = refusal.opens_at
    return {
        "opens_at": opens_at.isoformat() if opens_at else None,
        "last_call": refusal.last_call,  # open, but past the last call before closing
        "texts": {
            lang: opening_sentence(opens_at, now, lang, last_call=refusal.last_call)
            for lang in settings_of(kiosk).languages
        },
    }


def opening_sentence(
    opens_at: datetime | None, now: datetime, language: str, *, last_call: bool = False
) -> str:
    """Say that the location is closed and when it opens ("Closed now. Opens tomorrow at 08:00."), or, past
    its last call, that it gives no new tickets until then, in the location's own time (`opens_at` carries
    its zone)."""
    words = TEXTS["en"] | TEXTS.get(language, {})
    kind = "last_call" if last_call else "opens"
    if opens_at is None:
        return words["last_call_no_opening" if last_call else "closed_no_opening"]
    clock = Figures(language).clock(opens_at)
    day = opening_day(opens_at, now, language)
    if day in ("today", "tomorrow"):
        return words[f"{kind}_{day}"].format(time=clock)
    return words[f"{kind}_on"].format(day=day, time=clock)


def _labels(value: object, languages: tuple[str, ...]) -> dict[str, str]:
    """Return a label ({"en": ..., "fi": ...} or plain text) in each language, English filling any gap."""
    return {lang: in_language(value, lang) for lang in languages}


def kiosk_question(question: dict, languages: tuple[str, ...]) -> dict:
    """Return a service's question as the kiosk asks it, with its words in each of the kiosk's languages."""
    options = [item if isinstance(item, dict) else {"value": item} for item in question.get("options") or []]
    return {
        "id": question["id"],
        "type": question["type"],
        "required": bool(question.get("required")),
        "labels": _labels(question.get("label"), languages),
        "options": [
            {"value": option["value"], "labels": _labels(option.get("label", option["value"]), languages)}
            for option in options
        ],
    }


def kiosk_state(session: Session, kiosk: Kiosk, *, now: datetime) -> dict:
    """Return everything the kiosk page starts from."""
    settings = settings_of(kiosk)
    location = kiosk.location
    urls = {
        name: url_for(f"kiosk_api.{name}", location_slug=location.slug, kiosk_slug=kiosk.slug)
        for name in ("services", "issue", "check_in")
    }
    urls["print_state"] = url_for(
        "kiosk_api.print_status", location_slug=location.slug, kiosk_slug=kiosk.slug, token="TOKEN"
    )
    return {
        "location": {"slug": location.slug, "name": location.name, "time_zone": location.time_zone},
        "kiosk": {"slug": kiosk.slug, "name": kiosk.name, "has_printer": bool(kiosk.printer)},
        "settings": settings.as_dict(),
        "texts": texts_for(settings.languages),
        "language_names": {lang: LANGUAGE_NAMES[lang] for lang in settings.languages},
        "speech_locales": {lang: SPEECH_LOCALES[lang] for lang in settings.languages},
        "services": kiosk_services(session, kiosk, now=now),
        "closed": closed_notice(kiosk, now=now),
        "urls": urls,
    }
