"""When a scheduled report is due, which addresses it goes to, and the dashboard's words in four languages."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from qserve.domain.errors import ValidationFailed
from qserve.insights.dashboard_texts import TEXTS, Words
from qserve.insights.schedules import due_period, parse_recipients

HELSINKI = ZoneInfo("Europe/Helsinki")


@pytest.mark.parametrize(
    ("local", "first", "last"),
    [
        (datetime(2026, 11, 25, 6, 0, tzinfo=HELSINKI), date(2026, 11, 24), date(2026, 11, 24)),
        (datetime(2026, 11, 25, 5, 59, tzinfo=HELSINKI), date(2026, 11, 23), date(2026, 11, 23)),
        (datetime(2026, 3, 30, 7, 0, tzinfo=HELSINKI), date(2026, 3, 29), date(2026, 3, 29)),  # DST day
    ],
)
def test_a_daily_report_covers_yesterday_from_six_in_the_morning(local, first, last):
    period = due_period("daily", local)
    assert (period.first, period.last) == (first, last)


@pytest.mark.parametrize(
    ("local", "last"),
    [
        (datetime(2026, 11, 30, 6, 30, tzinfo=HELSINKI), date(2026, 11, 29)),  # Monday morning
        (datetime(2026, 11, 30, 5, 30, tzinfo=HELSINKI), date(2026, 11, 22)),  # before six: the week before
        (datetime(2026, 12, 3, 12, 0, tzinfo=HELSINKI), date(2026, 11, 29)),  # Thursday: still last week
        (datetime(2026, 11, 29, 23, 0, tzinfo=HELSINKI), date(2026, 11, 22)),  # Sunday night: not over yet
    ],
)
def test_a_weekly_report_covers_the_last_whole_monday_to_sunday_week(local, last):
    period = due_period("weekly", local)
    assert period.last == last
    assert period.first.weekday() == 0 and (period.last - period.first).days == 6


def test_recipients_are_split_deduplicated_and_checked():
    assert parse_recipients("boss@example.com, Area@Example.com;boss@EXAMPLE.com\nx@y.fi") == [
        "boss@example.com",
        "Area@Example.com",
        "x@y.fi",
    ]
    with pytest.raises(ValidationFailed, match="'nobody' is not an e-mail address") as caught:
        parse_recipients("boss@example.com, nobody")
    assert caught.value.field == "recipients"
    with pytest.raises(ValidationFailed, match="at least one"):
        parse_recipients(" , ")


def test_every_dashboard_word_exists_in_every_language_with_the_same_placeholders():
    import re

    placeholders = re.compile(r"%\((\w+)\)s")
    for language in ("fi", "sv", "pl"):
        assert set(TEXTS[language]) == set(TEXTS["en"]), language
        for key, english in TEXTS["en"].items():
            assert set(placeholders.findall(TEXTS[language][key])) == set(placeholders.findall(english)), key
    assert len(Words("pl").weekday_names) == 7
    assert Words("fi")("pending_jobs", count=3).startswith("3 ")
    assert Words("xx").language == "en"
