"""Shared page behaviour: the page's language in <html lang>, signing in with the address in any letter case,
and a deactivated account loses its session."""

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


def test_staff_sign_in_with_their_address_in_any_letter_case(client, make):
    location = make.location()
    staff = make.user(organization_id=location["organization_id"], location_ids=[location["id"]])
    local, domain = staff["email"].split("@")
    sign_in(client, f" {local.capitalize()}@{domain.upper()} ")  # signed in: sent on, not the form again


def test_two_old_accounts_that_differ_in_case_only_sign_in_by_their_exact_spelling(client, make):
    location = make.location()
    staff = make.user(organization_id=location["organization_id"], location_ids=[location["id"]])
    twin = make.user(organization_id=location["organization_id"], location_ids=[location["id"]])
    with transaction() as tx:  # made before add_user refused a second account in other case
        tx.session.execute(update(User).where(User.id == twin["id"]).values(email=staff["email"].upper()))
    sign_in(client, staff["email"].upper())
    client.post("/logout")
    refused = client.post("/login", data={"email": staff["email"].title(), "password": PASSWORD})
    assert refused.status_code == 401  # which of the two? neither: the form asks again
