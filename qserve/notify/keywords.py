"""Two-way SMS: the keywords customers may send in en, fi, sv and pl, and the replies they get."""

from __future__ import annotations

import re
import unicodedata

from qserve.notify.messages import to_gsm7

# command -> {language: keywords}; matched on the first word, without case or accents.
KEYWORDS: dict[str, dict[str, tuple[str, ...]]] = {
    "cancel": {
        "en": ("CANCEL",),
        "fi": ("PERU", "PERUUTA", "PERUUTUS"),
        "sv": ("AVBRYT", "AVBOKA", "ÅNGRA"),
        "pl": ("ANULUJ", "REZYGNUJE", "REZYGNUJĘ"),
    },
    "late": {
        "en": ("LATE", "LATER", "WAIT"),
        "fi": ("MYÖHÄSSÄ", "MYÖHEMMIN", "ODOTA"),
        "sv": ("SEN", "SENARE", "VÄNTA"),
        "pl": ("PÓŹNIEJ", "SPÓŹNIENIE", "CZEKAJ"),
    },
    "here": {
        "en": ("HERE", "ARRIVED"),
        "fi": ("TÄÄLLÄ", "PAIKALLA", "SAAPUNUT"),
        "sv": ("HÄR", "FRAMME", "PÅ PLATS"),
        "pl": ("JESTEM", "OBECNY", "OBECNA"),
    },
    "stop": {
        "en": ("STOP", "STOPALL", "UNSUBSCRIBE", "END", "QUIT"),
        "fi": ("LOPETA", "SEIS"),
        "sv": ("STOPP", "SLUTA"),
        "pl": ("KONIEC", "WYPISZ"),
    },
    "start": {
        "en": ("START", "UNSTOP", "YES"),
        "fi": ("ALOITA", "JATKA"),
        "sv": ("STARTA", "FORTSÄTT"),
        "pl": ("WZNÓW", "WZNOW"),
    },
}

REPLIES: dict[str, dict[str, str]] = {
    "en": {
        "help": "qserve: reply CANCEL to cancel your ticket, LATE for more time, HERE when you arrive for an "
        "appointment, STOP to get no more SMS.",
        "cancelled": "Ticket {number} is cancelled. Welcome back another time.",
        "postponed": "{number}: you have more time. We moved you back a few places.",
        "last_in_line": "{number}: nobody is behind you in line yet, so you already have the most time.",
        "here": "{number}: thank you, you are checked in. Please wait to be called.",
        "here_desk": "{number}: please tell the staff at the desk that you are here.",
        "no_ticket": "You have no ticket in line at the moment.",
        "booking_cancelled": "Your booking {code} is cancelled. Welcome back another time.",
        "here_refused": "We could not check you in now. Please use the kiosk or ask at the desk.",
        "refused": "{number}: that is not possible now. Please ask at the desk.",
        "stopped": "You will get no more SMS from us. Reply START to get them again.",
        "started": "You will get SMS from us again. Reply STOP to stop them.",
    },
    "fi": {
        "help": "qserve: vastaa PERU peruaksesi vuoron, MYÖHÄSSÄ saadaksesi lisäaikaa, TÄÄLLÄ kun saavut "
        "varatulle ajalle, LOPETA niin viestit loppuvat.",
        "cancelled": "Vuoro {number} on peruttu. Tervetuloa toiste.",
        "postponed": "{number}: saat lisäaikaa. Siirsimme sinut muutaman sijan taaemmas.",
        "last_in_line": "{number}: takanasi ei ole vielä ketään, joten sinulla on jo eniten aikaa.",
        "here": "{number}: kiitos, olet ilmoittautunut. Odota kutsua.",
        "here_desk": "{number}: kerro palvelupisteessä, että olet paikalla.",
        "no_ticket": "Sinulla ei ole nyt vuoroa jonossa.",
        "booking_cancelled": "Varauksesi {code} on peruttu. Tervetuloa toiste.",
        "here_refused": "Emme voineet ilmoittaa sinua nyt. Käytä kioskia tai kysy palvelupisteestä.",
        "refused": "{number}: tämä ei ole nyt mahdollista. Kysy palvelupisteestä.",
        "stopped": "Et saa meiltä enää tekstiviestejä. Vastaa ALOITA, jos haluat ne takaisin.",
        "started": "Saat meiltä taas tekstiviestejä. Vastaa LOPETA lopettaaksesi ne.",
    },
    "sv": {
        "help": "qserve: svara AVBRYT för att avboka, SEN för mer tid, HÄR när du kommer till din bokade "
        "tid, STOPP för att inte få fler sms.",
        "cancelled": "Biljett {number} är avbokad. Välkommen åter.",
        "postponed": "{number}: du får mer tid. Vi flyttade dig några platser bakåt.",
        "last_in_line": "{number}: ingen står bakom dig i kön än, så du har redan mest tid.",
        "here": "{number}: tack, du är incheckad. Vänta tills du blir uppropad.",
        "here_desk": "{number}: säg till personalen vid disken att du är här.",
        "no_ticket": "Du har ingen biljett i kön just nu.",
        "booking_cancelled": "Din bokning {code} är avbokad. Välkommen åter.",
        "here_refused": "Vi kunde inte checka in dig nu. Använd kiosken eller fråga vid disken.",
        "refused": "{number}: det går inte just nu. Fråga vid disken.",
        "stopped": "Du får inga fler sms från oss. Svara STARTA för att få dem igen.",
        "started": "Du får sms från oss igen. Svara STOPP för att sluta.",
    },
    "pl": {
        "help": "qserve: odpisz ANULUJ, by anulować bilet, PÓŹNIEJ, by mieć więcej czasu, JESTEM po "
        "przybyciu na wizytę, STOP, by nie dostawać SMS.",
        "cancelled": "Bilet {number} anulowany. Zapraszamy innym razem.",
        "postponed": "{number}: masz więcej czasu. Przesunęliśmy Cię o kilka miejsc.",
        "last_in_line": "{number}: nikt nie czeka za Tobą, masz już najwięcej czasu.",
        "here": "{number}: dziękujemy, jesteś zgłoszony. Poczekaj na wezwanie.",
        "here_desk": "{number}: powiedz obsłudze przy stanowisku, że już jesteś.",
        "no_ticket": "Nie masz teraz biletu w kolejce.",
        "booking_cancelled": "Rezerwacja {code} anulowana. Zapraszamy innym razem.",
        "here_refused": "Nie udało się Cię teraz zgłosić. Skorzystaj z kiosku lub zapytaj przy stanowisku.",
        "refused": "{number}: to teraz niemożliwe. Zapytaj przy stanowisku.",
        "stopped": "Nie dostaniesz od nas więcej SMS. Odpisz START, by je wznowić.",
        "started": "Znów dostaniesz od nas SMS. Odpisz STOP, by je wyłączyć.",
    },
}


def fold(text: str) -> str:
    """Return a text in upper case without accents, so that 'myohassa' matches 'MYÖHÄSSÄ'."""
    text = to_gsm7(text)  # Polish ł and friends become plain letters first
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).upper()


_INDEX: dict[str, tuple[str, str]] = {
    fold(word): (command, language)
    for command, languages in KEYWORDS.items()
    for language, words in languages.items()
    for word in words
}
_LONGEST = max(len(key.split()) for key in _INDEX)


def parse_command(body: str) -> tuple[str, str | None]:
    """Return (command, language of the keyword) for an SMS body; unknown text is ('help', None)."""
    words = re.findall(r"[^\W\d_]+", fold(body or ""))
    for size in range(min(_LONGEST, len(words)), 0, -1):
        found = _INDEX.get(" ".join(words[:size]))
        if found:
            return found
    return "help", None


def reply_text(key: str, language: str, **fields) -> str:
    """Return a reply in a language (English when unknown), in GSM-7 to stay one cheap segment."""
    replies = REPLIES.get(language, REPLIES["en"])
    return to_gsm7(replies[key].format(**fields))
