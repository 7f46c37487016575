"""Render a notification in the customer's language for every channel, and keep SMS to one GSM-7 segment.

SMS choice: Polish letters (ą ć ę ł ń ó ś ź ż) are not in the GSM-7 alphabet and one of them turns the whole
SMS into UCS-2, which holds 70 characters instead of 160 (three paid segments for a normal text). Polish
SMS are therefore transliterated (ą->a, ł->l ...), the way Polish senders commonly write SMS; push and email
keep every diacritic. Finnish and Swedish letters (ä ö å) are in GSM-7 and stay. Any other character outside
GSM-7 in a name (a service called "Łódź", an emoji) is transliterated or replaced by "?" on SMS only.
"""

from __future__ import annotations

import html
import math
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from qserve.formats import Figures
from qserve.notify.texts import LINK_LABELS, TEXTS, TIME_FORMATS

GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡"
    "ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENDED = frozenset("^{}\\[~]|€\f")  # each costs two septets (escape + character)
SEGMENT_GSM7, PART_GSM7 = 160, 153
SEGMENT_UCS2, PART_UCS2 = 70, 67

TRANSLITERATION = str.maketrans(
    {
        "ą": "a", "ć": "c", "ę": "e", "ł": "l", "ń": "n", "ó": "o", "ś": "s", "ź": "z", "ż": "z",
        "Ą": "A", "Ć": "C", "Ę": "E", "Ł": "L", "Ń": "N", "Ó": "O", "Ś": "S", "Ź": "Z", "Ż": "Z",
        "‘": "'", "’": "'", "“": '"', "”": '"', "„": '"', "–": "-", "—": "-", "…": "...", "\u00a0": " ",
    }
)  # fmt: skip
SHRINKABLE = ("service", "location")
SHRINK_STEPS = (28, 20, 14, 8)


def gsm7_length(text: str) -> int | None:
    """Return the septets a text takes in GSM-7, or None when it needs UCS-2."""
    length = 0
    for character in text:
        if character in GSM7_BASIC:
            length += 1
        elif character in GSM7_EXTENDED:
            length += 2
        else:
            return None
    return length


def sms_segments(text: str) -> int:
    """Return how many SMS segments (each billed) a text takes."""
    septets = gsm7_length(text)
    if septets is not None:
        return 1 if septets <= SEGMENT_GSM7 else math.ceil(septets / PART_GSM7)
    units = len(text.encode("utf-16-le")) // 2
    return 1 if units <= SEGMENT_UCS2 else math.ceil(units / PART_UCS2)


def to_gsm7(text: str) -> str:
    """Rewrite a text with GSM-7 characters only: transliterate, drop accents GSM-7 lacks, else '?'."""
    out = []
    for character in text.translate(TRANSLITERATION):
        if character in GSM7_BASIC or character in GSM7_EXTENDED:
            out.append(character)
            continue
        base = "".join(c for c in unicodedata.normalize("NFKD", character) if not unicodedata.combining(c))
        out.append(base if base and gsm7_length(base) is not None else "?")
    return "".join(out)


@dataclass(frozen=True)
class Rendered:
    """One notification's words for every channel."""

    title: str
    text: str
    sms_text: str
    html: str


def format_time(moment: datetime, language: str, time_zone: str) -> str:
    """Format an appointment time in a location's time zone, the language's way."""
    local = moment.astimezone(ZoneInfo(time_zone))
    language = language if language in TIME_FORMATS else "en"
    return local.strftime(TIME_FORMATS[language]).format(clock=Figures(language).clock(local))


def render(kind: str, language: str, fields: dict, url: str | None = None) -> Rendered:
    """Render a kind of notification with its fields; unknown languages fall back to English."""
    language = language if language in TEXTS else "en"
    entry = TEXTS[language][kind]
    values = {key: str(value) for key, value in fields.items() if value is not None}
    if isinstance(fields.get("minutes"), int):  # '25 min', '1 h 35 min': the unit comes with the figure
        values["minutes"] = Figures(language).wait(fields["minutes"])
    title = entry["title"].format_map(values)
    text = entry["text"].format_map(values)
    sms_text = fit_sms(entry.get("sms", entry["text"]), values, url)
    link_label = LINK_LABELS.get(language, LINK_LABELS["en"])[1 if kind == "feedback" else 0]
    return Rendered(title, text, sms_text, _html(language, title, text, url, link_label))


def fit_sms(template: str, values: dict, url: str | None) -> str:
    """Fill an SMS template in GSM-7 with the link last; shorten long names until one segment holds it."""
    gsm_values = {key: to_gsm7(value) for key, value in values.items()}
    text = _sms(template, gsm_values, url)
    for limit in SHRINK_STEPS:
        if sms_segments(text) == 1:
            break
        shrunk = {key: _shorten(gsm_values[key], limit) for key in SHRINKABLE if key in gsm_values}
        text = _sms(template, gsm_values | shrunk, url)
    return text  # a very long base URL may still need two segments: it is sent, never cut


def _sms(template: str, values: dict, url: str | None) -> str:
    text = to_gsm7(template).format_map(values)
    return f"{text} {url}" if url else text


def _shorten(value: str, limit: int) -> str:
    return value if len(value) <= limit else value[: limit - 1].rstrip() + "."


def _html(language: str, title: str, text: str, url: str | None, link_label: str) -> str:
    button = ""
    if url:
        button = (
            f'<p><a href="{html.escape(url)}" style="display:inline-block;padding:12px 20px;'
            f'background:#1f5fbf;color:#ffffff;text-decoration:none;border-radius:6px">'
            f'{html.escape(link_label)}</a></p>\n<p style="color:#555555;font-size:13px">'
            f"{html.escape(url)}</p>\n"
        )
    return (
        f'<!doctype html>\n<html lang="{language}"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title></head>\n"
        f'<body style="font-family:Arial,sans-serif;font-size:16px;color:#111111">\n'
        f'<h1 style="font-size:20px">{html.escape(title)}</h1>\n<p>{html.escape(text)}</p>\n{button}'
        "</body></html>\n"
    )
