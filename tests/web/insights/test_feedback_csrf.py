"""The feedback page with CSRF protection on, as in production (the test config turns it off)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from qserve.db import read_session
from qserve.models import Ticket
from tests.integration.insights.helpers import serve


@pytest.fixture
def config_overrides():
    """Turn CSRF protection on, as in production (the test config turns it off)."""
    return {"WTF_CSRF_ENABLED": True}


def test_an_answer_sent_after_the_phone_lost_its_session_is_explained_in_the_visits_language(client, make):
    location = make.location()
    staff = make.user(organization_id=location["organization_id"], location_ids=[location["id"]])
    joined = datetime.now(UTC) - timedelta(minutes=30)
    ticket_id = serve(make, location, staff, joined=joined, wait_s=60, service_s=60, language="fi")
    with read_session() as session:
        token = session.get(Ticket, ticket_id).public_token
    page = client.get(f"/feedback/{token}").text
    stale = re.search(r'name="csrf_token" value="([^"]+)"', page)[1]
    client.delete_cookie("session")  # the browser dropped its session cookie while the page stayed open

    response = client.post(f"/feedback/{token}", data={"csrf_token": stale, "rating": "5", "lang": "fi"})
    assert response.status_code == 400
    assert '<html lang="fi">' in response.text
    assert (
        "Lomake on vanhentunut. Palaa takaisin, lataa sivu uudelleen ja lähetä lomake uudestaan."
        in response.text
    )
    assert "CSRF" not in response.text
