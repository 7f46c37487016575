"""Every word the kiosk screen can show is written in each of its four languages."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from qserve.kiosk.texts import TEXTS

KIOSK = Path(__file__).resolve().parents[3] / "qserve" / "kiosk"
SCRIPT = (KIOSK / "static" / "kiosk.js").read_text(encoding="utf-8")
PAGE = (KIOSK / "templates" / "kiosk" / "kiosk.html").read_text(encoding="utf-8")


def shown_keys() -> set[str]:
    """Return the text keys the page names (data-t) and the script shows: t("key"), the keys its error
    mapping returns and those it passes to showError and setError."""
    error_key = SCRIPT.split("function errorKey", 1)[1].split("\n  }\n", 1)[0]
    return (
        set(re.findall(r'data-t="(\w+)"', PAGE))
        | set(re.findall(r'\bt\("(\w+)"', SCRIPT))
        | set(re.findall(r'return "(\w+)"', error_key))
        | set(re.findall(r'\b(?:showError|setError)\("(\w+)"\)', SCRIPT))
    )


def test_the_error_mapping_is_read():
    keys = shown_keys()
    assert {"no_booking", "check_in_too_early", "check_in_not_booked", "offline", "welcome"} <= keys


@pytest.mark.parametrize("language", ["en", "fi", "sv", "pl"])
def test_every_shown_key_is_written_in_the_language(language):
    assert sorted(shown_keys() - set(TEXTS[language])) == []


def test_the_polish_appointments_only_notice_is_a_whole_sentence():
    # "Ta usługa przyjmuje tylko po rezerwacji": "takes" with nothing taken.
    assert TEXTS["pl"]["appointments_only"].startswith(
        "Ta usługa jest dostępna tylko po wcześniejszej rezerwacji."
    )


def test_the_finnish_kiosk_calls_the_booking_code_what_the_confirmation_and_the_texts_call_it():
    from qserve.notify.texts import TEXTS as MESSAGES

    assert "Varauskoodi {number}" in MESSAGES["fi"]["appointment_reminder"]["text"]
    asked = TEXTS["fi"]["booking_prompt"] + TEXTS["fi"]["no_booking"]
    assert "varauskoodi" in asked.lower() and "tunnu" not in asked.lower()
