"""Changed values as the change log shows them: in the units and words of the form they were typed in
(minutes where the form asks for minutes, hours by weekday, the fairness rule by name), not as stored."""

from __future__ import annotations

import json

from qserve.admin.rules import WEEKDAYS, format_spans
from qserve.admin.texts import FIELD_LABELS, text
from qserve.domain.ordering import FairnessKind, FairnessRule

# Stored in seconds (or as a fraction) and typed in the unit its label names: the divisor back to that unit.
UNITS = {"_min": 60, "_h": 3600}
SEPARATOR = " · "


def show(value: object, field: str = "") -> str:
    """Write one side of a change for the audit page."""
    if value is None:
        return "—"
    if isinstance(value, str):
        return value
    if field == "opening_hours" and isinstance(value, dict):
        return _hours(value)
    if field == "fairness" and isinstance(value, dict):
        return _fairness(value)
    if field == "hybrid_share" and isinstance(value, int | float):
        return f"{round(value * 100)} %"
    divisor = _divisor(field)
    if divisor and isinstance(value, int | float | list):
        numbers = value if isinstance(value, list) else [value]
        if all(isinstance(number, int | float) for number in numbers):
            return ", ".join(_number(number / divisor) for number in numbers)
    if isinstance(value, dict) and all(isinstance(item, str) for item in value.values()):
        return SEPARATOR.join(f"{key}: {item}" for key, item in value.items())  # names per language
    if isinstance(value, list) and all(isinstance(item, str | int) for item in value):
        return ", ".join(str(item) for item in value)
    return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))


def _divisor(field: str) -> int | None:
    if not field.endswith("_s"):
        return None
    label = FIELD_LABELS.get(field, field)
    return next((divisor for suffix, divisor in UNITS.items() if label.endswith(suffix)), None)


def _number(number: float) -> str:
    return str(int(number)) if float(number).is_integer() else f"{number:.1f}"


def _hours(hours: dict) -> str:
    """'Monday 08:00-18:00 · Saturday 10:00-14:00 · 2026-12-24 Closed'; days not named are closed."""
    if not hours:
        return "—"
    parts = [f"{text('day_' + day)} {format_spans(hours[day])}" for day in WEEKDAYS if hours.get(day)]
    for day, spans in sorted((hours.get("exceptions") or {}).items()):
        parts.append(f"{day} {format_spans(spans) or text('closed')}")
    return SEPARATOR.join(parts) or text("closed")


def _fairness(stored: dict) -> str:
    rule = FairnessRule.from_settings(stored)  # with the defaults the call order reads too
    if rule.kind == FairnessKind.MAX_IN_ROW:
        return f"{text('fairness_max_in_row')}: {rule.max_in_row}"
    if rule.kind == FairnessKind.AGEING:
        return f"{text('fairness_ageing')}: {_number(rule.credit_s / 60)}"
    return text(f"fairness_{rule.kind.value}")
