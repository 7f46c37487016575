"""A text kept per language is read in a language, English filling the gap, then any language."""

from __future__ import annotations

from qserve.domain.texts import in_language


def test_a_per_language_text_falls_back_to_english_then_to_any_language():
    assert in_language({"en": "Loans", "fi": "Lainat"}, "fi") == "Lainat"
    assert in_language({"en": "Loans", "fi": "Lainat"}, "pl") == "Loans"
    assert in_language({"sv": "Lån"}, "pl") == "Lån"
    assert in_language({"en": "", "fi": "Lainat"}, "sv") == "Lainat"


def test_a_plain_text_reads_the_same_in_every_language_and_none_is_empty():
    assert in_language("Thank you", "fi") == "Thank you"
    assert in_language(None, "fi") == "" and in_language({}, "fi") == ""
