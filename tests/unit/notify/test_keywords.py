"""Two-way SMS keywords in en, fi, sv and pl, and the replies they get."""

from __future__ import annotations

import pytest

from qserve.notify.keywords import KEYWORDS, REPLIES, fold, parse_command, reply_text
from qserve.notify.messages import sms_segments


@pytest.mark.parametrize(
    ("body", "command", "language"),
    [
        ("CANCEL", "cancel", "en"),
        ("cancel please", "cancel", "en"),
        ("  Peru.", "cancel", "fi"),
        ("ÅNGRA", "cancel", "sv"),
        ("anuluj", "cancel", "pl"),
        ("late", "late", "en"),
        ("MYÖHÄSSÄ", "late", "fi"),
        ("myohassa", "late", "fi"),
        ("Senare!", "late", "sv"),
        ("później", "late", "pl"),
        ("POZNIEJ", "late", "pl"),
        ("here", "here", "en"),
        ("Täällä", "here", "fi"),
        ("på plats", "here", "sv"),
        ("HÄR", "here", "sv"),
        ("jestem", "here", "pl"),
        ("STOP", "stop", "en"),
        ("lopeta", "stop", "fi"),
        ("Stopp", "stop", "sv"),
        ("koniec", "stop", "pl"),
        ("start", "start", "en"),
        ("wznów", "start", "pl"),
        ("when is my turn?", "help", None),
        ("", "help", None),
        ("123", "help", None),
    ],
)
def test_the_first_words_choose_the_command_without_case_or_accents(body, command, language):
    assert parse_command(body) == (command, language)


def test_no_keyword_means_two_commands():
    owners: dict[str, str] = {}
    for command, languages in KEYWORDS.items():
        for words in languages.values():
            for word in words:
                assert owners.setdefault(fold(word), command) == command, word


@pytest.mark.parametrize("language", ["en", "fi", "sv", "pl"])
def test_every_reply_exists_in_every_language_and_fits_one_gsm7_segment(language):
    assert set(REPLIES[language]) == set(REPLIES["en"])
    for key in REPLIES[language]:
        text = reply_text(key, language, number="A107", code="ABCD-2345")
        assert sms_segments(text) == 1, (language, key, len(text))


def test_replies_in_polish_are_transliterated_for_sms():
    assert (
        reply_text("postponed", "pl", number="A1")
        == "A1: masz wiecej czasu. Przesunelismy Cie o kilka miejsc."
    )
