"""The words of every notification in en, fi, sv and pl.

Each kind has a `title` (push title, email subject) and a `text` (push body, email text, SMS). The link is
added after the text by channel (SMS appends it, push opens it, email shows a button), so texts carry none.
An optional `sms` replaces the text on SMS only (to mention a reply keyword). Texts stay short: with the
link they fit one 160-character GSM-7 segment (Polish is transliterated for SMS; see messages.py).
"""

from __future__ import annotations

LANGUAGES = ("en", "fi", "sv", "pl")

KINDS = (
    "joined",
    "position_reached",
    "time_left",
    "called",
    "recalled",
    "no_show_warning",
    "moved_by_staff",
    "cancelled_by_staff",
    "closed_for_the_day",
    "appointment_confirmation",
    "appointment_reminder",
    "feedback",
)

# The fields each kind's texts use; the policy puts them in the outbox payload.
FIELDS: dict[str, tuple[str, ...]] = {
    "joined": ("number", "service", "position", "minutes"),
    "position_reached": ("number", "service", "position", "minutes"),
    "time_left": ("number", "service", "minutes"),
    "called": ("number", "counter"),
    "recalled": ("number", "counter"),
    "no_show_warning": ("number", "counter"),
    "moved_by_staff": ("number", "service", "position"),
    "cancelled_by_staff": ("number", "service"),
    "closed_for_the_day": ("number", "service"),
    "appointment_confirmation": ("number", "service", "location", "time"),
    "appointment_reminder": ("number", "service", "location", "time"),
    "feedback": ("number", "location"),
}

TEXTS: dict[str, dict[str, dict[str, str]]] = {
    "en": {
        "joined": {
            "title": "You are in line: {number}",
            "text": "{number} is in line for {service}: number {position}, about {minutes}. "
            "We'll tell you when to come back.",
        },
        "position_reached": {
            "title": "Almost your turn",
            "text": "{number}: you are now number {position} for {service}, about {minutes}. "
            "Please come back now.",
        },
        "time_left": {
            "title": "About {minutes} left",
            "text": "{number}: about {minutes} until your turn at {service}. Please start coming back.",
        },
        "called": {
            "title": "It's your turn!",
            "text": "{number}: it's your turn! Please go to counter {counter}.",
        },
        "recalled": {
            "title": "We are calling you again",
            "text": "{number}: we are calling you again. Please go to counter {counter} now.",
        },
        "no_show_warning": {
            "title": "Last call",
            "text": "{number}: last call! Come to counter {counter} now or your turn will be lost.",
        },
        "moved_by_staff": {
            "title": "Your ticket was moved",
            "text": "{number}: staff moved your ticket to {service}. You are number {position}.",
        },
        "cancelled_by_staff": {
            "title": "Your ticket was cancelled",
            "text": "{number}: staff cancelled your ticket for {service}. Please ask at the desk if this is "
            "a mistake.",
        },
        "closed_for_the_day": {
            "title": "We have closed for today",
            "text": "{number}: we closed for the day before your turn at {service}. We are sorry: please "
            "come again.",
        },
        "appointment_confirmation": {
            "title": "Appointment booked",
            "text": "Booked: {service} at {location}, {time}. Booking code {number}.",
        },
        "appointment_reminder": {
            "title": "Appointment reminder",
            "text": "Reminder: {service} at {location}, {time}. Booking code {number}.",
            "sms": "Reminder: {service} at {location}, {time}. Reply HERE when you arrive.",
        },
        "feedback": {
            "title": "How was your visit?",
            "text": "Thank you for visiting {location}! How did it go?",
        },
    },
    "fi": {
        "joined": {
            "title": "Olet jonossa: {number}",
            "text": "{number} on jonossa ({service}), sijalla {position}, noin {minutes}. "
            "Kerromme, kun on aika palata.",
        },
        "position_reached": {
            "title": "Vuorosi lähestyy",
            "text": "{number}: olet nyt sijalla {position} ({service}), noin {minutes}. Palaathan nyt.",
        },
        "time_left": {
            "title": "Noin {minutes} jäljellä",
            "text": "{number}: vuoroosi on noin {minutes} ({service}). Lähdethän jo palaamaan.",
        },
        "called": {
            "title": "Sinun vuorosi!",
            "text": "{number}: on sinun vuorosi! Mene palvelupisteeseen {counter}.",
        },
        "recalled": {
            "title": "Kutsumme sinua uudelleen",
            "text": "{number}: kutsumme sinua uudelleen. Mene nyt palvelupisteeseen {counter}.",
        },
        "no_show_warning": {
            "title": "Viimeinen kutsu",
            "text": "{number}: viimeinen kutsu! Tule heti palvelupisteeseen {counter}, tai vuorosi menee "
            "ohi.",
        },
        "moved_by_staff": {
            "title": "Vuorosi siirrettiin",
            "text": "{number}: henkilökunta siirsi vuorosi jonoon {service}. Olet sijalla {position}.",
        },
        "cancelled_by_staff": {
            "title": "Vuorosi peruttiin",
            "text": "{number}: henkilökunta perui vuorosi ({service}). Kysy palvelupisteestä, jos tämä on "
            "virhe.",
        },
        "closed_for_the_day": {
            "title": "Olemme sulkeneet tältä päivältä",
            "text": "{number}: suljimme tältä päivältä ennen vuoroasi ({service}). Pahoittelemme, tervetuloa "
            "uudelleen.",
        },
        "appointment_confirmation": {
            "title": "Aika varattu",
            "text": "Varattu: {service}, {location}, {time}. Varauskoodi {number}.",
        },
        "appointment_reminder": {
            "title": "Muistutus varatusta ajasta",
            "text": "Muistutus: {service}, {location}, {time}. Varauskoodi {number}.",
            "sms": "Muistutus: {service}, {location}, {time}. Vastaa TÄÄLLÄ, kun saavut.",
        },
        "feedback": {
            "title": "Miten asiointi sujui?",
            "text": "Kiitos käynnistä ({location})! Miten asiointi sujui?",
        },
    },
    "sv": {
        "joined": {
            "title": "Du står i kö: {number}",
            "text": "{number} står i kö för {service}: plats {position}, cirka {minutes}. "
            "Vi säger till när du ska komma tillbaka.",
        },
        "position_reached": {
            "title": "Snart din tur",
            "text": "{number}: du är nu nummer {position} för {service}, cirka {minutes}. Kom tillbaka nu.",
        },
        "time_left": {
            "title": "Cirka {minutes} kvar",
            "text": "{number}: cirka {minutes} kvar till din tur för {service}. Börja gå tillbaka.",
        },
        "called": {"title": "Din tur!", "text": "{number}: det är din tur! Gå till disk {counter}."},
        "recalled": {
            "title": "Vi ropar upp dig igen",
            "text": "{number}: vi ropar upp dig igen. Gå till disk {counter} nu.",
        },
        "no_show_warning": {
            "title": "Sista uppropet",
            "text": "{number}: sista uppropet! Kom till disk {counter} nu, annars förlorar du din tur.",
        },
        "moved_by_staff": {
            "title": "Din biljett flyttades",
            "text": "{number}: personalen flyttade din biljett till {service}. Du är nummer {position}.",
        },
        "cancelled_by_staff": {
            "title": "Din biljett avbokades",
            "text": "{number}: personalen avbokade din biljett för {service}. Fråga vid disken om det "
            "är fel.",
        },
        "closed_for_the_day": {
            "title": "Vi har stängt för i dag",
            "text": "{number}: vi stängde för i dag innan det blev din tur för {service}. Förlåt, välkommen "
            "tillbaka.",
        },
        "appointment_confirmation": {
            "title": "Tid bokad",
            "text": "Bokat: {service} på {location}, {time}. Bokningskod {number}.",
        },
        "appointment_reminder": {
            "title": "Påminnelse om din tid",
            "text": "Påminnelse: {service} på {location}, {time}. Bokningskod {number}.",
            "sms": "Påminnelse: {service} på {location}, {time}. Svara HÄR när du är på plats.",
        },
        "feedback": {
            "title": "Hur var ditt besök?",
            "text": "Tack för besöket på {location}! Hur gick det?",
        },
    },
    "pl": {
        "joined": {
            "title": "Jesteś w kolejce: {number}",
            "text": "{number} w kolejce do: {service}, miejsce {position}, ok. {minutes}. "
            "Damy znać, kiedy wrócić.",
        },
        "position_reached": {
            "title": "Zaraz Twoja kolej",
            "text": "{number}: jesteś teraz {position}. w kolejce do: {service}, ok. {minutes}. "
            "Wróć już teraz.",
        },
        "time_left": {
            "title": "Zostało ok. {minutes}",
            "text": "{number}: ok. {minutes} do Twojej kolejki ({service}). Zacznij wracać.",
        },
        "called": {
            "title": "Twoja kolej!",
            "text": "{number}: Twoja kolej! Podejdź do stanowiska {counter}.",
        },
        "recalled": {
            "title": "Wzywamy ponownie",
            "text": "{number}: wzywamy ponownie. Podejdź teraz do stanowiska {counter}.",
        },
        "no_show_warning": {
            "title": "Ostatnie wezwanie",
            "text": "{number}: ostatnie wezwanie! Podejdź teraz do stanowiska {counter}, inaczej stracisz "
            "kolejkę.",
        },
        "moved_by_staff": {
            "title": "Twój bilet przeniesiono",
            "text": "{number}: obsługa przeniosła Twój bilet do: {service}. Jesteś {position}. w kolejce.",
        },
        "cancelled_by_staff": {
            "title": "Twój bilet anulowano",
            "text": "{number}: obsługa anulowała Twój bilet do: {service}. Zapytaj przy stanowisku, jeśli to "
            "pomyłka.",
        },
        "closed_for_the_day": {
            "title": "Na dziś już zamknięte",
            "text": "{number}: zamknęliśmy na dziś, zanim nadeszła Twoja kolej ({service}). Przepraszamy, "
            "zapraszamy ponownie.",
        },
        "appointment_confirmation": {
            "title": "Wizyta zarezerwowana",
            "text": "Zarezerwowano: {service}, {location}, {time}. Kod rezerwacji {number}.",
        },
        "appointment_reminder": {
            "title": "Przypomnienie o wizycie",
            "text": "Przypomnienie: {service}, {location}, {time}. Kod rezerwacji {number}.",
            "sms": "Przypomnienie: {service}, {location}, {time}. Odpisz JESTEM po przybyciu.",
        },
        "feedback": {
            "title": "Jak minęła wizyta?",
            "text": "Dziękujemy za wizytę ({location})! Jak poszło?",
        },
    },
}

# The label of the email button; feedback links get their own.
LINK_LABELS = {
    "en": ("Open your ticket", "Give feedback"),
    "fi": ("Avaa vuoronumerosi", "Anna palautetta"),
    "sv": ("Öppna din biljett", "Lämna synpunkter"),
    "pl": ("Otwórz swój bilet", "Oceń wizytę"),
}

# Appointment times in the location's time zone, with numbers only (no locale-dependent month names); the
# clock is written as on every page (qserve.formats: "9.30" in Finnish, "09:30" otherwise).
TIME_FORMATS = {
    "en": "%d/%m at {clock}",
    "fi": "%d.%m. klo {clock}",
    "sv": "%d/%m kl. {clock}",
    "pl": "%d.%m godz. {clock}",
}
