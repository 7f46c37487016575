"""The change log page over HTTP on both backends: keyset pages, filters, scope and friendly bad values."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest

from qserve.admin.audit import PAGE_SIZE, record
from qserve.db import transaction
from tests.factories import PASSWORD
from tests.integration.admin.helpers import editor_of, organization

ENTRY = re.compile(r'data-entry="(\d+)"')


@pytest.fixture
def org(make):
    """An organization with two locations, users of every role, and a foreign organization with its admin."""
    made = organization(make)
    made["stranger"] = make.user(
        organization_id=made["foreign"]["organization_id"], role="admin", name="Fred Foreign"
    )
    return made


@pytest.fixture
def client(app):
    """Return a Flask test client."""
    return app.test_client()


def sign_in(client, user: dict) -> None:
    """Sign in through the login form."""
    response = client.post("/login", data={"email": user["email"], "password": PASSWORD})
    assert response.status_code == 302


def write_entries(user: dict, clock, count: int, *, location_id: int | None, entity: str = "service") -> list:
    """Write `count` audit entries by a user, a minute apart in pairs (so ties on time are paged by id)."""
    editor = editor_of(user["id"])
    with transaction() as tx:
        entries = []
        for number in range(count):
            now = clock.advance(minutes=1) if number % 2 == 0 else clock.now
            entry = record(
                tx.session,
                editor,
                entity=entity,
                entity_id=number,
                label=f"{entity}-{location_id}-{number}",
                action="create",
                changes={"name": [None, f"#{number}"]},
                now=now,
                location_id=location_id,
            )
            tx.session.flush()
            entries.append(entry.id)
    return entries


def shown(response) -> list[int]:
    """Return the ids of the entries a page lists, top to bottom."""
    assert response.status_code == 200, response.text
    return [int(found) for found in ENTRY.findall(response.text)]


def link(response, name: str) -> str | None:
    """Return the address of the page's "Newer" or "Older" link (None when it has none)."""
    found = re.search(rf'id="{name}" href="([^"]+)"', response.text)
    return html.unescape(found.group(1)) if found else None


def walk(client, start: str) -> list[list[int]]:
    """Follow the "Older" links from a page to the last one; return each page's entries."""
    pages, address = [], start
    while address:
        response = client.get(address)
        pages.append(shown(response))
        address = link(response, "older")
    return pages


def test_a_hundred_and_twenty_entries_page_through_fifty_fifty_twenty_with_none_twice_or_missing(
    client, org, clock
):
    written = write_entries(org["admin"], clock, 120, location_id=org["north"]["id"])
    sign_in(client, org["admin"])
    pages = walk(client, "/admin/audit")
    assert [len(page) for page in pages] == [PAGE_SIZE, PAGE_SIZE, 20]
    assert [entry for page in pages for entry in page] == written[::-1]

    last = client.get(f"/admin/audit?before={pages[1][-1]}")
    back = client.get(link(last, "newer"))
    assert shown(back) == pages[1] and shown(client.get(link(back, "newer"))) == pages[0]
    assert link(client.get("/admin/audit"), "newer") is None and link(last, "older") is None


def test_an_entry_written_while_paging_does_not_shift_the_older_pages(client, org, clock):
    write_entries(org["admin"], clock, 120, location_id=org["north"]["id"])
    sign_in(client, org["admin"])
    first = client.get("/admin/audit")
    before = walk(client, "/admin/audit")

    [newest] = write_entries(org["admin"], clock, 1, location_id=org["north"]["id"])
    assert walk(client, link(first, "older")) == before[1:]
    second = client.get(link(first, "older"))
    assert shown(client.get(link(second, "newer"))) == before[0]
    assert shown(client.get("/admin/audit"))[:2] == [newest, before[0][0]]


def test_each_filter_narrows_the_list_and_survives_the_paging_links(client, org, clock, make):
    north, south = org["north"]["id"], org["south"]["id"]
    north_services = write_entries(org["admin"], clock, 60, location_id=north)
    north_counters = write_entries(org["manager"], clock, 3, location_id=north, entity="counter")
    south_services = write_entries(org["admin"], clock, 4, location_id=south)
    clock.advance(days=2)
    later = write_entries(org["admin"], clock, 2, location_id=south, entity="kiosk")
    sign_in(client, org["admin"])

    pages = walk(client, f"/admin/audit?location={north}&kind=service")
    assert [entry for page in pages for entry in page] == north_services[::-1]
    assert "location=" in link(client.get(f"/admin/audit?location={north}&kind=service"), "older")
    assert set(shown(client.get(f"/admin/audit?location={south}"))) == {*south_services, *later}
    assert shown(client.get("/admin/audit?kind=counter")) == north_counters[::-1]
    assert shown(client.get(f"/admin/audit?person={org['manager']['id']}")) == north_counters[::-1]
    day = clock.now.date()
    assert shown(client.get(f"/admin/audit?from={day}&to={day}")) == later[::-1]
    until = walk(client, f"/admin/audit?to={day - timedelta(days=1)}")
    assert [entry for page in until for entry in page] == (north_services + north_counters + south_services)[
        ::-1
    ]
    assert shown(client.get(f"/admin/audit?location={south}&kind=service&from={day}")) == []
    assert "No changes match these filters." in client.get("/admin/audit?kind=user").text


def test_a_date_range_takes_whole_days_in_utc(client, org, clock):
    morning = write_entries(org["admin"], clock, 1, location_id=None)  # 2026-11-23 09:01 UTC
    clock.advance(hours=15)
    night = write_entries(org["admin"], clock, 1, location_id=None)  # 2026-11-24 00:02 UTC
    sign_in(client, org["admin"])
    assert shown(client.get("/admin/audit?from=2026-11-23&to=2026-11-23")) == morning
    assert shown(client.get("/admin/audit?from=2026-11-24")) == night
    assert shown(client.get("/admin/audit?to=2026-11-24")) == night + morning
    assert shown(client.get("/admin/audit?from=2026-11-25&to=9999-12-31")) == []


def test_a_manager_never_sees_another_organizations_or_locations_entries_even_by_hand(client, org, clock):
    north, south, foreign = org["north"]["id"], org["south"]["id"], org["foreign"]["id"]
    own = write_entries(org["admin"], clock, 3, location_id=north)
    other_location = write_entries(org["admin"], clock, 2, location_id=south)
    whole_organization = write_entries(org["admin"], clock, 1, location_id=None, entity="organization")
    elsewhere = write_entries(org["stranger"], clock, 3, location_id=foreign)
    sign_in(client, org["manager"])

    assert shown(client.get("/admin/audit")) == own[::-1]
    assert shown(client.get("/admin/audit?kind=organization")) == []
    assert shown(client.get(f"/admin/audit?person={org['admin']['id']}")) == own[::-1]
    hand_typed = [
        f"location={south}",
        f"location={foreign}",
        f"person={org['stranger']['id']}",
        f"before={elsewhere[-1]}",
        f"after={elsewhere[0]}",
        f"before={other_location[0]}",
        f"after={whole_organization[0]}",
        f"location={foreign}&kind=service&before={elsewhere[-1]}",
    ]
    for query in hand_typed:
        response = client.get(f"/admin/audit?{query}")
        assert response.status_code == 400, query
        assert 'role="alert"' in response.text and ENTRY.findall(response.text) == [], query
        assert f"-{foreign}-" not in response.text and "Fred Foreign" not in response.text, query
    assert "Fred Foreign" not in client.get("/admin/audit").text


def test_an_admin_sees_the_whole_organization_but_no_other(client, org, clock):
    north, foreign = org["north"]["id"], org["foreign"]["id"]
    own = write_entries(org["manager"], clock, 2, location_id=north)
    whole_organization = write_entries(org["admin"], clock, 1, location_id=None, entity="organization")
    elsewhere = write_entries(org["stranger"], clock, 2, location_id=foreign)
    sign_in(client, org["admin"])
    assert shown(client.get("/admin/audit")) == (own + whole_organization)[::-1]
    assert client.get(f"/admin/audit?location={foreign}").status_code == 400
    assert client.get(f"/admin/audit?before={elsewhere[0]}").status_code == 400
    assert client.get(f"/admin/audit?person={org['stranger']['id']}").status_code == 400


BAD_VALUES = [
    ("location=abc", "location", "Choose one of your locations"),
    ("location=%C2%B2", "location", "Choose one of your locations"),
    ("location=-3", "location", "Choose one of your locations"),
    ("location=99999999999999999999", "location", "Choose one of your locations"),
    (f"location={'9' * 5000}", "location", "Choose one of your locations"),
    ("location=424242", "location", "Choose one of your locations"),
    ("kind=ticket", "kind", "Choose a kind of item from the list"),
    ("person=Ada", "person", "Choose a person from the list"),
    ("person=424242", "person", "Choose a person from the list"),
    ("from=2026-13-01", "from", "Write the date as YYYY-MM-DD"),
    ("to=yesterday", "to", "Write the date as YYYY-MM-DD"),
    ("from=2026-11-24&to=2026-11-23", "range", "The start date is after the end date"),
    ("before=x1", "page", "This page link is out of date"),
    ("after=424242", "page", "This page link is out of date"),
    ("before=1&after=1", "page", "This page link is out of date"),
]


@pytest.mark.parametrize(("query", "field", "message"), BAD_VALUES)
def test_a_bad_filter_value_gives_a_friendly_400_that_keeps_the_form(
    client, org, clock, query, field, message
):
    write_entries(org["admin"], clock, 2, location_id=org["north"]["id"])
    sign_in(client, org["admin"])
    response = client.get(f"/admin/audit?{query}")
    assert response.status_code == 400
    assert 'role="alert"' in response.text and message in response.text
    assert ENTRY.findall(response.text) == [] and 'id="audit-filters"' in response.text
    if field in ("location", "kind", "person", "from", "to"):
        assert re.search(rf'id="{field}"[^>]*aria-invalid="true"', response.text)


@pytest.mark.parametrize(
    ("lang", "message"),
    [
        ("fi", "Kirjoita päivämäärä muodossa VVVV-KK-PP"),
        ("sv", "Skriv datumet som ÅÅÅÅ-MM-DD"),
        ("pl", "Wpisz datę w formacie RRRR-MM-DD"),
    ],
)
def test_a_bad_value_is_explained_in_the_page_language(client, org, lang, message):
    sign_in(client, org["manager"])
    client.set_cookie("lang", lang)
    response = client.get("/admin/audit?from=23.11.2026")
    assert response.status_code == 400 and message in response.text
    assert f'<html lang="{lang}">' in response.text
