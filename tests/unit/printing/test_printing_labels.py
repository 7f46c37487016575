"""Ticket words in en, fi, sv and pl: plurals, wait ranges and dates."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from qserve.printing.labels import LABELS, format_issued_at, format_people_ahead, format_wait, labels_for


@pytest.mark.parametrize(
    ("language", "count", "expected"),
    [
        ("en", 0, "You are next"),
        ("en", 1, "1 person ahead of you"),
        ("en", 4, "4 people ahead of you"),
        ("fi", 1, "1 asiakas ennen sinua"),
        ("fi", 7, "7 asiakasta ennen sinua"),
        ("sv", 0, "Du är näst på tur"),
        ("sv", 2, "2 personer före dig"),
        ("pl", 1, "1 osoba przed Tobą"),
        ("pl", 3, "3 osoby przed Tobą"),
        ("pl", 5, "5 osób przed Tobą"),
        ("pl", 12, "12 osób przed Tobą"),
        ("pl", 22, "22 osoby przed Tobą"),
        ("pl", 25, "25 osób przed Tobą"),
    ],
)
def test_people_ahead_uses_the_language_plural(language, count, expected):
    assert format_people_ahead(count, language) == expected


@pytest.mark.parametrize(
    ("p10", "p90", "language", "expected"),
    [
        (600, 1200, "en", "about 10–20 min"),
        (600, 1200, "fi", "noin 10–20 min"),
        (600, 1200, "sv", "cirka 10–20 min"),
        (600, 1200, "pl", "około 10–20 min"),
        (290, 310, "en", "about 5 min"),
        (10, 300, "en", "up to 5 min"),
        (5, 20, "en", "under a minute"),
        (None, 900, "en", "about 15 min"),
        (900, None, "pl", "około 15 min"),
        (None, None, "en", None),
        (3000, 4800, "en", "about 50 min – 1 h 20 min"),  # from an hour, in hours and minutes
        (5400, 7200, "fi", "noin 1 t 30 min – 2 t"),
        (0, 5700, "sv", "upp till 1 tim 35 min"),
        (7200, 7200, "pl", "około 2 godz."),
        (3660, 3720, "en", "about 1 h"),  # 61 and 62 minutes both read "1 h": one figure, not "1 h – 1 h"
    ],
)
def test_the_wait_range_is_said_in_whole_minutes(p10, p90, language, expected):
    assert format_wait(p10, p90, language) == expected


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "2026-11-12 09:05"),
        ("fi", "12.11.2026 klo 9.05"),  # CLDR (Babel format_time short): "H.mm"
        ("sv", "2026-11-12 09:05"),
        ("pl", "12.11.2026, 09:05"),
    ],
)
def test_the_issue_time_is_written_the_local_way(language, expected):
    issued_at = datetime(2026, 11, 12, 9, 5, tzinfo=ZoneInfo("Europe/Helsinki"))

    assert format_issued_at(issued_at, language) == expected


def test_an_unknown_language_falls_back_to_english():
    assert labels_for("de") is LABELS["en"]
    assert labels_for("fi-FI") is LABELS["fi"]


def test_every_language_has_every_label():
    assert all(set(LABELS["en"]) <= set(labels) for labels in LABELS.values())
