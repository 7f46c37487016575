"""Every customer-facing text of the code is in the catalogs, translated, with its placeholders intact."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

import qserve

PACKAGE = Path(qserve.__file__).parent
TRANSLATIONS = PACKAGE / "translations"
LANGUAGES = ["fi", "sv", "pl"]
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def catalog(language: str):
    """Read one language's catalog."""
    with open(TRANSLATIONS / language / "LC_MESSAGES" / "messages.po", "rb") as source:
        return read_po(source, locale=language)


def extracted_ids() -> set:
    """Extract the (context, message id) pairs of the package's code and templates, as `make`'s extraction
    does."""
    method_map = [("**/templates/**.html", "jinja2"), ("**.py", "python")]
    keywords = {
        "_": None,
        "gettext": None,
        "ngettext": (1, 2),
        "ugettext": None,
        "ungettext": (1, 2),
        "lazy_gettext": None,
        "_l": None,
        "pgettext": ((1, "c"), 2),
    }
    ids = set()
    for _file, _line, message, _comments, context in extract_from_dir(
        str(PACKAGE), method_map=method_map, keywords=keywords
    ):
        ids.add((context, message if isinstance(message, str) else message[0]))
    return ids


def test_the_catalogs_hold_every_message_of_the_code():
    known = {(m.context, m.id if isinstance(m.id, str) else m.id[0]) for m in catalog("fi") if m.id}
    missing = sorted(extracted_ids() - known)
    assert not missing, f"run pybabel extract/update (see babel.cfg) and translate: {missing}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_is_translated_with_its_placeholders(language):
    problems = []
    for message in catalog(language):
        if not message.id:
            continue
        sources = [message.id] if isinstance(message.id, str) else list(message.id)
        strings = [message.string] if isinstance(message.string, str) else list(message.string)
        wanted = set(PLACEHOLDER.findall(" ".join(sources)))
        for string in strings:
            if not string or "fuzzy" in message.flags:
                problems.append(f"untranslated: {sources[0]!r}")
            elif set(PLACEHOLDER.findall(string)) != wanted and not (
                message.pluralizable and set(PLACEHOLDER.findall(string)) <= wanted
            ):
                problems.append(f"placeholders differ: {sources[0]!r} -> {string!r}")
    assert not problems, "\n".join(problems)


# Whoever reads "you" may be a woman: Polish says it without a masculine-only form ("Jesteś następny",
# "Możesz nie zostać obsłużony", "Nie jesteś przypisany").
MASCULINE_YOU = re.compile(r"\b(?:[Jj]esteś|[Zz]ostaniesz|[Zz]ostać)\b[^.:?]*?\b\w+(?:ony|any|ny)\b")


def test_polish_speaks_to_customers_and_staff_without_assuming_they_are_men():
    from qserve.kiosk.texts import TEXTS

    sentences = [m.string for m in catalog("pl") if m.id and isinstance(m.string, str)]
    sentences += list(TEXTS["pl"].values())
    assert [s for s in sentences if MASCULINE_YOU.search(s)] == []
    assert catalog("pl").get("Waited").string == "Czas oczekiwania"  # not "Czekał", a man's past tense


@pytest.mark.parametrize("language", LANGUAGES)
def test_recalling_the_current_customer_and_calling_back_one_on_hold_read_differently(language):
    # Both sit on the tablet at once; in Polish both read "Wezwij ponownie".
    words = catalog(language)
    assert words.get("Recall").string != words.get("Call back").string


@pytest.mark.parametrize(
    ("language", "english", "natural"),
    [
        ("sv", "%(number)s marked as no-show.", "%(number)s markerad som utebliven."),  # was "som uteblev"
        ("pl", "Cancel your ticket?", "Anulować numerek?"),  # was "Anulować twój numerek?"
        ("pl", "Called %(number)s back.", "Wezwano z powrotem %(number)s."),  # was "Ponownie ... z powrotem"
    ],
)
def test_sentences_read_as_a_native_speaker_would_write_them(language, english, natural):
    assert catalog(language).get(english).string == natural
