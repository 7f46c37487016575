"""Opening hours, wait ranges and position phrases of the phone pages, in every language."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from flask_babel import Babel, force_locale

from qserve.mobile import wording
from qserve.mobile.hours import day_hours

HELSINKI = ZoneInfo("Europe/Helsinki")
MONDAY = {"mon": [["08:00", "12:00"], ["13:00", "18:00"]]}
NOW = datetime(2026, 11, 23, 8, 30, tzinfo=HELSINKI)  # Monday morning


def helsinki(hour: int, minute: int = 0, day: int = 23) -> datetime:
    """Return a moment of Monday 23 November 2026 (or another day) in Helsinki, as UTC."""
    return datetime(2026, 11, day, hour, minute, tzinfo=HELSINKI).astimezone(UTC)


@pytest.mark.parametrize(
    ("hours", "now", "is_open", "closes"),
    [
        (MONDAY, helsinki(9), True, "18:00"),
        (MONDAY, helsinki(12, 30), False, "18:00"),  # lunch break: the day goes on after it
        (MONDAY, helsinki(18, 0), False, None),
        (MONDAY, helsinki(7), False, "18:00"),
        (MONDAY | {"exceptions": {"2026-11-23": [["10:00", "14:00"]]}}, helsinki(9), False, "14:00"),
        (MONDAY | {"exceptions": {"2026-11-23": []}}, helsinki(9), False, None),
        ({"mon": [["00:00", "24:00"]]}, helsinki(23, 30), True, "23:59"),
        ({"mon": [["08:00", "nonsense"], ["09:00", "17:00"]]}, helsinki(10), True, "17:00"),
        (MONDAY, helsinki(9, day=24), False, None),  # Tuesday has no hours: closed all day
    ],
)
def test_todays_hours_say_whether_open_and_when_closing(hours, now, is_open, closes):
    today = day_hours(hours, "Europe/Helsinki", now)
    assert today.known and today.is_open == is_open
    assert (today.closes_at.strftime("%H:%M") if today.closes_at else None) == closes


@pytest.mark.parametrize(
    ("hours", "now", "opens"),
    [
        (MONDAY, helsinki(9), None),  # open now
        (MONDAY, helsinki(7), "2026-11-23 08:00"),  # before the day's first hours
        (MONDAY, helsinki(12, 30), "2026-11-23 13:00"),  # after the lunch break
        (MONDAY, helsinki(18), "2026-11-30 08:00"),  # closed for the day: the next Monday
        (MONDAY | {"tue": [["10:00", "16:00"]]}, helsinki(19), "2026-11-24 10:00"),
        (MONDAY | {"exceptions": {"2026-11-24": [["12:00", "14:00"]]}}, helsinki(19), "2026-11-24 12:00"),
        ({"mon": [], "exceptions": {}}, helsinki(9), None),  # no hours ahead at all
    ],
)
def test_while_closed_the_hours_say_when_the_location_opens_next(hours, now, opens):
    today = day_hours(hours, "Europe/Helsinki", now)
    assert (today.opens_at.strftime("%Y-%m-%d %H:%M") if today.opens_at else None) == opens
    if opens:
        assert today.opens_at.utcoffset() == timedelta(hours=2)  # Helsinki's own time


def test_a_location_without_hours_never_warns():
    today = day_hours({}, "Europe/Helsinki", helsinki(23))
    assert not today.known and not today.may_run_past_closing(helsinki(23), 10**6)


@pytest.mark.parametrize(
    ("now", "wait_min", "late"),
    [
        (helsinki(17), 30, False),
        (helsinki(17), 61, True),
        (helsinki(11, 50), 120, False),
        (helsinki(19), 1, True),
    ],
)
def test_a_wait_past_closing_time_is_flagged(now, wait_min, late):
    assert day_hours(MONDAY, "Europe/Helsinki", now).may_run_past_closing(now, wait_min * 60) == late


def test_closing_time_is_read_in_the_locations_own_time_zone():
    moment = datetime(2026, 11, 23, 16, 30, tzinfo=UTC)  # 18:30 in Helsinki, 17:30 in Warsaw
    assert day_hours(MONDAY, "Europe/Helsinki", moment).closes_at is None
    assert day_hours(MONDAY, "Europe/Warsaw", moment).closes_at.strftime("%H:%M") == "18:00"


@pytest.mark.parametrize(
    ("language", "count", "form"),
    [("en", 1, 0), ("en", 0, 2), ("en", 2, 2), ("fi", 5, 2), ("sv", 1, 0)]
    + [("pl", n, f) for n, f in [(1, 0), (2, 1), (4, 1), (5, 2), (12, 2), (14, 2), (22, 1), (25, 2), (0, 2)]],
)
def test_plural_forms_follow_each_languages_rule(language, count, form):
    assert wording.plural_index(language, count) == form


@pytest.mark.parametrize(
    ("estimate", "bounds"),
    [
        ({"p10_s": 0, "p50_s": 60, "p90_s": 200}, (0, 5)),
        ({"p10_s": 0, "p50_s": 300, "p90_s": 433}, (0, 10)),
        ({"p10_s": 578, "p50_s": 1350, "p90_s": 2431}, (5, 45)),
        ({"p10_s": 3600, "p50_s": 4000, "p90_s": 3700}, (60, 65)),
        (None, None),
    ],
)
def test_wait_ranges_widen_outwards_to_five_minutes(estimate, bounds):
    assert wording.wait_bounds(estimate) == bounds


@pytest.fixture(scope="module")
def babel_app():
    """Return a bare Flask app with qserve's catalogs (no database needed for phrases)."""
    import qserve

    app = Flask(__name__)
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(Path(qserve.__file__).parent / "translations")
    Babel(app)
    return app


def phrases_in(app: Flask, language: str) -> dict:
    """Return the ticket page's phrase templates in a language."""
    with app.test_request_context(), force_locale(language):
        return wording.texts()


@pytest.mark.parametrize(
    ("language", "ahead", "appointments", "said"),
    [
        ("en", 0, 0, "You are next."),
        ("en", 1, 0, "1 person ahead of you"),
        ("en", 1, 1, "1 person ahead of you, who has an appointment"),
        ("en", 3, 1, "3 people ahead of you, 1 of them with an appointment"),
        ("en", 5, 2, "5 people ahead of you, 2 of them with appointments"),
        ("fi", 3, 1, "Edelläsi on 3 henkilöä, heistä ajanvarauksella 1"),
        ("sv", 2, 0, "2 personer före dig"),
        ("pl", 2, 0, "2 osoby przed tobą"),
        ("pl", 5, 0, "5 osób przed tobą"),
        ("pl", 22, 3, "22 osoby przed tobą, w tym 3 z umówionymi wizytami"),
    ],
)
def test_what_is_ahead_is_said_in_words(babel_app, language, ahead, appointments, said):
    phrases = phrases_in(babel_app, language)
    assert wording.position_text(phrases, language, ahead, appointments) == said


def test_times_are_local_rounded_and_written_the_local_way(babel_app):
    expected = (helsinki(14, 33) + timedelta(seconds=20)).isoformat()
    assert (
        wording.eta_text(phrases_in(babel_app, "en"), expected, "Europe/Helsinki", NOW)
        == "Probably around 14:35"
    )
    assert wording.eta_text(phrases_in(babel_app, "fi"), expected, "Europe/Helsinki", NOW) == (
        "Todennäköisesti noin klo 14.35"
    )
    assert wording.wait_text(phrases_in(babel_app, "pl"), {"p10_s": 600, "p50_s": 900, "p90_s": 1500}) == (
        "10–25 minut"
    )


def test_a_finnish_clock_time_on_the_phone_has_no_leading_zero(babel_app):
    """CLDR writes a Finnish clock "9.05" (Babel's format_time short), as the booking pages do; the phone
    wrote "09.05"."""
    expected = helsinki(9, 4).isoformat()
    phrases = phrases_in(babel_app, "fi")
    assert wording.eta_text(phrases, expected, "Europe/Helsinki", NOW) == "Todennäköisesti noin klo 9.05"
    assert wording.appointment_text(phrases, helsinki(9, 20).isoformat(), "Europe/Helsinki") == "9.20"
    assert (
        wording.appointment_text(phrases_in(babel_app, "sv"), helsinki(9, 20).isoformat(), "UTC") == "07:20"
    )


@pytest.mark.parametrize(
    ("language", "call", "said"),
    [
        ("en", (23, 23, 58), "Probably tomorrow around 00:00"),  # rounded to five minutes: past midnight
        ("en", (24, 8, 4), "Probably tomorrow around 08:05"),
        ("fi", (24, 8, 4), "Todennäköisesti huomenna noin klo 8.05"),
        ("sv", (26, 8, 4), "Troligen på torsdag runt kl. 08:05"),
        ("pl", (28, 10, 0), "Prawdopodobnie w sobotę około 10:00"),
        ("fi", (29, 10, 0), "Todennäköisesti sunnuntaina noin klo 10.00"),
        ("en", (30, 8, 0), ""),  # a week ahead: no time at all rather than a wrong day
    ],
)
def test_a_call_on_a_later_day_names_the_day(babel_app, language, call, said):
    day, hour, minute = call
    expected = helsinki(hour, minute, day=day).isoformat()
    assert wording.eta_text(phrases_in(babel_app, language), expected, "Europe/Helsinki", NOW) == said


def test_the_wait_is_said_in_minutes_only_while_the_call_is_expected_today(babel_app):
    """A ticket taken on Sunday evening for Monday morning would read "835–850 minutes": the day and time say
    it, so the range is left out."""
    phrases, estimate = phrases_in(babel_app, "en"), {"p10_s": 600, "p50_s": 900, "p90_s": 1500}
    today, tomorrow = helsinki(8, 45).isoformat(), helsinki(8, 5, day=24).isoformat()
    assert wording.ticket_wait_text(phrases, estimate, today, "Europe/Helsinki", NOW) == "10–25 minutes"
    assert wording.ticket_wait_text(phrases, estimate, tomorrow, "Europe/Helsinki", NOW) == ""
    assert wording.ticket_wait_text(phrases, estimate, None, "Europe/Helsinki", NOW) == "10–25 minutes"


@pytest.mark.parametrize(
    ("language", "estimate", "said"),
    [
        ("en", {"p10_s": 3000, "p50_s": 4000, "p90_s": 4800}, "50 min – 1 h 20 min"),
        ("fi", {"p10_s": 5400, "p50_s": 6000, "p90_s": 7200}, "1 t 30 min – 2 t"),
        ("sv", {"p10_s": 100, "p50_s": 3000, "p90_s": 5640}, "upp till 1 tim 35 min"),
        ("pl", {"p10_s": 7200, "p50_s": 8000, "p90_s": 9300}, "2 godz. – 2 godz. 35 min"),
        ("pl", {"p10_s": 600, "p50_s": 900, "p90_s": 3300}, "10–55 minut"),  # under an hour: as before
    ],
)
def test_a_wait_from_an_hour_is_said_in_hours_and_minutes(babel_app, language, estimate, said):
    assert wording.wait_text(phrases_in(babel_app, language), estimate) == said
