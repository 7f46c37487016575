"""Pure checks of what administrators type: slugs, time zones, opening hours, fairness, printers, a
location's whole settings form (questions are qserve.admin.question_rules).

Each function turns form text into the structure the rest of qserve reads, or raises ValidationFailed with
the form field to mark. No database, no clock, no Flask.
"""

from __future__ import annotations

import re
from datetime import date, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from qserve.appointments.slots import DEFAULT_HORIZON_DAYS, HORIZON_DAYS
from qserve.domain.errors import ValidationFailed
from qserve.domain.ordering import FairnessKind, FairnessRule

LANGUAGES = ("en", "fi", "sv", "pl")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MODES = ("queue", "appointments", "hybrid")
PRINTER_KINDS = ("network", "usb", "serial", "file")
SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")
PREFIX = re.compile(r"^[A-Z]{1,3}$")
SPAN = re.compile(r"^\s*(\d{1,2}:\d{2})\s*[-–]\s*(\d{1,2}:\d{2})\s*$")
CLOSED_WORDS = {"closed", "suljettu", "stängt", "zamknięte", "-"}


def check_slug(value: str, *, field: str = "slug") -> str:
    """Return a URL name of lower-case letters, digits and dashes."""
    slug = (value or "").strip().lower()
    if not SLUG.match(slug):
        raise ValidationFailed("use lower-case letters, digits and dashes (at most 64)", field=field)
    return slug


def check_name(value: str, *, field: str = "name", limit: int = 200) -> str:
    """Return a non-empty trimmed name of at most `limit` characters."""
    name = (value or "").strip()
    if not name or len(name) > limit:
        raise ValidationFailed(f"write a name of 1 to {limit} characters", field=field)
    return name


def check_time_zone(value: str) -> str:
    """Return an IANA time zone name that zoneinfo knows, e.g. Europe/Helsinki."""
    name = (value or "").strip()
    if not name or name not in available_timezones():
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ValidationFailed("choose a time zone such as Europe/Helsinki", field="time_zone") from error
    return name


def check_languages(values: list[str]) -> list[str]:
    """Return the chosen languages in the order given (the first is the display's); at least one."""
    chosen = list(dict.fromkeys(values or []))
    if not chosen or any(lang not in LANGUAGES for lang in chosen):
        raise ValidationFailed("choose at least one of the four languages", field="languages")
    return chosen


def check_int(value: object, *, field: str, low: int, high: int, blank: int | None = None) -> int | None:
    """Return a whole number between low and high; a blank gives `blank` (None means not required)."""
    text = str(value if value is not None else "").strip()
    if not text:
        return blank
    try:
        number = int(text)
    except ValueError as error:
        raise ValidationFailed(f"give a whole number from {low} to {high}", field=field) from error
    if not low <= number <= high:
        raise ValidationFailed(f"give a whole number from {low} to {high}", field=field)
    return number


def check_ids(values: list, *, field: str) -> set[int]:
    """Return the row ids ticked in a form; anything else (a tampered form) is a ValidationFailed."""
    texts = [str(value).strip() for value in values]
    if not all(text.isascii() and text.isdigit() and len(text) <= 18 for text in texts):
        raise ValidationFailed("choose from the list", field=field)
    return {int(text) for text in texts}


def with_hidden_languages(edited: dict, stored: object, languages: list[str]) -> dict:
    """Return texts edited in a form's languages with the stored ones in the languages it does not show (a
    location that stops offering a language keeps its texts in it, not silently dropped)."""
    if not isinstance(stored, dict):
        return dict(edited)
    return {lang: text for lang, text in stored.items() if lang not in languages} | edited


def _clock(text: str, field: str, *, closing: bool = False) -> str:
    if closing and text.zfill(5) == "24:00":
        return "24:00"  # open until midnight, as qserve.domain.hours reads it
    try:
        return time.fromisoformat(text.zfill(5)).strftime("%H:%M")
    except ValueError as error:
        raise ValidationFailed(f"{text} is not a time of day (HH:MM)", field=field) from error


def parse_spans(text: str, *, field: str) -> list[list[str]]:
    """Read "08:00-12:00, 13:00-16:00" into [["08:00", "12:00"], ...]; blank or "closed" means closed."""
    text = (text or "").strip()
    if not text or text.lower() in CLOSED_WORDS:
        return []
    spans = []
    for part in re.split(r"[,;]", text):
        match = SPAN.match(part)
        if not match:
            raise ValidationFailed("write hours like 08:00-16:00, several separated by commas", field=field)
        start, end = _clock(match[1], field), _clock(match[2], field, closing=True)
        if end <= start:
            midnight = " (write 24:00 for midnight)" if end == "00:00" else ""
            raise ValidationFailed(
                f"{start}-{end}: the closing time must be after the opening{midnight}", field=field
            )
        spans.append([start, end])
    spans.sort()
    for before, after in zip(spans, spans[1:], strict=False):
        if after[0] < before[1]:
            raise ValidationFailed("opening hours overlap", field=field)
    return spans


def format_spans(spans: list | None) -> str:
    """Write spans back as "08:00-12:00, 13:00-16:00" (empty when closed)."""
    return ", ".join(f"{start}-{end}" for start, end in spans or [])


def parse_exceptions(text: str) -> dict[str, list[list[str]]]:
    """Read one exception per line, "2026-12-24 closed" or "2026-12-31 09:00-13:00", into {date: spans}."""
    exceptions: dict[str, list[list[str]]] = {}
    for number, line in enumerate((text or "").splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        day_text, _, rest = line.partition(" ")
        try:
            day = date.fromisoformat(day_text.rstrip(":"))
        except ValueError as error:
            raise ValidationFailed(
                f"line {number}: start with a date as YYYY-MM-DD", field="exceptions"
            ) from error
        if day.isoformat() in exceptions:
            raise ValidationFailed(f"line {number}: {day} is given twice", field="exceptions")
        exceptions[day.isoformat()] = parse_spans(rest, field="exceptions")
    return dict(sorted(exceptions.items()))


def format_exceptions(exceptions: dict | None) -> str:
    """Write exceptions back one per line."""
    return "\n".join(
        f"{day} {format_spans(spans) or 'closed'}" for day, spans in sorted((exceptions or {}).items())
    )


def parse_opening_hours(weekdays: dict[str, str], exceptions_text: str) -> dict:
    """Build {"mon": [[start, end]], ..., "exceptions": {date: spans}}: a day left blank is closed and left
    out (as the stored hours leave it out); all blank means no fixed hours."""
    parsed = {day: parse_spans(weekdays.get(day, ""), field=f"hours_{day}") for day in WEEKDAYS}
    hours: dict = {day: spans for day, spans in parsed.items() if spans}
    exceptions = parse_exceptions(exceptions_text)
    if not hours and not exceptions:
        return {}
    if exceptions:
        hours["exceptions"] = exceptions
    return hours


def stored_opening_hours(hours: dict | None) -> dict:
    """Return stored opening hours in the shape parse_opening_hours gives (closed weekdays left out), so that
    saving a form unchanged compares equal."""
    return {day: spans for day, spans in (hours or {}).items() if spans}  # also no empty "exceptions"


def location_values(
    *,
    name: str,
    slug: str,
    time_zone: str,
    weekday_hours: dict[str, str],
    exceptions: str,
    languages: list[str],
    display_message: str,
    fairness: dict,
    join_before_opening_min: str = "",
    stop_joining_before_closing_min: str = "",
    booking_horizon_days: str = "",
) -> dict:
    """Check a location's settings as typed and return them in the stored shape (join_before_opening_s,
    stop_joining_before_closing_s and booking_horizon_days are kept in Location.settings: how long before
    opening walk-ins may already join, and before closing they stop, none by default; how many days past
    today bookings are taken, 60 by default)."""
    message = (display_message or "").strip()
    if len(message) > 500:
        raise ValidationFailed("write at most 500 characters", field="display_message")
    return {
        "name": check_name(name),
        "slug": check_slug(slug),
        "time_zone": check_time_zone(time_zone),
        "opening_hours": parse_opening_hours(weekday_hours, exceptions),
        "languages": check_languages(languages),
        "display_message": message,
        "fairness": parse_fairness(
            fairness.get("kind", ""), fairness.get("max_in_row"), fairness.get("credit_min")
        ),
        "join_before_opening_s": 60
        * check_int(join_before_opening_min, field="join_before_opening_min", low=0, high=720, blank=0),
        "stop_joining_before_closing_s": 60
        * check_int(
            stop_joining_before_closing_min, field="stop_joining_before_closing_min", low=0, high=720, blank=0
        ),
        "booking_horizon_days": check_int(
            booking_horizon_days,
            field="booking_horizon_days",
            low=HORIZON_DAYS[0],
            high=HORIZON_DAYS[1],
            blank=DEFAULT_HORIZON_DAYS,
        ),
    }


def parse_fairness(kind: str, max_in_row: object, credit_min: object) -> dict:
    """Return a fairness rule in the shape FairnessRule.from_settings reads."""
    try:
        chosen = FairnessKind(kind or FairnessKind.STRICT)
    except ValueError as error:
        raise ValidationFailed("choose a fairness rule", field="fairness_kind") from error
    rule = FairnessRule(kind=chosen)
    if chosen == FairnessKind.MAX_IN_ROW:
        in_row = check_int(max_in_row, field="fairness_max_in_row", low=1, high=20, blank=3)
        rule = FairnessRule(kind=chosen, max_in_row=in_row)
    if chosen == FairnessKind.AGEING:
        minutes = check_int(credit_min, field="fairness_credit_min", low=0, high=240, blank=10)
        rule = FairnessRule(kind=chosen, credit_s=minutes * 60)
    return fairness_settings(rule)


def fairness_settings(rule: FairnessRule) -> dict:
    """Return a fairness rule as a location stores it: its kind, and the one number that kind uses."""
    stored: dict = {"kind": rule.kind.value}
    if rule.kind == FairnessKind.MAX_IN_ROW:
        stored["max_in_row"] = rule.max_in_row
    if rule.kind == FairnessKind.AGEING:
        stored["credit_s"] = rule.credit_s
    return stored


def stored_fairness(stored: dict | None) -> dict:
    """Return a stored fairness rule as parse_fairness shapes it (nothing stored reads as strict, the
    default), so that saving a form unchanged compares equal."""
    return fairness_settings(FairnessRule.from_settings(stored))


def parse_printer(form: dict) -> dict:
    """Return a kiosk's printer configuration in the shape qserve.printing.devices builds from ({} = none)."""
    kind = (form.get("printer_kind") or "").strip()
    if not kind or kind == "none":
        return {}
    if kind not in PRINTER_KINDS:
        raise ValidationFailed("choose a printer connection", field="printer_kind")
    profile = (form.get("printer_profile") or "").strip()
    config: dict = {"kind": kind}
    if kind == "network":
        config["host"] = _required(form, "printer_host")
        config["port"] = check_int(
            form.get("printer_port"), field="printer_port", low=1, high=65535, blank=9100
        )
    elif kind == "usb":
        config["vendor_id"] = _hex(form, "printer_vendor_id")
        config["product_id"] = _hex(form, "printer_product_id")
    elif kind == "serial":
        config["device"] = _required(form, "printer_device")
        config["baudrate"] = check_int(
            form.get("printer_baudrate"), field="printer_baudrate", low=1200, high=921600, blank=9600
        )
    else:
        config["path"] = _required(form, "printer_path")
    if profile:
        config["profile"] = profile[:64]
    return config


def _required(form: dict, field: str) -> str:
    value = (form.get(field) or "").strip()
    if not value or len(value) > 255:
        raise ValidationFailed("this is needed for this kind of printer", field=field)
    return value


def _hex(form: dict, field: str) -> str:
    value = _required(form, field).lower()
    try:
        number = int(value, 16 if not value.startswith("0x") else 0)
    except ValueError as error:
        raise ValidationFailed("write a USB id in hexadecimal, e.g. 0x04b8", field=field) from error
    if not 0 <= number <= 0xFFFF:
        raise ValidationFailed("write a USB id in hexadecimal, e.g. 0x04b8", field=field)
    return f"0x{number:04x}"


def parse_thresholds(text: str, *, field: str, low: int, high: int, scale: int = 1) -> list[int]:
    """Read "5, 2" into [5, 2] (each between low and high, times `scale`), largest first, no repeats."""
    numbers = set()
    for part in re.split(r"[,\s]+", (text or "").strip()):
        if part:
            numbers.add(check_int(part, field=field, low=low, high=high) * scale)
    return sorted(numbers, reverse=True)


def diff(before: dict, after: dict) -> dict:
    """Return {field: [old, new]} for the fields whose value changed."""
    return {key: [before.get(key), value] for key, value in after.items() if before.get(key) != value}
