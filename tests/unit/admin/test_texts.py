"""Every text of the administration pages exists in English, Finnish, Swedish and Polish."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from qserve.admin import question_rules, rules
from qserve.admin.settings import NOTIFICATION_KINDS
from qserve.admin.texts import LANGUAGES, TEXTS

TEMPLATES = Path(__file__).resolve().parents[3] / "qserve" / "admin" / "templates" / "admin"
LITERAL = re.compile(r"""\bt\(["']([a-z_]+)["']\)""")
BUILT = {
    "mode_": (*rules.MODES, "inherit"),
    "day_": rules.WEEKDAYS,
    "lang_": rules.LANGUAGES,
    "type_": question_rules.QUESTION_TYPES,
    "printer_": (*rules.PRINTER_KINDS, "none"),
    "role_": ("staff", "manager", "admin"),
    "action_": ("create", "update", "delete"),
    "entity_": (
        "location",
        "service",
        "counter",
        "kiosk",
        "user",
        "organization",
        "notifications",
        "feedback_form",
    ),
    "kind_": NOTIFICATION_KINDS,
    "status_": (
        "online",
        "paper_near_end",
        "paper_out",
        "cover_open",
        "offline",
        "unknown",
        "job_failed",
        "misconfigured",
    ),
}


def test_the_four_languages_have_the_same_texts_and_none_is_empty():
    english = set(TEXTS["en"])
    for language in LANGUAGES:
        assert set(TEXTS[language]) == english, language
        assert all(value.strip() for value in TEXTS[language].values()), language


@pytest.mark.parametrize("template", sorted(p.name for p in TEMPLATES.glob("*.html")))
def test_every_text_a_template_asks_for_exists(template):
    keys = set(LITERAL.findall((TEMPLATES / template).read_text()))
    assert keys <= set(TEXTS["en"]), keys - set(TEXTS["en"])


def test_every_text_built_from_a_value_exists():
    missing = [
        prefix + value
        for prefix, values in BUILT.items()
        for value in values
        if prefix + value not in TEXTS["en"]
    ]
    assert missing == []


def test_every_field_the_audit_log_names_has_a_text():
    from qserve.admin.texts import FIELD_LABELS

    assert set(FIELD_LABELS.values()) <= set(TEXTS["en"])
