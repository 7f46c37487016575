"""Texts of the feedback page and the default form, in the four languages."""

from __future__ import annotations

LANGUAGES = ("en", "fi", "sv", "pl")

PAGE = {
    "en": {
        "title": "How was your visit?",
        "rating": "Your rating (1 = poor, 5 = excellent)",
        "recommendation": "How likely are you to recommend us to a friend? (0-10)",
        "send": "Send",
        "thanks": "Thank you for your feedback!",
        "answered": "This visit already has feedback. Thank you!",
        "expired": "This feedback link has expired.",
        "privacy_title": "Your personal data",
        "privacy_text": "Delete your name, phone number, e-mail and written comments of this visit now. "
        "Anonymous statistics remain.",
        "erase": "Delete my personal data",
        "erased": "Your personal data of this visit has been deleted.",
        "visit": "Ticket %(number)s, %(service)s",
        "optional": "optional",
        "language": "Language",
    },
    "fi": {
        "title": "Millainen käyntisi oli?",
        "rating": "Arviosi (1 = huono, 5 = erinomainen)",
        "recommendation": "Kuinka todennäköisesti suosittelisit meitä ystävällesi? (0-10)",
        "send": "Lähetä",
        "thanks": "Kiitos palautteestasi!",
        "answered": "Tästä käynnistä on jo annettu palaute. Kiitos!",
        "expired": "Tämä palautelinkki on vanhentunut.",
        "privacy_title": "Henkilötietosi",
        "privacy_text": "Poista tämän käynnin nimi, puhelinnumero, sähköposti ja kirjoitetut kommentit nyt. "
        "Nimettömät tilastot säilyvät.",
        "erase": "Poista henkilötietoni",
        "erased": "Tämän käynnin henkilötietosi on poistettu.",
        "visit": "Vuoronumero %(number)s, %(service)s",
        "optional": "vapaaehtoinen",
        "language": "Kieli",
    },
    "sv": {
        "title": "Hur var ditt besök?",
        "rating": "Ditt betyg (1 = dåligt, 5 = utmärkt)",
        "recommendation": "Hur troligt är det att du skulle rekommendera oss till en vän? (0-10)",
        "send": "Skicka",
        "thanks": "Tack för din feedback!",
        "answered": "Det här besöket har redan fått feedback. Tack!",
        "expired": "Den här feedbacklänken har gått ut.",
        "privacy_title": "Dina personuppgifter",
        "privacy_text": "Radera namn, telefonnummer, e-post och skrivna kommentarer för det här besöket nu. "
        "Anonym statistik finns kvar.",
        "erase": "Radera mina personuppgifter",
        "erased": "Dina personuppgifter för det här besöket har raderats.",
        "visit": "Nummer %(number)s, %(service)s",
        "optional": "frivilligt",
        "language": "Språk",
    },
    "pl": {
        "title": "Jak oceniasz swoją wizytę?",
        "rating": "Twoja ocena (1 = słabo, 5 = doskonale)",
        "recommendation": "Jak prawdopodobne jest, że polecisz nas znajomym? (0-10)",
        "send": "Wyślij",
        "thanks": "Dziękujemy za opinię!",
        "answered": "Ta wizyta ma już opinię. Dziękujemy!",
        "expired": "Ten link do opinii wygasł.",
        "privacy_title": "Twoje dane osobowe",
        "privacy_text": "Usuń teraz imię, numer telefonu, e-mail i pisemne komentarze z tej wizyty. "
        "Anonimowe statystyki pozostaną.",
        "erase": "Usuń moje dane osobowe",
        "erased": "Twoje dane osobowe z tej wizyty zostały usunięte.",
        "visit": "Numer %(number)s, %(service)s",
        "optional": "opcjonalnie",
        "language": "Język",
    },
}

DEFAULT_FORM = {
    "enabled": True,
    "ask_recommendation": True,
    "valid_hours": 72,
    "questions": [
        {
            "key": "best",
            "kind": "choice",
            "texts": {
                "en": "What mattered most today?",
                "fi": "Mikä oli tänään tärkeintä?",
                "sv": "Vad var viktigast i dag?",
                "pl": "Co było dziś najważniejsze?",
            },
            "choices": [
                {
                    "key": "speed",
                    "texts": {"en": "Speed", "fi": "Nopeus", "sv": "Snabbhet", "pl": "Szybkość"},
                },
                {
                    "key": "friendliness",
                    "texts": {
                        "en": "Friendliness",
                        "fi": "Ystävällisyys",
                        "sv": "Vänlighet",
                        "pl": "Uprzejmość",
                    },
                },
                {
                    "key": "expertise",
                    "texts": {"en": "Expertise", "fi": "Asiantuntemus", "sv": "Kunnighet", "pl": "Fachowość"},
                },
            ],
        },
        {
            "key": "comment",
            "kind": "text",
            "texts": {
                "en": "Anything else you want to tell us?",
                "fi": "Haluatko kertoa vielä jotain?",
                "sv": "Något mer du vill berätta?",
                "pl": "Czy chcesz nam coś jeszcze powiedzieć?",
            },
        },
    ],
}


def page_texts(language: str) -> dict:
    """Return the feedback page's texts in a language (English when unknown)."""
    return PAGE.get(language, PAGE["en"])
