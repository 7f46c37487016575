"""Ticket factories for the printing tests."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from zoneinfo import ZoneInfo

from qserve.printing.layout import PrintableTicket

URL = "https://qserve.example/t/8f3k2m9q"

_BASE = PrintableTicket(
    location_name="Riverside Branch",
    number="A042",
    service_name="Accounts and cards",
    issued_at=datetime(2026, 11, 12, 14, 5, tzinfo=ZoneInfo("Europe/Helsinki")),
    people_ahead=3,
    wait_p10_s=600,
    wait_p90_s=1200,
    url=URL,
    footer="Thank you for visiting.",
)

_BY_LANGUAGE = {
    "en": {},
    "fi": {
        "location_name": "Hämeenlinnan apteekki",
        "service_name": "Reseptilääkkeet",
        "footer": "Kiitos käynnistä! ÄÖÅ äöå",
    },
    "sv": {
        "location_name": "Vårdcentralen Åbo",
        "service_name": "Provtagning",
        "footer": "Välkommen åter! ÅÄÖ åäö",
    },
    "pl": {
        "location_name": "Urząd Miasta Łódź",
        "service_name": "Sprawy meldunkowe",
        "footer": "Zażółć gęślą jaźń. ZAŻÓŁĆ GĘŚLĄ JAŹŃ.",
        "issued_at": datetime(2026, 11, 12, 13, 5, tzinfo=ZoneInfo("Europe/Warsaw")),
    },
}


def make_printable_ticket(language: str = "en", **overrides) -> PrintableTicket:
    """Build a ticket in a language with realistic local names; any field can be overridden."""
    return replace(_BASE, language=language, **(_BY_LANGUAGE[language] | overrides))
