"""Texts in four languages: every kind renders, fits one SMS segment, and keeps diacritics off SMS only."""

from __future__ import annotations

import re
import string
from datetime import UTC, datetime

import pytest

from qserve.notify.messages import fit_sms, format_time, gsm7_length, render, sms_segments, to_gsm7
from qserve.notify.texts import FIELDS, KINDS, LANGUAGES, LINK_LABELS, TEXTS, TIME_FORMATS

# A realistic worst case: a long public address, a long service name, a two-digit counter and position.
URL = "https://jonotus.esimerkkipankki.fi/t/t" + "x" * 22
LONG = {
    "number": "A107",
    "service": "Passports and identity cards",
    "counter": "12",
    "position": 12,
    "minutes": 45,
    "location": "Helsinki Kamppi",
    "time": "24.11. klo 14.30",
}
LINKLESS = {"called", "recalled", "no_show_warning", "cancelled_by_staff", "closed_for_the_day"}


def fields_of(kind: str) -> dict:
    return {name: LONG[name] for name in FIELDS[kind]}


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_fits_one_gsm7_segment_in_every_language(kind, language):
    rendered = render(kind, language, fields_of(kind), None if kind in LINKLESS else URL)
    assert gsm7_length(rendered.sms_text) is not None, rendered.sms_text
    assert sms_segments(rendered.sms_text) == 1, (len(rendered.sms_text), rendered.sms_text)
    assert "{" not in rendered.title + rendered.text + rendered.sms_text
    if kind not in LINKLESS:
        assert rendered.sms_text.endswith(" " + URL)  # whole, never shortened


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_language_has_every_kind_with_the_same_fields(language):
    assert set(TEXTS[language]) == set(KINDS)
    assert language in LINK_LABELS and language in TIME_FORMATS
    for kind in KINDS:
        for template in TEXTS[language][kind].values():
            used = {name for _, name, _, _ in string.Formatter().parse(template) if name}
            assert used <= set(FIELDS[kind]), (language, kind, used)


def test_polish_sms_are_transliterated_and_push_and_email_keep_the_letters():
    rendered = render("joined", "pl", fields_of("joined"), URL)
    assert "Damy znać, kiedy wrócić." in rendered.text
    assert "Damy znac, kiedy wrocic." in rendered.sms_text
    assert "Damy znać" in rendered.html


def test_finnish_and_swedish_letters_stay_in_sms_because_gsm7_has_them():
    assert "Lähdethän" in render("time_left", "fi", fields_of("time_left"), URL).sms_text
    assert "Gå till disk 12" in render("called", "sv", fields_of("called"), None).sms_text


@pytest.mark.parametrize(
    ("language", "title"),
    [
        ("en", "About 1 min left"),
        ("fi", "Noin 1 min jäljellä"),
        ("sv", "Cirka 1 min kvar"),
        ("pl", "Zostało ok. 1 min"),
    ],
)
def test_the_time_left_title_reads_right_for_a_single_minute(language, title):
    """The unit is abbreviated, which every language reads the same for 1 and for 15 (no '1 minuuttia')."""
    assert render("time_left", language, fields_of("time_left") | {"minutes": 1}, URL).title == title


@pytest.mark.parametrize(
    ("language", "said"),
    [
        ("en", "about 2 h 35 min"),
        ("fi", "noin 2 t 35 min"),
        ("sv", "cirka 2 tim 35 min"),
        ("pl", "ok. 2 godz. 35 min"),
    ],
)
def test_a_long_wait_is_said_in_hours_and_minutes(language, said):
    """A wait of 154 minutes reads as hours and minutes (rounded to five), in the SMS as in the push."""
    rendered = render("joined", language, fields_of("joined") | {"minutes": 154}, URL)
    assert said in rendered.text and said in rendered.sms_text
    assert sms_segments(rendered.sms_text) == 1


@pytest.mark.parametrize(
    ("text", "septets"),
    [("Hello", 5), ("äöåÄÖÅ", 6), ("[€]", 6), ("{x}", 5), ("ł", None), ("☺", None), ("ó", None)],
)
def test_gsm7_length_counts_escaped_characters_twice_and_refuses_the_rest(text, septets):
    assert gsm7_length(text) == septets


@pytest.mark.parametrize(
    ("text", "segments"),
    [("a" * 160, 1), ("a" * 161, 2), ("a" * 306, 2), ("a" * 307, 3), ("ł" * 70, 1), ("ł" * 71, 2)],
)
def test_segments_follow_gsm7_and_ucs2_limits(text, segments):
    assert sms_segments(text) == segments


def test_names_outside_gsm7_are_transliterated_or_replaced_on_sms():
    assert to_gsm7("Łódź – Żółć “x” ☺") == 'Lodz - Zolc "x" ?'


def test_long_names_are_shortened_until_the_sms_fits_and_the_link_stays_whole():
    values = {"number": "A001", "service": "S" * 90, "position": "3", "minutes": "12"}
    text = fit_sms("{number}: number {position} for {service}, about {minutes} min.", values, URL)
    assert sms_segments(text) == 1 and text.endswith(URL)
    assert re.search(r"S{7}\.", text)


def test_an_unknown_language_falls_back_to_english():
    assert render("called", "de", {"number": "A1", "counter": "2"}).title == "It's your turn!"


def test_the_email_html_escapes_names_and_links_the_ticket():
    rendered = render("joined", "en", fields_of("joined") | {"service": "<b>Loans</b>"}, URL)
    assert "&lt;b&gt;Loans&lt;/b&gt;" in rendered.html and "<b>Loans" not in rendered.html
    assert f'href="{URL}"' in rendered.html and "Open your ticket" in rendered.html


@pytest.mark.parametrize(
    ("language", "written"),
    [
        ("en", "15/01 at 09:05"),
        ("fi", "15.01. klo 9.05"),
        ("sv", "15/01 kl. 09:05"),
        ("pl", "15.01 godz. 09:05"),
    ],
)
def test_a_booking_time_in_a_message_has_the_clock_every_page_writes(language, written):
    assert format_time(datetime(2026, 1, 15, 7, 5, tzinfo=UTC), language, "Europe/Helsinki") == written
