"""Staff find today's bookings and check them in; managers read booking figures; each sees only their own."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from qserve.appointments.services import book_appointment, cancel_appointment, list_slots
from qserve.db import read_session, transaction, utcnow
from qserve.models import Location, Ticket
from tests.factories import PASSWORD
from tests.integration.appointments.helpers import make_bookable
from tests.web.appointments.test_booking_pages import ALL_DAY, EARLY
from tests.web.mobile.helpers import ALL_DAY as ROUND_THE_CLOCK

ZONE = "Europe/Helsinki"


@pytest.fixture
def place(make):
    location = make_bookable(make, mode="hybrid", counters=2, settings=EARLY)
    with transaction() as tx:
        tx.session.get(Location, location["id"]).opening_hours = ALL_DAY
    return location


def today() -> date:
    return utcnow().astimezone(ZoneInfo(ZONE)).date()


def book_today(place, service_index=0, **contact) -> dict:
    return book_on(place, today(), service_index, **contact)


def book_on(place, day: date, service_index=0, **contact) -> dict:
    service_id = place["service_ids"][service_index]
    free = [
        s
        for s in list_slots(location_slug=place["slug"], service_id=service_id, day=day, now=utcnow())
        if s["available"]
    ]
    if not free:
        pytest.skip(f"no slot left on {day} in the location's time")
    starts_at = datetime.fromisoformat(free[0]["starts_at"])
    return book_appointment(
        location_slug=place["slug"], service_id=service_id, starts_at=starts_at, now=utcnow(), **contact
    )


def signed_in(app, user) -> object:
    client = app.test_client()
    assert client.post("/login", data={"email": user["email"], "password": PASSWORD}).status_code == 302
    return client


def test_staff_find_todays_bookings_by_code_or_name_and_check_one_in(app, make, place):
    aino = book_today(place, name="Aino Virtanen")
    book_today(place, service_index=1, name="Kim Berg")
    staff = make.user(organization_id=place["organization_id"], location_ids=[place["id"]])
    client = signed_in(app, staff)
    listed = client.get(f"/staff/{place['slug']}/bookings").get_data(as_text=True)
    assert aino["code"] in listed and "Kim Berg" in listed and "Service B" in listed
    by_name = client.get(f"/staff/{place['slug']}/bookings?q=virtanen").get_data(as_text=True)
    assert aino["code"] in by_name and "Kim Berg" not in by_name
    by_code = client.get(f"/staff/{place['slug']}/bookings?q={aino['code'].lower()}").get_data(as_text=True)
    assert "Aino Virtanen" in by_code and "Kim Berg" not in by_code
    done = client.post(
        f"/staff/{place['slug']}/bookings/check-in",
        data={"code": aino["code"], "counter": place["counter_ids"][0]},
    )
    assert done.status_code == 303 and f"counter={place['counter_ids'][0]}" in done.headers["Location"]
    page = client.get(done.headers["Location"]).get_data(as_text=True)
    with read_session() as session:
        ticket = session.query(Ticket).filter(Ticket.name == "Aino Virtanen").one()
        assert ticket.channel == "appointment" and ticket.status == "waiting"
        assert ticket.appointment_at == datetime.fromisoformat(aino["starts_at"])
    assert f"ticket {ticket.number} is in the queue" in page and 'id="back-to-tablet"' in page
    again = client.post(f"/staff/{place['slug']}/bookings/check-in", data={"code": aino["code"]})
    assert again.status_code == 303  # checking in twice gives the same ticket


def test_the_tablet_links_to_the_bookings_where_bookings_are_taken(app, make, place):
    staff = make.user(organization_id=place["organization_id"], location_ids=[place["id"]])
    client = signed_in(app, staff)
    tablet = client.get(f"/staff/{place['slug']}/{place['counter_ids'][0]}/").get_data(as_text=True)
    assert 'id="bookings-link"' in tablet and f"/staff/{place['slug']}/bookings" in tablet
    queue_only = make.location(organization_id=place["organization_id"])
    other_staff = make.user(organization_id=place["organization_id"], location_ids=[queue_only["id"]])
    plain = signed_in(app, other_staff).get(f"/staff/{queue_only['slug']}/{queue_only['counter_ids'][0]}/")
    assert 'id="bookings-link"' not in plain.get_data(as_text=True)


def test_staff_of_another_location_cannot_see_or_check_in_its_bookings(app, make, place):
    booking = book_today(place, name="Aino")
    other = make.location(organization_id=place["organization_id"])
    stranger = make.user(organization_id=place["organization_id"], location_ids=[other["id"]])
    client = signed_in(app, stranger)
    assert client.get(f"/staff/{place['slug']}/bookings").status_code == 403
    refused = client.post(f"/staff/{place['slug']}/bookings/check-in", data={"code": booking["code"]})
    assert refused.status_code == 403


def test_a_wrong_code_at_the_desk_is_shown_with_the_list(app, make, place):
    staff = make.user(organization_id=place["organization_id"], location_ids=[place["id"]])
    refused = signed_in(app, staff).post(
        f"/staff/{place['slug']}/bookings/check-in", data={"code": "ABCD-2345"}
    )
    assert refused.status_code == 404 and 'id="desk-error"' in refused.get_data(as_text=True)


def test_staff_choose_tomorrow_and_see_its_bookings_without_a_check_in_button(app, make, place):
    tomorrow = today() + timedelta(days=1)
    booking = book_on(place, tomorrow, name="Kaisa Huomenna")
    staff = make.user(organization_id=place["organization_id"], location_ids=[place["id"]])
    client = signed_in(app, staff)
    desk = f"/staff/{place['slug']}/bookings"
    assert booking["code"] not in client.get(desk).get_data(as_text=True)
    next_day = f'id="next-day" href="{desk}?date={tomorrow.isoformat()}"'
    assert next_day in client.get(desk).get_data(as_text=True)
    page = client.get(f"{desk}?date={tomorrow.isoformat()}").get_data(as_text=True)
    row = page.split(f'data-code="{booking["code"]}"', 1)[1].split("</tr>", 1)[0]
    assert "Kaisa Huomenna" in row and "check-in" not in row
    assert 'id="other-day"' in page and f'value="{tomorrow.isoformat()}"' in page
    assert f'id="today" href="{desk}"' in page and f'id="previous-day" href="{desk}"' in page


@pytest.mark.parametrize("asked", ["2026-13-40", "tomorrow", "0001-01-01"])
def test_a_date_the_desk_cannot_show_gives_a_friendly_400_page(app, make, place, asked):
    staff = make.user(organization_id=place["organization_id"], location_ids=[place["id"]])
    refused = signed_in(app, staff).get(f"/staff/{place['slug']}/bookings?date={asked}")
    html = refused.get_data(as_text=True)
    assert refused.status_code == 400 and 'id="desk-error"' in html
    assert "That is not a day we can show" in html and "<h1>Today's bookings</h1>" in html


def test_the_desk_speaks_finnish_from_its_headings_to_the_check_in_messages(app, make, place):
    eino = book_today(place, name="Eino Leino")
    staff = make.user(organization_id=place["organization_id"], location_ids=[place["id"]])
    client = signed_in(app, staff)
    desk = f"/staff/{place['slug']}/bookings"
    page = client.get(f"{desk}?lang=fi").get_data(as_text=True)  # the language stays in a cookie
    assert '<html lang="fi">' in page and "Tämän päivän varaukset" in page and "Seuraava päivä" in page
    assert re.search(r'<td class="time">\d{1,2}\.\d\d</td>', page)  # the Finnish clock: "9.30"
    done = client.post(f"{desk}/check-in", data={"code": eino["code"]})
    with read_session() as session:
        number = session.query(Ticket.number).filter(Ticket.name == "Eino Leino").scalar()
    checked = client.get(done.headers["Location"]).get_data(as_text=True)
    assert f"Ilmoittauduttu: vuoronumero {number} on jonossa." in checked
    again = client.post(f"{desk}/check-in", data={"code": eino["code"]})
    assert "already=1" in again.headers["Location"]
    told = client.get(again.headers["Location"]).get_data(as_text=True)
    assert f"Asiakas on jo ilmoittautunut: vuoronumero {number}." in told
    wrong = client.post(f"{desk}/check-in", data={"code": "ABCD-2345"}).get_data(as_text=True)
    assert "Tällä koodilla ei löydy varausta" in wrong
    tomorrow = client.get(f"{desk}?date={(today() + timedelta(days=1)).isoformat()}").get_data(as_text=True)
    assert "Varaukset: " in tomorrow and "Katselet toisen päivän varauksia." in tomorrow


def test_a_late_check_in_at_the_desk_tells_staff_the_customer_waits_in_line_without_the_slot(app, make):
    late_policy = {"appointments": {"grace_s": 0, "late": "walk_in", "expire_s": 86400, "early_s": 3600}}
    place = make_bookable(make, mode="hybrid", settings=late_policy)
    with transaction() as tx:
        tx.session.get(Location, place["id"]).opening_hours = ALL_DAY
    day = (utcnow() - timedelta(minutes=2)).astimezone(ZoneInfo(ZONE)).date()
    before = datetime.combine(day, datetime.min.time(), ZoneInfo(ZONE))  # booked when the day began
    service_id = place["service_ids"][0]
    past = [
        s
        for s in list_slots(location_slug=place["slug"], service_id=service_id, day=day, now=before)
        if datetime.fromisoformat(s["starts_at"]) < utcnow() - timedelta(minutes=2)
    ]
    if not past:
        pytest.skip("no slot has started yet on the location's day")
    starts_at = datetime.fromisoformat(past[-1]["starts_at"])
    code = book_appointment(
        location_slug=place["slug"], service_id=service_id, starts_at=starts_at, now=before
    )["code"]
    staff = make.user(organization_id=place["organization_id"], location_ids=[place["id"]])
    client = signed_in(app, staff)
    desk = f"/staff/{place['slug']}/bookings"
    client.get(f"{desk}?lang=fi")
    done = client.post(f"{desk}/check-in", data={"code": code})
    told = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "Ilmoittauduttu myöhässä: varauksen aika oli jo mennyt" in told


def test_managers_see_booked_checked_in_no_show_and_cancelled_per_service(app, make, place):
    kept = book_today(place, name="A")
    dropped = book_today(place, name="B")
    other_service = book_today(place, service_index=1, name="C")
    cancel_appointment(code=dropped["code"], now=utcnow())
    from qserve.appointments.services import check_in

    check_in(code=other_service["code"], now=utcnow(), channel="staff")
    manager = make.user(organization_id=place["organization_id"], role="manager")
    client = signed_in(app, manager)
    page = client.get(f"/manage/appointments/{place['slug']}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    rows = {
        service_id: html.split(f'data-service="{service_id}">', 1)[1].split("</tr>", 1)[0]
        for service_id in place["service_ids"]
    }
    cells = lambda row: re.findall(r"<td[^>]*>([^<]*)</td>", row)[1:]  # noqa: E731
    assert cells(rows[place["service_ids"][0]]) == ["1", "0", "0", "1", "2"]
    assert cells(rows[place["service_ids"][1]]) == ["0", "1", "0", "0", "1"]
    assert kept["status"] == "booked"
    later = (today() + timedelta(days=30)).isoformat()
    empty = client.get(f"/manage/appointments/{place['slug']}?from={later}&to={later}").get_data(as_text=True)
    assert cells(empty.split('id="totals">', 1)[1].split("</tr>", 1)[0]) == ["0", "0", "0", "0", "0"]


@pytest.mark.parametrize(
    ("language", "service", "headings"),
    [
        ("sv", "Konton och kort", ["Bokade", "Incheckade", "Uteblivna", "Avbokade", "Totalt"]),
        ("pl", "Konta i karty", ["Zarezerwowane", "Zgłoszone", "Nieobecni", "Anulowane", "Razem"]),
    ],
)
def test_the_booking_figures_name_services_and_columns_in_the_reader_language(
    app, make, place, language, service, headings
):
    with transaction() as tx:
        location = tx.session.get(Location, place["id"])
        location.languages = ["fi", "sv", "pl", "en"]  # the location's own first language is Finnish
        location.services[0].names = {
            "en": "Accounts and cards",
            "fi": "Tilit ja kortit",
            "sv": "Konton och kort",
            "pl": "Konta i karty",
        }
    manager = make.user(organization_id=place["organization_id"], role="manager")
    html = (
        signed_in(app, manager)
        .get(f"/manage/appointments/{place['slug']}?lang={language}")
        .get_data(as_text=True)
    )
    first = html.split(f'data-service="{place["service_ids"][0]}">', 1)[1].split("</tr>", 1)[0]
    assert f"<td>{service}</td>" in first and "Tilit ja kortit" not in html
    # columns of counts: plural in Swedish and Polish, where one booking's status is singular
    assert (
        re.findall(r"<th>([^<]*)</th>", html.split("<thead>", 1)[1].split("</thead>", 1)[0])[1:] == headings
    )


def test_staff_get_403_and_other_organizations_404_on_the_figures(app, make, place):
    # First: the test's app context keeps the last signed-in user in `g` across test clients.
    assert app.test_client().get(f"/manage/appointments/{place['slug']}").status_code == 302
    staff = make.user(organization_id=place["organization_id"], location_ids=[place["id"]])
    assert signed_in(app, staff).get(f"/manage/appointments/{place['slug']}").status_code == 403
    stranger = make.user(organization_id=make.organization(), role="manager")
    assert signed_in(app, stranger).get(f"/manage/appointments/{place['slug']}").status_code == 404


def test_a_walk_in_on_the_phone_is_told_the_site_is_full_and_offered_a_booking(app, make):
    location = make_bookable(make, mode="hybrid", settings={"appointments": {"on_site_cap": 1}})
    with transaction() as tx:  # open round the clock: the real clock runs here, and the cap is the point
        tx.session.get(Location, location["id"]).opening_hours = ROUND_THE_CLOCK
    make.ticket(location=location, now=utcnow())
    client = app.test_client()
    refused = client.post(f"/join/{location['slug']}/{location['service_ids'][1]}", data={"name": "Kim"})
    html = refused.get_data(as_text=True)
    assert refused.status_code == 409 and "The place is full at the moment" in html
    assert f'id="book-instead" href="/book/{location["slug"]}"' in html
    finnish = client.post(
        f"/join/{location['slug']}/{location['service_ids'][1]}?lang=fi", data={"name": "Kim"}
    )
    assert "Paikka on juuri nyt täynnä" in finnish.get_data(as_text=True)
