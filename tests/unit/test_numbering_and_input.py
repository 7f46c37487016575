"""Numbers, service days, spoken numbers, contact details and pre-visit answers."""

from datetime import UTC, date, datetime

import pytest

from qserve.domain.contact import normalize_email, normalize_language, normalize_phone
from qserve.domain.errors import ValidationFailed
from qserve.domain.numbering import day_bounds, format_number, service_day, spoken_number
from qserve.domain.questions import clean_answers


def test_numbers_have_the_prefix_and_three_digits():
    assert format_number("A", 7) == "A007"
    assert format_number("B", 1234) == "B1234"


@pytest.mark.parametrize(
    ("moment", "zone", "expected"),
    [
        (datetime(2026, 11, 23, 22, 30, tzinfo=UTC), "Europe/Helsinki", date(2026, 11, 24)),
        (datetime(2026, 11, 23, 22, 30, tzinfo=UTC), "UTC", date(2026, 11, 23)),
        (datetime(2026, 11, 24, 4, 0, tzinfo=UTC), "America/New_York", date(2026, 11, 23)),
    ],
)
def test_the_service_day_is_the_local_calendar_day(moment, zone, expected):
    assert service_day(moment, zone) == expected


def test_a_local_day_across_a_daylight_saving_change_has_25_hours():
    start, end = day_bounds(date(2026, 10, 25), "Europe/Helsinki")
    assert (end - start).total_seconds() == 25 * 3600


@pytest.mark.parametrize(("number", "spoken"), [("A007", "A 7"), ("AB120", "A B 120"), ("C100", "C 100")])
def test_numbers_are_spelled_for_speech(number, spoken):
    assert spoken_number(number) == spoken


@pytest.mark.parametrize(
    ("raw", "region", "expected"),
    [("040 123 4567", "FI", "+358401234567"), ("+48 601 234 567", "FI", "+48601234567"), ("", "FI", None)],
)
def test_phone_numbers_are_stored_in_e164(raw, region, expected):
    assert normalize_phone(raw, region=region) == expected


@pytest.mark.parametrize("raw", ["12", "hello", "+358 1"])
def test_a_bad_phone_number_names_the_field(raw):
    with pytest.raises(ValidationFailed) as error:
        normalize_phone(raw)
    assert error.value.field == "phone"


def test_emails_and_languages_are_checked():
    assert normalize_email(" a@b.fi ") == "a@b.fi"
    with pytest.raises(ValidationFailed):
        normalize_email("not-an-address")
    assert normalize_language("fi-FI") == "fi"
    with pytest.raises(ValidationFailed):
        normalize_language("de")


QUESTIONS = [
    {"id": "purpose", "type": "choice", "required": True, "options": [{"value": "home"}, {"value": "car"}]},
    {"id": "customer", "type": "yesno"},
    {"id": "note", "type": "text"},
]


def test_valid_answers_are_cleaned():
    assert clean_answers(QUESTIONS, {"purpose": "car", "customer": "yes", "note": " hi "}) == {
        "purpose": "car",
        "customer": True,
        "note": "hi",
    }


@pytest.mark.parametrize(
    ("answers", "field"),
    [
        ({}, "answers.purpose"),
        ({"purpose": "boat"}, "answers.purpose"),
        ({"purpose": "car", "customer": "maybe"}, "answers.customer"),
        ({"purpose": "car", "x": 1}, "answers.x"),
    ],
)
def test_bad_answers_name_the_question(answers, field):
    with pytest.raises(ValidationFailed) as error:
        clean_answers(QUESTIONS, answers)
    assert error.value.field == field
