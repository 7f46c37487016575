"""Words printed on a ticket, in the kiosk languages (en, fi, sv, pl)."""

from __future__ import annotations

from datetime import datetime

from qserve.formats import Figures

DEFAULT_LANGUAGE = "en"

LABELS: dict[str, dict[str, str]] = {
    "en": {
        "your_number": "Your number",
        "ahead_none": "You are next",
        "ahead_one": "{count} person ahead of you",
        "ahead_other": "{count} people ahead of you",
        "estimated_wait": "Estimated wait",
        "wait_range": "about {span}",
        "wait_single": "about {minutes}",
        "wait_up_to": "up to {minutes}",
        "wait_under": "under a minute",
        "follow": "Follow your turn on your phone",
        "appointment": "Your appointment: {time}",
        "appointment_late": "You arrived after your booked time ({time}), so you are now served "
        "in order of arrival.",
        "datetime": "{date} {clock}",
        "date": "%Y-%m-%d",
    },
    "fi": {
        "your_number": "Vuoronumerosi",
        "ahead_none": "Olet seuraavana vuorossa",
        "ahead_one": "{count} asiakas ennen sinua",
        "ahead_other": "{count} asiakasta ennen sinua",
        "estimated_wait": "Arvioitu odotusaika",
        "wait_range": "noin {span}",
        "wait_single": "noin {minutes}",
        "wait_up_to": "enintään {minutes}",
        "wait_under": "alle minuutti",
        "follow": "Seuraa vuoroasi puhelimella",
        "appointment": "Varattu aikasi: klo {time}",
        "appointment_late": "Saavuit varatun aikasi (klo {time}) jälkeen, joten sinut palvellaan nyt "
        "saapumisjärjestyksessä.",
        "datetime": "{date} klo {clock}",
        "date": "%d.%m.%Y",
    },
    "sv": {
        "your_number": "Ditt nummer",
        "ahead_none": "Du är näst på tur",
        "ahead_one": "{count} person före dig",
        "ahead_other": "{count} personer före dig",
        "estimated_wait": "Beräknad väntetid",
        "wait_range": "cirka {span}",
        "wait_single": "cirka {minutes}",
        "wait_up_to": "upp till {minutes}",
        "wait_under": "under en minut",
        "follow": "Följ din tur i mobilen",
        "appointment": "Din bokade tid: kl. {time}",
        "appointment_late": "Du kom efter din bokade tid (kl. {time}) och betjänas därför nu "
        "i ankomstordning.",
        "datetime": "{date} {clock}",
        "date": "%Y-%m-%d",
    },
    "pl": {
        "your_number": "Twój numer",
        "ahead_none": "Nikt nie czeka przed Tobą",
        "ahead_one": "{count} osoba przed Tobą",
        "ahead_few": "{count} osoby przed Tobą",
        "ahead_other": "{count} osób przed Tobą",
        "estimated_wait": "Szacowany czas oczekiwania",
        "wait_range": "około {span}",
        "wait_single": "około {minutes}",
        "wait_up_to": "do {minutes}",
        "wait_under": "poniżej minuty",
        "follow": "Śledź swoją kolejkę w telefonie",
        "appointment": "Twoja rezerwacja: {time}",
        "appointment_late": "Przybycie zgłoszono po zarezerwowanej godzinie ({time}), więc obsługa "
        "odbywa się teraz w kolejności przybycia.",
        "datetime": "{date}, {clock}",
        "date": "%d.%m.%Y",
    },
}


def labels_for(language: str) -> dict[str, str]:
    """Return the label table for a language, falling back to English."""
    return LABELS.get(language.split("-")[0].lower(), LABELS[DEFAULT_LANGUAGE])


def _plural_key(language: str, count: int) -> str:
    if count == 0:
        return "ahead_none"
    if count == 1:
        return "ahead_one"
    if language == "pl" and count % 10 in (2, 3, 4) and count % 100 not in (12, 13, 14):
        return "ahead_few"
    return "ahead_other"


def format_people_ahead(count: int, language: str) -> str:
    """Say how many people are ahead, with the language's plural form."""
    labels = labels_for(language)
    key = _plural_key(language.split("-")[0].lower(), count)
    return labels.get(key, labels["ahead_other"]).format(count=count)


def _minutes(seconds: int) -> int:
    return (max(seconds, 0) + 30) // 60


def format_wait(wait_p10_s: int | None, wait_p90_s: int | None, language: str) -> str | None:
    """Say the estimated wait range ("about 10–20 min", "about 1 h 30 min – 2 h"), or None when there is
    no estimate."""
    if wait_p10_s is None and wait_p90_s is None:
        return None
    labels = labels_for(language)
    low = _minutes(wait_p10_s if wait_p10_s is not None else wait_p90_s or 0)
    high = max(_minutes(wait_p90_s if wait_p90_s is not None else wait_p10_s or 0), low)
    if high == 0:
        return labels["wait_under"]
    figures = _figures(language)
    if low == high:
        return labels["wait_single"].format(minutes=figures.wait(high))
    if low == 0:
        return labels["wait_up_to"].format(minutes=figures.wait(high))
    return labels["wait_range"].format(span=figures.wait_span(low, high))


def _figures(language: str) -> Figures:
    return Figures(language.split("-")[0].lower())  # a kiosk may be set to "fi-FI"


def _clock(moment: datetime, language: str) -> str:
    # The one clock form of each language, as every page writes it ("9.05" in Finnish, "09:05" otherwise).
    return _figures(language).clock(moment)


def format_issued_at(issued_at: datetime, language: str) -> str:
    """Format the issue time the way the language writes dates and clock times."""
    labels = labels_for(language)
    return labels["datetime"].format(
        date=issued_at.strftime(labels["date"]), clock=_clock(issued_at, language)
    )


def format_appointment(starts_at: datetime | None, language: str) -> str | None:
    """Say a checked-in booking's slot in local time ("Your appointment: 14:30"), or None for a walk-in."""
    if starts_at is None:
        return None
    labels = labels_for(language)
    return labels["appointment"].format(time=_clock(starts_at, language))


def format_late_booking(booked_at: datetime | None, language: str) -> str | None:
    """Say that a booking checked in after its grace period now waits in order of arrival, or None."""
    if booked_at is None:
        return None
    return labels_for(language)["appointment_late"].format(time=_clock(booked_at, language))
