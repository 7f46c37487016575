"""Pure checks of what administrators type: slugs, time zones, opening hours, fairness, questions, printers.

Each function turns form text into the structure the rest of qserve reads, or raises ValidationFailed with
the form field to mark. No database, no clock, no Flask.
"""

from __future__ import annotations

import re
from datetime import date, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from qserve.domain.errors import ValidationFailed
from qserve.domain.ordering import FairnessKind

LANGUAGES = ("en", "fi", "sv", "pl")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MODES = ("queue", "appointments", "hybrid")
QUESTION_TYPES = ("text", "choice", "yesno")
PRINTER_KINDS = ("network", "usb", "serial", "file")
SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")
PREFIX = re.compile(r"^[A-Z]{1,3}$")
SPAN = re.compile(r"^\s*(\d{1,2}:\d{2})\s*[-–]\s*(\d{1,2}:\d{2})\s*$")
CLOSED_WORDS = {"closed", "suljettu", "stängt", "zamknięte", "-"}
MAX_QUESTIONS = 10


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


def _clock(text: str, field: str) -> str:
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
        start, end = _clock(match[1], field), _clock(match[2], field)
        if end <= start:
            raise ValidationFailed(f"{start}-{end}: the closing time must be after the opening", field=field)
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
    """Build {"mon": [[start, end]], ..., "exceptions": {date: spans}}; all blank means no fixed hours."""
    hours: dict = {day: parse_spans(weekdays.get(day, ""), field=f"hours_{day}") for day in WEEKDAYS}
    exceptions = parse_exceptions(exceptions_text)
    if not any(hours.values()) and not exceptions:
        return {}
    if exceptions:
        hours["exceptions"] = exceptions
    return hours


def parse_fairness(kind: str, max_in_row: object, credit_min: object) -> dict:
    """Return a fairness rule in the shape FairnessRule.from_settings reads."""
    try:
        chosen = FairnessKind(kind or FairnessKind.STRICT)
    except ValueError as error:
        raise ValidationFailed("choose a fairness rule", field="fairness_kind") from error
    rule: dict = {"kind": chosen.value}
    if chosen == FairnessKind.MAX_IN_ROW:
        rule["max_in_row"] = check_int(max_in_row, field="fairness_max_in_row", low=1, high=20, blank=3)
    if chosen == FairnessKind.AGEING:
        minutes = check_int(credit_min, field="fairness_credit_min", low=0, high=240, blank=10)
        rule["credit_s"] = minutes * 60
    return rule


def _key(text: str) -> str:
    key = re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")
    return key[:40] or "option"


def parse_question(row: dict, *, languages: list[str], index: int, taken: set[str]) -> dict | None:
    """Turn one editor row into a question ({id, type, required, label, options}); a row without text is None.

    `row` has "id", "type", "required", "label": {lang: text} and, for a choice, "options": {lang: lines}.
    """
    field = f"questions.{index}"
    labels = {lang: (row.get("label", {}).get(lang) or "").strip() for lang in languages}
    if not any(labels.values()):
        return None
    first = languages[0]
    if not labels[first]:
        raise ValidationFailed("write the question at least in the first language", field=field)
    kind = row.get("type")
    if kind not in QUESTION_TYPES:
        raise ValidationFailed("choose text, choice or yes/no", field=field)
    qid = (row.get("id") or "").strip() or _unused(_key(labels[first]), taken)
    question = {
        "id": qid,
        "type": kind,
        "required": bool(row.get("required")),
        "label": {lang: text[:300] for lang, text in labels.items() if text},
    }
    if kind == "choice":
        question["options"] = _options(row.get("options") or {}, languages, field)
    return question


def _unused(key: str, taken: set[str]) -> str:
    candidate, number = key, 2
    while candidate in taken:
        candidate, number = f"{key}_{number}", number + 1
    return candidate


def _options(lines_by_language: dict, languages: list[str], field: str) -> list[dict]:
    lines = {
        lang: [s.strip() for s in (lines_by_language.get(lang) or "").splitlines() if s.strip()]
        for lang in languages
    }
    first = lines[languages[0]]
    if len(first) < 2:
        raise ValidationFailed("a choice needs at least two options, one per line", field=field)
    for lang in languages[1:]:
        if lines[lang] and len(lines[lang]) != len(first):
            raise ValidationFailed(f"give as many options in {lang} as in {languages[0]}", field=field)
    options, taken = [], set()
    for position, text in enumerate(first):
        value = _unused(_key(text), taken)
        taken.add(value)
        label = {lang: lines[lang][position] for lang in languages if lines[lang]}
        options.append({"value": value, "label": label})
    return options


def parse_questions(rows: list[dict], *, languages: list[str]) -> list[dict]:
    """Turn the editor's rows into questions in the shape qserve.domain.questions validates."""
    taken = {(row.get("id") or "").strip() for row in rows} - {""}
    questions = []
    for index, row in enumerate(rows):
        question = parse_question(row, languages=languages, index=index, taken=taken)
        if question is not None:
            taken.add(question["id"])
            questions.append(question)
    if len(questions) > MAX_QUESTIONS:
        raise ValidationFailed(f"at most {MAX_QUESTIONS} questions", field="questions")
    if len({q["id"] for q in questions}) != len(questions):
        raise ValidationFailed("two questions have the same id", field="questions")
    return questions


def question_rows(questions: list[dict], languages: list[str]) -> list[dict]:
    """Turn stored questions back into editor rows (labels and option lines per language)."""
    rows = []
    for question in questions or []:
        label = question.get("label")
        labels = label if isinstance(label, dict) else {languages[0]: str(label or "")}
        options: dict[str, str] = {}
        for lang in languages:
            texts = [_option_text(option, lang) for option in question.get("options") or []]
            options[lang] = "\n".join(texts) if any(texts) else ""
        rows.append(
            {
                "id": question.get("id", ""),
                "type": question.get("type", "text"),
                "required": bool(question.get("required")),
                "label": {lang: labels.get(lang, "") for lang in languages},
                "options": options,
            }
        )
    return rows


def keep_stored_texts(questions: list[dict], stored: list[dict], languages: list[str]) -> list[dict]:
    """Keep what the editor does not show: labels in languages the location does not offer, and the stored
    value of every option whose text in the first language is unchanged (so given answers keep their meaning).
    """
    before = {q.get("id"): q for q in stored or [] if isinstance(q, dict)}
    kept = []
    for question in questions:
        old = before.get(question["id"])
        if old is not None:
            question = question | {"label": _hidden(old.get("label"), languages) | question["label"]}
            if "options" in question:
                question["options"] = _keep_options(question["options"], old.get("options"), languages)
        kept.append(question)
    return kept


def _hidden(label: object, languages: list[str]) -> dict:
    if not isinstance(label, dict):
        return {}
    return {lang: text for lang, text in label.items() if lang not in languages}


def _keep_options(options: list[dict], stored: object, languages: list[str]) -> list[dict]:
    unclaimed = {}
    for old in stored if isinstance(stored, list) else []:
        if isinstance(old, dict) and "value" in old:
            unclaimed.setdefault(_option_text(old, languages[0]), old)
    matches = [unclaimed.pop(option["label"].get(languages[0], ""), None) for option in options]
    taken = {str(old["value"]) for old in matches if old is not None}
    kept = []
    for option, old in zip(options, matches, strict=True):
        if old is None:
            value = _unused(option["value"], taken)
            kept.append(option | {"value": value})
            taken.add(value)
        else:
            label = _hidden(old.get("label"), languages) | option["label"]
            kept.append({"value": old["value"], "label": label})
    return kept


def _option_text(option: object, language: str) -> str:
    if isinstance(option, dict):
        label = option.get("label")
        if isinstance(label, dict):
            return label.get(language, "")
        return str(label or option.get("value", ""))
    return str(option)


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


def parse_feedback_questions(rows: list[dict]) -> list[dict]:
    """Turn feedback editor rows into the questions qserve.insights.forms validates (all four languages)."""
    questions, taken = [], {(row.get("key") or "").strip() for row in rows} - {""}
    for index, row in enumerate(rows):
        texts = {lang: (row.get("texts", {}).get(lang) or "").strip() for lang in LANGUAGES}
        if not any(texts.values()):
            continue
        field = f"feedback.{index}"
        if not texts["en"]:
            raise ValidationFailed("write the question at least in English", field=field)
        key = (row.get("key") or "").strip() or _unused(_key(texts["en"]), taken)
        taken.add(key)
        question = {"key": key, "kind": row.get("kind"), "texts": {k: v for k, v in texts.items() if v}}
        if row.get("kind") == "choice":
            options = _options(row.get("choices") or {}, list(LANGUAGES), field)
            question["choices"] = [{"key": o["value"], "texts": o["label"]} for o in options]
        questions.append(question)
    return questions


def feedback_rows(questions: list[dict]) -> list[dict]:
    """Turn a feedback form's questions back into editor rows."""
    rows = []
    for question in questions or []:
        choices = question.get("choices") or []
        rows.append(
            {
                "key": question.get("key", ""),
                "kind": question.get("kind", "text"),
                "texts": {lang: question.get("texts", {}).get(lang, "") for lang in LANGUAGES},
                "choices": {
                    lang: "\n".join(c.get("texts", {}).get(lang, "") for c in choices)
                    if any(c.get("texts", {}).get(lang) for c in choices)
                    else ""
                    for lang in LANGUAGES
                },
            }
        )
    return rows
