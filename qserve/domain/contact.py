"""Customer contact details: phone numbers in E.164, e-mail addresses, languages."""

from __future__ import annotations

import re

import phonenumbers

from qserve.domain.errors import ValidationFailed

LANGUAGES = ("en", "fi", "sv", "pl")
EMAIL_PATTERN = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")


def normalize_phone(raw: str | None, *, region: str = "FI") -> str | None:
    """Return a phone number in E.164, or None when none was given; raise when it is not a number."""
    if raw is None or not str(raw).strip():
        return None
    try:
        parsed = phonenumbers.parse(str(raw), region)
    except phonenumbers.NumberParseException as error:
        raise ValidationFailed("this is not a phone number", field="phone") from error
    if not phonenumbers.is_valid_number(parsed):
        raise ValidationFailed("this phone number is not valid", field="phone")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def normalize_email(raw: str | None) -> str | None:
    """Return a trimmed e-mail address, or None; raise when it cannot be an address."""
    if raw is None or not str(raw).strip():
        return None
    value = str(raw).strip()
    if len(value) > 254 or not EMAIL_PATTERN.match(value):
        raise ValidationFailed("this is not an e-mail address", field="email")
    return value


def normalize_language(raw: str | None, *, default: str = "en") -> str:
    """Return one of the supported languages; raise for an unknown one."""
    if raw is None or raw == "":
        return default
    value = str(raw).lower().split("-")[0]
    if value not in LANGUAGES:
        raise ValidationFailed(f"language must be one of {list(LANGUAGES)}", field="language")
    return value
