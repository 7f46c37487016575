"""Shared page behaviour: the page's language in <html lang>, and a deactivated account loses its session."""

from __future__ import annotations

from flask import g
from sqlalchemy import update

from qserve.db import transaction
from qserve.models import User
from tests.factories import PASSWORD


def sign_in(client, email: str) -> None:
    assert client.post("/login", data={"email": email, "password": PASSWORD}).status_code == 302


def test_every_page_says_its_language(client, make):
    location = make.location()
    manager = make.user(organization_id=location["organization_id"], role="manager")
    assert '<html lang="sv">' in client.get("/login?lang=sv").get_data(as_text=True)
    sign_in(client, manager["email"])
    assert '<html lang="fi">' in client.get("/manage/?lang=fi").get_data(as_text=True)


def test_a_deactivated_account_is_signed_out_at_its_next_request(client, make):
    location = make.location()
    manager = make.user(organization_id=location["organization_id"], role="manager")
    sign_in(client, manager["email"])
    assert client.get("/manage/").status_code == 200
    with transaction() as tx:
        tx.session.execute(update(User).where(User.id == manager["id"]).values(active=False))
    g.pop("_login_user", None)  # each real request has its own app context; the test shares one
    response = client.get("/manage/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
