"""The administration pages with CSRF protection on, as in production (the test config turns it off)."""

from __future__ import annotations

import re

import pytest

from qserve.db import read_session
from qserve.models import Location
from tests.factories import PASSWORD
from tests.web.admin.test_admin_pages import location_form


@pytest.fixture
def config_overrides():
    """Turn CSRF protection on, as in production (the test config turns it off)."""
    return {"WTF_CSRF_ENABLED": True}


def test_changes_need_the_form_csrf_token(client, org):
    page = client.get("/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)[1]
    login = {"email": org["admin"]["email"], "password": PASSWORD, "csrf_token": token}
    assert client.post("/login", data=login).status_code == 302
    path = f"/admin/locations/{org['north']['id']}"
    assert client.post(path, data=location_form(name="Forged")).status_code == 400
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text)[1]
    assert client.post(path, data=location_form(name="Real", csrf_token=token)).status_code == 303
    with read_session() as session:
        assert session.get(Location, org["north"]["id"]).name == "Real"
