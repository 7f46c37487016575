"""Texts of the administration pages in the four interface languages (like qserve.insights.texts)."""

from __future__ import annotations

from flask_babel import get_locale

from qserve.admin import texts_en, texts_fi, texts_pl, texts_sv
from qserve.domain.errors import Conflict, QServeError

LANGUAGES = ("en", "fi", "sv", "pl")
TEXTS: dict[str, dict[str, str]] = {
    "en": texts_en.TEXTS,
    "fi": texts_fi.TEXTS,
    "sv": texts_sv.TEXTS,
    "pl": texts_pl.TEXTS,
}


def language() -> str:
    """Return the page language chosen by the app's locale selector (English when unknown)."""
    chosen = str(get_locale() or "en")
    return chosen if chosen in LANGUAGES else "en"


def text(key: str) -> str:
    """Return a text of the administration pages in the page language (the key itself if missing)."""
    return TEXTS[language()].get(key) or TEXTS["en"].get(key) or key


FIELD_LABELS = {
    "names": "name",
    "default_duration_s": "duration_min",
    "service_ids": "serves",
    "is_active": "active",
    "location_ids": "works_at",
    "password": "new_password",
    "fairness": "fairness",
    "join_before_opening_s": "join_before_opening_min",
    "stop_joining_before_closing_s": "stop_joining_before_closing_min",
    "hybrid_share": "hybrid_share",
    "time_left_s": "time_left_min",
    "reminders_s": "reminders_h",
    "feedback_delay_s": "feedback_delay_min",
    "feedback": "send_feedback_request",
    "push": "channel_push",
    "sms": "channel_sms",
    "active": "may_sign_in",
}


def field_label(field: str) -> str:
    """Name a changed field of the audit log in the page language (the field itself when unnamed)."""
    key = FIELD_LABELS.get(field, field)
    return TEXTS[language()].get(key) or field


def _error_key(error: QServeError) -> str:
    field = (error.field or "").split(".")[0]
    if field.startswith("hours_"):
        field = "hours"
    elif field.startswith("printer_"):
        field = "printer"
    elif field.startswith("name_"):
        field = "name_lang"
    return f"err_{field}" + ("_taken" if isinstance(error, Conflict) else "")


def error_text(error: QServeError) -> str:
    """Say what is wrong with a field: the detailed message in English, a translated one otherwise."""
    lang = language()
    if lang == "en":
        return error.message[:1].upper() + error.message[1:]
    return TEXTS[lang].get(_error_key(error)) or error.message
