"""Texts kept per language: a service's names, a question's label, a ticket footer."""

from __future__ import annotations


def in_language(value: object, language: str) -> str:
    """Return a per-language text ({"en": ..., "fi": ...}) in a language, falling back to English, then to any
    language that has it; a plain text reads the same in every language."""
    if isinstance(value, dict):
        return str(
            value.get(language) or value.get("en") or next((text for text in value.values() if text), "")
        )
    return "" if value is None else str(value)
