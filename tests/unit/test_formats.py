"""How figures, dates and times are written for a reader: English as always, the others in their own form."""

from datetime import date, datetime, time

import pytest

from qserve.formats import Figures, fill_clock

NBSP = "\u00a0"


@pytest.mark.parametrize(
    ("seconds", "written"),
    [(None, "–"), (450, "7.5 min"), (-2, "0.0 min"), (-0.0, "0.0 min"), (-30, "-0.5 min"), (2, "0.0 min")],
)
def test_minutes_are_written_with_one_decimal_and_never_as_minus_zero(seconds, written):
    assert Figures("en").minutes(seconds) == written


@pytest.mark.parametrize(
    ("language", "minutes", "share", "count", "rating"),
    [
        ("en", "7.5 min", "13 %", "1439", "3.98"),
        ("fi", "7,5 min", f"13{NBSP}%", f"1{NBSP}439", "3,98"),
        ("sv", "7,5 min", f"13{NBSP}%", f"1{NBSP}439", "3,98"),
        ("pl", "7,5 min", "13%", "1439", "3,98"),  # Polish groups from five digits
    ],
)
def test_each_language_writes_decimals_shares_and_thousands_its_own_way(
    language, minutes, share, count, rating
):
    figures = Figures(language)
    assert figures.minutes(450) == minutes
    assert figures.percent(0.134) == share
    assert figures.number(1439) == count
    assert figures.number(3.981, 2) == rating


def test_polish_groups_thousands_only_from_five_digits():
    figures = Figures("pl")
    assert [figures.number(n) for n in (999, 9999, 10000, -12345)] == [
        "999",
        "9999",
        f"10{NBSP}000",
        f"-12{NBSP}345",
    ]
    assert figures.amount(1234.5) == "1234,5"
    assert figures.minutes(12000 * 60) == f"12{NBSP}000,0 min"


@pytest.mark.parametrize("language", ["en", "fi", "sv", "pl"])
def test_a_tiny_negative_is_never_minus_zero_in_any_language(language):
    figures = Figures(language)
    assert "-" not in figures.minutes(-2) and "−" not in figures.minutes(-2)
    assert figures.score(-0.2) == "+0" and figures.score(16.4) == "+16" and figures.score(-3) == "-3"


@pytest.mark.parametrize(
    ("language", "period", "day", "clock", "target"),
    [
        ("en", "2026-11-23 – 2026-11-29", "2026-11-03", "09:05", "7.5"),
        ("fi", "23.–29.11.2026", "3.11.2026", "9.05", "7,5"),
        ("sv", "2026-11-23–29", "2026-11-03", "09:05", "7,5"),
        ("pl", "23–29.11.2026", "3.11.2026", "09:05", "7,5"),
    ],
)
def test_dates_ranges_and_clock_times_follow_the_language(language, period, day, clock, target):
    figures = Figures(language)
    assert figures.period(date(2026, 11, 23), date(2026, 11, 29)) == period
    assert figures.period(date(2026, 11, 3), date(2026, 11, 3)) == day == figures.date(date(2026, 11, 3))
    assert figures.clock(time(9, 5)) == clock == figures.clock(datetime(2026, 11, 3, 9, 5))
    assert figures.amount(7.5) == target and figures.amount(10.0) == "10"


def test_an_unknown_language_is_written_as_english():
    assert Figures("de").minutes(450) == "7.5 min" and Figures(None).percent(0.5) == "50 %"


@pytest.mark.parametrize("language", ["en", "fi", "sv", "pl"])
def test_the_clock_pattern_page_scripts_fill_in_writes_every_hour_as_the_server_does(language):
    figures = Figures(language)
    for hour in range(24):
        assert fill_clock(figures.clock_pattern(), hour, 5) == figures.clock(time(hour, 5))


def test_a_finnish_clock_time_has_one_form_cldrs_without_a_leading_zero():
    """The phone's live ticket and the printed ticket wrote "09.30", the booking pages "9.30"."""
    finnish = Figures("fi")
    assert finnish.clock_pattern() == "H.mm"
    assert (finnish.clock(time(9, 30)), finnish.clock_at(24), finnish.clock_at(0, 5)) == (
        "9.30",
        "24.00",
        "0.05",
    )
    assert (
        Figures("sv").clock_at(9, 30)
        == Figures("pl").clock_at(9, 30)
        == Figures("en").clock_at(9, 30)
        == "09:30"
    )
