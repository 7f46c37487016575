"""The browser tab's icon: every kind of page names it, and the classic /favicon.ico address leads to it."""

from __future__ import annotations

ICON = '<link rel="icon" href="/static/favicon.svg"'


def test_pages_of_every_front_end_name_the_icon_and_it_is_served(client, make):
    slug = make.location()["slug"]
    pages = ["/login", f"/join/{slug}", f"/display/{slug}", f"/book/{slug}"]
    for path in pages:
        response = client.get(path)
        assert response.status_code == 200, path
        assert ICON in response.get_data(as_text=True), path
    with client.get("/static/favicon.svg") as icon:
        assert icon.status_code == 200 and icon.mimetype == "image/svg+xml"
        assert icon.get_data(as_text=True).startswith("<svg")
    classic = client.get("/favicon.ico")
    assert classic.status_code == 301 and classic.headers["Location"].endswith("/static/favicon.svg")
