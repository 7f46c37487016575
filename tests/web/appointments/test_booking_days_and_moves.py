"""The booking pages' day picker, the page that moves a booking, and the booking's own page (test client)."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from babel.dates import format_date

from qserve.db import transaction, utcnow
from qserve.formats import Figures
from qserve.models import Location
from tests.integration.appointments.helpers import make_bookable
from tests.web.appointments.test_booking_pages import ALL_DAY, EARLY, book_first_slot, slots, tomorrow

ZONE = ZoneInfo("Europe/Helsinki")
NOTE = r'class="hint zone-note" data-location-zone="Europe/Helsinki" data-at="[^"]+" hidden>'


@pytest.fixture
def place(make):
    location = make_bookable(make, settings=EARLY)
    set_hours(location, ALL_DAY)
    return location


def set_hours(location: dict, hours: dict) -> None:
    with transaction() as tx:
        tx.session.get(Location, location["id"]).opening_hours = hours


def day(offset: int) -> str:
    """Return the location's local date `offset` days from today."""
    return (utcnow().astimezone(ZONE).date() + timedelta(days=offset)).isoformat()


def slot_page(client, place, query: str = "", **headers) -> str:
    response = client.get(f"/book/{place['slug']}/{place['service_ids'][0]}{query}", headers=headers)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def linked_days(html: str) -> list[str]:
    return re.findall(r'<a href="\?date=([\d-]+)', html)


def chip(html: str, iso_day: str) -> str:
    """Return the day picker's entry of a day (its short date, like 24.11., is what tells it apart)."""
    label = format_date(date.fromisoformat(iso_day), "d.M.", locale="en")
    return next(item for item in html.split("<li>") if f'<span class="date">{label}</span>' in item)


def test_a_closed_day_is_shown_closed_and_never_offered_as_a_day_to_book(app, place):
    """Every day was a link alike: a customer tapped a closed day and found no times."""
    set_hours(place, ALL_DAY | {"exceptions": {day(1): []}})
    html = slot_page(app.test_client(), place, f"?date={day(2)}")
    assert day(1) not in linked_days(html) and day(2) in linked_days(html)
    closed = chip(html, day(1))
    assert 'class="day closed"' in closed and '<span class="sr-only">, closed</span>' in closed
    assert "Crossed-out days are closed." in html
    assert len(re.findall(r"<li>", html)) == 14  # the closed day keeps its place: the weeks stay readable


def test_the_page_opens_on_the_first_day_with_a_free_time_not_on_a_closed_today(app, place):
    set_hours(place, ALL_DAY | {"exceptions": {day(0): [], day(1): []}})
    html = slot_page(app.test_client(), place)
    assert f'<a href="?date={day(2)}" aria-current="date">' in html
    assert 'name="starts_at"' in html and "No free times" not in html


def test_a_day_whose_times_are_all_taken_is_shown_fully_booked(app, place):
    set_hours(place, ALL_DAY | {"exceptions": {tomorrow(): [["10:00", "10:10"]]}})
    client = app.test_client()
    for slot in slots(client, place):  # one counter, two five-minute slots
        booked = client.post(
            f"/api/v1/locations/{place['slug']}/appointments",
            json={"service_id": place["service_ids"][0], "starts_at": slot["starts_at"]},
        )
        assert booked.status_code == 201
    html = slot_page(client, place, f"?date={day(2)}&lang=pl")
    full = chip(html, tomorrow())
    assert 'class="day full"' in full and "brak wolnych terminów" in full
    assert tomorrow() not in linked_days(html)
    assert "W przekreślone dni placówka jest nieczynna albo nie ma wolnych terminów." in html


def test_moving_a_booking_shows_which_booking_first_in_its_language(app, place):
    """The page that moves a booking offered new times without saying which booking it was moving."""
    client = app.test_client()
    code = book_first_slot(client, place, language="fi")
    starts = datetime.fromisoformat(slots(client, place)[0]["starts_at"]).astimezone(ZONE)
    html = slot_page(client, place, f"?reschedule={code}", **{"Accept-Language": "en"})
    current = html.split('<section class="current"', 1)[1].split("</section>", 1)[0]
    assert "Nykyinen varauksesi" in current and "Service A" in current
    when = f"{format_date(starts, 'cccc d.M.yyyy', locale='fi')} {Figures('fi').clock(starts)}"
    assert f'<strong id="when">{when}</strong>' in current
    assert '<dd id="place">Location ' in current and f'id="code">{code}<' in current
    assert f'<a href="?date={tomorrow()}&amp;reschedule={code}" aria-current="date">' in html  # its day
    assert "<h1>Valitse toinen aika</h1>" in html and 'id="keep"' in html
    assert "Siirrä varaukseni" in html  # was "Siirrä varaustani", "move my booking a bit"


def test_moving_a_booking_does_not_offer_the_time_it_has(app, make):
    place = make_bookable(make, settings=EARLY, counters=2)  # its time still has a free place
    set_hours(place, ALL_DAY)
    client = app.test_client()
    code = book_first_slot(client, place, language="en")
    own, other = (slot["starts_at"] for slot in slots(client, place)[:2])
    html = slot_page(client, place, f"?reschedule={code}")
    assert f'value="{own}"' not in html and f'value="{other}"' in html
    assert f'value="{own}"' in slot_page(client, place, f"?date={tomorrow()}")  # others may book it


def test_a_booking_no_longer_open_is_not_offered_new_times(app, place):
    client = app.test_client()
    code = book_first_slot(client, place, language="en")
    client.post(f"/booking/{code}/cancel")
    page = client.get(f"/book/{place['slug']}/{place['service_ids'][0]}?reschedule={code}")
    assert page.status_code == 303 and page.headers["Location"] == f"/booking/{code}"
    moved = client.post(
        f"/book/{place['slug']}/{place['service_ids'][0]}",
        data={"starts_at": slots(client, place)[1]["starts_at"], "reschedule": code},
    )
    assert moved.status_code == 303 and moved.headers["Location"] == f"/booking/{code}"
    assert "cannot be moved" not in client.get(moved.headers["Location"]).get_data(as_text=True)
    other_service = client.get(f"/book/{place['slug']}/{place['service_ids'][1]}?reschedule={code}")
    assert other_service.status_code == 404


def test_a_moved_booking_says_so_once_and_a_cancelled_one_offers_a_new_booking(app, place):
    client = app.test_client()
    code = book_first_slot(client, place, language="sv")
    moved = client.post(
        f"/book/{place['slug']}/{place['service_ids'][0]}",
        data={"starts_at": slots(client, place)[1]["starts_at"], "reschedule": code},
    )
    assert "Din bokning har flyttats till den här tiden." in client.get(moved.headers["Location"]).get_data(
        as_text=True
    )
    assert 'id="moved"' not in client.get(moved.headers["Location"]).get_data(as_text=True)
    client.post(f"/booking/{code}/cancel")
    cancelled = client.get(f"/booking/{code}").get_data(as_text=True)
    assert f'id="book-again" href="/book/{place["slug"]}"' in cancelled


@pytest.mark.parametrize(
    ("language", "note"),
    [
        ("en", "All times are local time in Helsinki."),
        ("fi", "Kaikki ajat ovat paikallista aikaa (Helsinki)."),
        ("sv", "Alla tider är lokal tid i Helsingfors."),
        ("pl", "Wszystkie godziny podano w czasie lokalnym (Helsinki)."),
    ],
)
def test_times_carry_no_time_zone_identifier_only_a_note_for_phones_elsewhere(app, place, language, note):
    """The booking showed "(Europe/Helsinki)" beside its time; a customer reads the local time, and the
    note is for a phone whose clock runs in another zone (zone.js shows it there)."""
    client = app.test_client()
    code = book_first_slot(client, place, language=language)
    for html in (
        client.get(f"/booking/{code}").get_data(as_text=True),
        slot_page(client, place, f"?date={tomorrow()}&lang={language}"),
    ):
        visible = re.sub(r"<[^>]+>", " ", html)
        assert "Europe/Helsinki" not in visible and note in visible
        assert re.search(NOTE, html)
    assert '<script src="/appointments/static/zone.js" defer></script>' in html
    with client.get("/appointments/static/zone.js") as script:
        assert script.status_code == 200


def test_the_words_to_tap_are_quoted_as_each_language_quotes(app, place):
    client = app.test_client()
    code = book_first_slot(client, place, language="en")
    quoted = {"en": "tap “I am here”", "fi": "napauta ”Olen paikalla”", "pl": "stuknij „Jestem na miejscu”"}
    for language, words in quoted.items():
        assert words in client.get(f"/booking/{code}?lang={language}").get_data(as_text=True)
