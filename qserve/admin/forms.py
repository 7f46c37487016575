"""Between HTML forms and the use cases: read what was typed, and fill forms from stored rows.

A form is a plain dict of what the page shows; after an error it is rebuilt from the request, so the page
keeps everything that was typed.
"""

from __future__ import annotations

import re

from werkzeug.datastructures import MultiDict

from qserve.admin import question_rules, rules
from qserve.appointments.slots import DEFAULT_HORIZON_DAYS, horizon_days
from qserve.models import Kiosk, Location, Service

LIST_FIELDS = ("languages", "service_ids", "location_ids", "sms_kinds")
QUESTION_FIELD = re.compile(r"^q-(\d+)-(id|type|required|label|options)(?:-([a-z]{2}))?$")
FEEDBACK_FIELD = re.compile(r"^f-(\d+)-(key|kind|texts|choices)(?:-([a-z]{2}))?$")


def typed(form: MultiDict) -> dict:
    """Return what a form sent as a dict, with the multi-valued fields as lists."""
    values = {key: form.get(key, "") for key in form}
    for key in LIST_FIELDS:
        values[key] = form.getlist(key)
    return values


def _rows(form: MultiDict, pattern: re.Pattern, nested: tuple[str, ...]) -> list[dict]:
    rows: dict[int, dict] = {}
    for key in form:
        match = pattern.match(key)
        if not match:
            continue
        index, name, lang = int(match[1]), match[2], match[3]
        row = rows.setdefault(index, {name: {} for name in nested})
        if lang and name in nested:
            row[name][lang] = form.get(key, "")
        else:
            row[name] = form.get(key, "")
    return [rows[i] for i in sorted(rows)]


def question_rows(form: MultiDict) -> list[dict]:
    """Return the pre-visit question editor's rows in page order."""
    return _rows(form, QUESTION_FIELD, ("label", "options"))


def feedback_rows(form: MultiDict) -> list[dict]:
    """Return the feedback question editor's rows in page order."""
    return _rows(form, FEEDBACK_FIELD, ("texts", "choices"))


# --- locations ------------------------------------------------------------------------------------------


def location_form(location: Location | None) -> dict:
    """Return a location's settings as the form shows them."""
    if location is None:
        return {
            "time_zone": "Europe/Helsinki",
            "languages": ["en"],
            "fairness_kind": "strict",
            "join_before_opening_min": 0,
            "stop_joining_before_closing_min": 0,
            "booking_horizon_days": DEFAULT_HORIZON_DAYS,
        }
    hours = location.opening_hours or {}
    fairness = location.fairness or {}
    return {
        "name": location.name,
        "slug": location.slug,
        "time_zone": location.time_zone,
        "languages": list(location.languages or []),
        "display_message": location.display_message or "",
        "exceptions": rules.format_exceptions(hours.get("exceptions")),
        "join_before_opening_min": int((location.settings or {}).get("join_before_opening_s") or 0) // 60,
        "stop_joining_before_closing_min": int(
            (location.settings or {}).get("stop_joining_before_closing_s") or 0
        )
        // 60,
        "booking_horizon_days": horizon_days(location.settings),
        "fairness_kind": fairness.get("kind", "strict"),
        "fairness_max_in_row": fairness.get("max_in_row", 3),
        "fairness_credit_min": int(fairness.get("credit_s", 600)) // 60,
        "mode": location.mode,
        "hybrid_share": round(100 * float(_hybrid(location) if _hybrid(location) is not None else 0.5)),
    } | {f"hours_{day}": rules.format_spans(hours.get(day)) for day in rules.WEEKDAYS}


def _hybrid(location: Location) -> float | None:
    return ((location.settings or {}).get("appointments") or {}).get("hybrid_share")


def location_arguments(values: dict) -> dict:
    """Return the keyword arguments of create_location/update_location from a sent form."""
    return {
        "name": values.get("name", ""),
        "slug": values.get("slug", ""),
        "time_zone": values.get("time_zone", ""),
        "weekday_hours": {day: values.get(f"hours_{day}", "") for day in rules.WEEKDAYS},
        "exceptions": values.get("exceptions", ""),
        "join_before_opening_min": values.get("join_before_opening_min", ""),
        "stop_joining_before_closing_min": values.get("stop_joining_before_closing_min", ""),
        "booking_horizon_days": values.get("booking_horizon_days", ""),
        "languages": values.get("languages", []),
        "display_message": values.get("display_message", ""),
        "fairness": {
            "kind": values.get("fairness_kind", ""),
            "max_in_row": values.get("fairness_max_in_row"),
            "credit_min": values.get("fairness_credit_min"),
        },
    }


# --- services -------------------------------------------------------------------------------------------


def service_form(service: Service | None, languages: list[str]) -> dict:
    """Return a service's settings as the form shows them."""
    if service is None:
        return {"duration_min": 5, "is_open": "1", "questions": [], "mode": "inherit"}
    return {
        "prefix": service.prefix,
        "duration_min": max(1, service.default_duration_s // 60),
        "daily_cap": service.daily_cap or "",
        "is_open": "1" if service.is_open else "",
        "position": service.position,
        "mode": service.mode or "inherit",
        "questions": question_rules.question_rows(service.questions, languages),
    } | {f"name_{lang}": service.names.get(lang, "") for lang in languages}


def service_arguments(values: dict, languages: list[str], *, with_questions: bool, rows: list[dict]) -> dict:
    """Return the keyword arguments of create_service/update_service from a sent form."""
    arguments = {
        "names": {lang: values.get(f"name_{lang}", "") for lang in languages},
        "prefix": values.get("prefix", ""),
        "duration_min": values.get("duration_min", ""),
        "daily_cap": values.get("daily_cap", ""),
        "is_open": bool(values.get("is_open")),
        "position": values.get("position", "0"),
    }
    if with_questions:
        arguments["question_rows"] = rows
    return arguments


# --- kiosks ---------------------------------------------------------------------------------------------


def kiosk_form(kiosk: Kiosk | None) -> dict:
    """Return a kiosk's settings as the form shows them."""
    if kiosk is None:
        return {"is_active": "1", "printer_kind": "none", "languages": list(rules.LANGUAGES)}
    printer, settings = kiosk.printer or {}, kiosk.settings or {}
    return {
        "name": kiosk.name,
        "slug": kiosk.slug,
        "is_active": "1" if kiosk.is_active else "",
        "printer_kind": printer.get("kind", "none"),
        "offers_assistance": "1" if settings.get("offers_assistance") else "",
        "camera_check_in": "1" if settings.get("camera_check_in") else "",
        "languages": list(settings.get("languages") or rules.LANGUAGES),
    } | {f"printer_{key}": value for key, value in printer.items() if key != "kind"}


# --- notifications and feedback -------------------------------------------------------------------------


def notification_form(settings: dict) -> dict:
    """Return a location's notification settings (defaults filled in) as the form shows them."""
    sms_kinds = settings.get("sms_kinds")
    return {
        "push": "1" if settings["push"] else "",
        "sms": "1" if settings["sms"] else "",
        "email": "1" if settings["email"] else "",
        "position_thresholds": ", ".join(str(p) for p in settings["position_thresholds"]),
        "time_left_min": ", ".join(str(int(s) // 60) for s in settings["time_left_s"]),
        "reminders_h": ", ".join(str(int(s) // 3600) for s in settings["reminders_s"]),
        "feedback": "1" if settings["feedback"] else "",
        "feedback_delay_min": int(settings["feedback_delay_s"] or 0) // 60,
        "no_show_warning_at_recall": settings["no_show_warning_at_recall"] or 0,
        "sms_all_kinds": "1" if sms_kinds is None else "",
        "sms_kinds": list(sms_kinds or []),
    }


def feedback_form(config: dict) -> dict:
    """Return a feedback form's configuration as the editor shows it."""
    return {
        "enabled": "1" if config.get("enabled") else "",
        "ask_recommendation": "1" if config.get("ask_recommendation") else "",
        "valid_hours": config.get("valid_hours", 72),
        "questions": question_rules.feedback_rows(config.get("questions")),
    } | {f"title_{lang}": (config.get("title") or {}).get(lang, "") for lang in rules.LANGUAGES}


def feedback_config(values: dict, rows: list[dict]) -> dict:
    """Return the feedback form configuration a sent editor describes (validated by the use case)."""
    title = {lang: values.get(f"title_{lang}", "").strip() for lang in rules.LANGUAGES}
    hours = rules.check_int(values.get("valid_hours"), field="valid_hours", low=1, high=720, blank=72)
    config = {
        "enabled": bool(values.get("enabled")),
        "ask_recommendation": bool(values.get("ask_recommendation")),
        "valid_hours": hours,
        "questions": question_rules.parse_feedback_questions(rows),
    }
    if any(title.values()):
        config["title"] = {lang: text for lang, text in title.items() if text}
    return config
