"""The JSON API: joining, following, staff actions, errors that say what is wrong."""

import re

import pytest


def join(client, location, **body):
    body = {"service_id": location["service_ids"][0]} | body
    return client.post(f"/api/v1/locations/{location['slug']}/tickets", json=body)


def test_joining_returns_the_ticket_with_position_estimate_and_url(client, staff):
    location = staff["location"]
    first = join(client, location, name="Maija", phone="040 123 4567", language="fi")
    second = join(client, location)
    assert first.status_code == 201
    body = second.get_json()
    assert body["number"] == "A002" and body["status"] == "waiting" and body["position"] == 2
    assert set(body["estimated_wait"]) == {"p10_s", "p50_s", "p90_s"}
    assert (
        body["estimated_wait"]["p10_s"] <= body["estimated_wait"]["p50_s"] <= body["estimated_wait"]["p90_s"]
    )
    assert body["url"].endswith(f"/t/{body['token']}")
    assert second.headers["Location"].endswith(f"/api/v1/tickets/{body['token']}")
    assert client.get(second.headers["Location"]).get_json()["token"] == body["token"]  # it leads there
    assert "phone" not in body  # the public view carries no personal data


def test_locations_services_and_counters_are_listed(client, staff):
    location = staff["location"]
    join(client, location)
    slugs = [loc["slug"] for loc in client.get("/api/v1/locations").get_json()["locations"]]
    services = client.get(f"/api/v1/locations/{location['slug']}/services").get_json()["services"]
    counters = client.get(f"/api/v1/locations/{location['slug']}/counters").get_json()["counters"]
    assert location["slug"] in slugs
    assert [s["waiting"] for s in services] == [1, 0]
    assert all("estimated_wait" in s for s in services)
    assert [c["id"] for c in counters] == location["counter_ids"]


@pytest.mark.parametrize("config_overrides", [{"RATELIMIT_ENABLED": False}])  # four joins in a row
def test_the_wait_listed_beside_a_service_is_the_one_the_next_join_is_told(client, staff):
    """The service lists (the API's, the kiosk's buttons, the phone's join page) show the learned estimate
    of a newcomer, moved by those who joined since the last refresh as a join is: a customer chooses by
    the wait the ticket then says, with nobody in line, with a counter open and as the line grows."""
    location, headers = staff["location"], staff["headers"]
    services_url = f"/api/v1/locations/{location['slug']}/services"
    first_counter = location["counter_ids"][0]
    for step in range(4):
        if step == 2:
            assert client.post(f"/api/v1/counters/{first_counter}/open", headers=headers).status_code == 200
        listed = client.get(services_url).get_json()["services"][0]["estimated_wait"]
        answer = join(client, location)
        assert answer.status_code == 201, answer.get_json()
        told = answer.get_json()["estimated_wait"]
        assert listed["p50_s"] == told["p50_s"], f"join {step + 1}"


@pytest.mark.parametrize("config_overrides", [{"RATELIMIT_ENABLED": False}])
def test_a_counter_opened_by_another_process_changes_the_listed_wait_as_it_changes_a_join(client, staff):
    """Another server process's change reaches this one's estimator only with its next refresh: the list
    checks the counters as a join does, rather than show what the last refresh prepared."""
    from qserve.db import transaction
    from qserve.models import Counter

    location = staff["location"]
    services_url = f"/api/v1/locations/{location['slug']}/services"
    join(client, location)
    client.get(services_url)  # the estimator has prepared this location's newcomers
    with transaction() as tx:  # as another process would: no event reaches this one
        counter = tx.session.get(Counter, location["counter_ids"][0])
        counter.is_open, counter.staff_id = True, staff["user"]["id"]
    listed = client.get(services_url).get_json()["services"][0]["estimated_wait"]
    told = join(client, location).get_json()["estimated_wait"]
    assert listed["p50_s"] == told["p50_s"]


def test_the_walk_through_join_call_finish_and_read_the_events(client, staff):
    location, headers = staff["location"], staff["headers"]
    token = join(client, location).get_json()["token"]
    called = client.post(f"/api/v1/counters/{location['counter_ids'][0]}/call-next", headers=headers)
    assert called.status_code == 200 and called.get_json()["status"] == "called"
    ticket_id = called.get_json()["id"]
    assert client.get(f"/api/v1/tickets/{token}").get_json()["counter"] == "1"
    for action in ("start", "finish"):
        assert client.post(f"/api/v1/tickets/{ticket_id}/{action}", headers=headers).status_code == 200
    events = client.get(f"/api/v1/tickets/{ticket_id}/events", headers=headers).get_json()["events"]
    assert [e["action"] for e in events] == ["issue", "call", "start", "finish"]
    assert (
        client.post(f"/api/v1/counters/{location['counter_ids'][0]}/call-next", headers=headers).status_code
        == 204
    )


def test_the_customer_cancels_with_the_token_and_staff_cancel_with_the_id(client, staff):
    location, headers = staff["location"], staff["headers"]
    mine = join(client, location).get_json()
    theirs = join(client, location).get_json()
    assert client.post(f"/api/v1/tickets/{mine['token']}/cancel").get_json()["status"] == "cancelled"
    response = client.post(
        f"/api/v1/tickets/{theirs['id']}/cancel", headers=headers, json={"reason": "duplicate"}
    )
    assert response.get_json()["status"] == "cancelled"
    anonymous = client.post(f"/api/v1/tickets/{theirs['id']}/cancel")
    assert anonymous.status_code == 401, anonymous.get_json()


@pytest.mark.parametrize("config_overrides", [{"RATELIMIT_ENABLED": False}])
def test_asking_for_more_time_answers_with_the_new_place_and_its_wait(app, client, staff, monkeypatch):
    """The page shows the answer at once: its wait must be that of the new place, not the one stored
    before the move (the refresh that would store it comes a moment later)."""
    monkeypatch.setattr(app.extensions["qserve.publisher"], "flush", lambda: None)
    location = staff["location"]
    mine = join(client, location).get_json()
    for _ in range(4):
        join(client, location)
    before = client.get(f"/api/v1/tickets/{mine['token']}").get_json()
    moved = client.post(f"/api/v1/tickets/{mine['token']}/postpone").get_json()
    assert (before["position"], moved["position"]) == (1, 4)
    assert moved["estimated_wait"]["p50_s"] > before["estimated_wait"]["p50_s"]
    assert (
        client.get(f"/api/v1/tickets/{mine['token']}").get_json()["estimated_wait"] == moved["estimated_wait"]
    )


@pytest.mark.parametrize("config_overrides", [{"RATELIMIT_ENABLED": False}])
def test_more_time_for_the_last_in_line_is_a_409_saying_nobody_is_behind(client, staff):
    mine = join(client, staff["location"]).get_json()
    refused = client.post(f"/api/v1/tickets/{mine['token']}/postpone")
    assert refused.status_code == 409
    assert refused.get_json()["error"]["code"] == "nobody_behind"
    assert "nobody waits behind you" in refused.get_json()["error"]["message"]
    assert client.get(f"/api/v1/tickets/{mine['token']}").get_json()["can_postpone"] is True


def test_staff_actions_cover_the_lifecycle(client, staff):
    location, headers = staff["location"], staff["headers"]
    join(client, location)
    ticket_id = client.post(
        f"/api/v1/counters/{location['counter_ids'][0]}/call-next", headers=headers
    ).get_json()["id"]
    steps = [
        ("recall", {}, "called"),
        ("park", {}, "parked"),
        ("resume", {}, "waiting"),
        ("transfer", {"service_id": location["service_ids"][1], "keep_place": False}, "waiting"),
    ]
    for action, body, status in steps:
        response = client.post(f"/api/v1/tickets/{ticket_id}/{action}", headers=headers, json=body)
        assert (action, response.status_code, response.get_json()["status"]) == (action, 200, status)
    queue = client.get(f"/api/v1/locations/{location['slug']}/queue", headers=headers).get_json()
    assert [len(s["waiting"]) for s in queue["services"]] == [0, 1]


@pytest.mark.parametrize(
    ("body", "status", "code", "field"),
    [
        ({"service_id": "x"}, 422, "validation_failed", "service_id"),
        ({}, 422, "validation_failed", "service_id"),
        ({"service_id": 1, "phone": "123"}, 422, "validation_failed", "phone"),
        ({"service_id": 1, "email": "nope"}, 422, "validation_failed", "email"),
        ({"service_id": 1, "language": "xx"}, 422, "validation_failed", "language"),
        ({"service_id": 1, "answers": [1]}, 422, "validation_failed", "answers"),
        ({"service_id": 1, "name": 5}, 422, "validation_failed", "name"),
        ({"service_id": 999999}, 404, "not_found", "service_id"),
    ],
)
def test_bad_input_gets_a_4xx_naming_the_field(client, staff, body, status, code, field):
    location = staff["location"]
    if body.get("service_id") == 1:
        body["service_id"] = location["service_ids"][0]
    response = client.post(f"/api/v1/locations/{location['slug']}/tickets", json=body)
    assert response.status_code == status
    assert response.get_json()["error"]["code"] == code
    assert response.get_json()["error"]["field"] == field


def test_unreadable_bodies_and_unknown_things_get_json_errors(client, staff):
    location, headers = staff["location"], staff["headers"]
    bad = client.post(
        f"/api/v1/locations/{location['slug']}/tickets", data="{", content_type="application/json"
    )
    assert bad.status_code == 400 and bad.get_json()["error"]["code"] == "bad_request"
    assert client.get("/api/v1/tickets/tnope").status_code == 404
    assert client.get("/api/v1/nowhere").get_json()["error"]["code"] == "not_found"
    assert client.post("/api/v1/locations/nowhere/tickets", json={"service_id": 1}).status_code == 404
    assert client.post("/api/v1/tickets/1/explode", headers=headers).status_code == 404


def test_a_transition_that_is_not_allowed_is_409(client, staff):
    location, headers = staff["location"], staff["headers"]
    ticket = join(client, location).get_json()
    response = client.post(f"/api/v1/tickets/{ticket['id']}/finish", headers=headers)
    assert response.status_code == 409
    assert response.get_json()["error"] == {
        "code": "invalid_transition",
        "message": "cannot finish a ticket that is waiting",
    }


def test_staff_need_a_valid_token_and_their_own_location(client, staff, make):
    from datetime import UTC, datetime

    from qserve.services.accounts import create_token

    location = staff["location"]
    ticket = join(client, location).get_json()
    assert client.get(f"/api/v1/locations/{location['slug']}/queue").status_code == 401
    bad = client.get(
        f"/api/v1/locations/{location['slug']}/queue", headers={"Authorization": "Bearer qs_forged"}
    )
    assert bad.status_code == 401
    elsewhere = make.location(organization_id=location["organization_id"])
    stranger = make.user(organization_id=location["organization_id"], location_ids=[elsewhere["id"]])
    headers = {"Authorization": f"Bearer {create_token(email=stranger['email'], now=datetime.now(UTC))}"}
    assert client.post(f"/api/v1/tickets/{ticket['id']}/start", headers=headers).status_code == 403
    assert client.get(f"/api/v1/locations/{location['slug']}/queue", headers=headers).status_code == 403


def test_the_openapi_document_describes_the_api(client):
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["openapi"].startswith("3.")
    assert "/locations/{slug}/tickets" in document["paths"]
    assert "/counters/{id}/call-next" in document["paths"]
    assert document["components"]["schemas"]["Ticket"]["required"][:3] == ["id", "token", "number"]


def test_the_openapi_document_is_valid_and_describes_every_route_under_api_v1(app, client):
    from openapi_spec_validator import validate

    document = client.get("/api/v1/openapi.json").get_json()
    validate(document)  # raises, saying where, if it is not a valid OpenAPI 3.1 document

    def shape(path: str) -> str:
        return re.sub(r"\{[^}]+\}", "{}", path)

    described = {(shape(path), method.upper()) for path, item in document["paths"].items() for method in item}
    served = {
        (shape(re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", rule.rule.removeprefix("/api/v1"))), method)
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/v1/")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert served - described == set()
    assert described - served == set()


@pytest.fixture
def config_overrides():
    return {
        "RATELIMIT_ENABLED": True,
        "RATELIMIT_JOIN": "3 per minute",
        "RATELIMIT_JOIN_PER_PHONE": "2 per hour",
    }


def test_joining_too_often_is_rate_limited_with_a_429(client, staff):
    location = staff["location"]
    statuses = [join(client, location).status_code for _ in range(4)]
    assert statuses == [201, 201, 201, 429]
    assert join(client, location).get_json()["error"]["code"] == "rate_limited"


def test_the_language_chosen_later_is_remembered_on_the_ticket(client, staff):
    from qserve.db import read_session
    from qserve.models import Ticket

    ticket = join(client, staff["location"], language="fi").get_json()
    response = client.post(f"/api/v1/tickets/{ticket['token']}/language", json={"language": "sv"})
    assert response.status_code == 200 and response.get_json()["language"] == "sv"
    assert client.get(f"/t/{ticket['token']}?lang=pl").status_code == 200  # switched on the page itself
    with read_session() as session:
        assert session.get(Ticket, ticket["id"]).language == "pl"
    bad = client.post(f"/api/v1/tickets/{ticket['token']}/language", json={"language": "de"})
    assert bad.status_code == 422 and bad.get_json()["error"]["field"] == "language"


@pytest.mark.parametrize(
    ("config_overrides", "second"),
    [
        ({"RATELIMIT_ENABLED": True, "RATELIMIT_JOIN": "1 per minute"}, 429),
        ({"RATELIMIT_ENABLED": True, "RATELIMIT_JOIN": "1 per minute", "TRUSTED_PROXIES": 1}, 201),
    ],
    ids=["served-directly", "behind-a-trusted-proxy"],
)
def test_a_forwarded_address_counts_for_the_join_limit_only_behind_a_trusted_proxy(client, staff, second):
    """Served directly, a client cannot choose the address its join limit counts by sending X-Forwarded-For;
    behind a proxy qserve is told of (QSERVE_TRUSTED_PROXIES), each customer the proxy names has a limit of
    their own (tests/web/test_deploy.py runs it through nginx)."""
    location = staff["location"]

    def join_from(address):
        return client.post(
            f"/api/v1/locations/{location['slug']}/tickets",
            json={"service_id": location["service_ids"][0]},
            headers={"X-Forwarded-For": address},
        ).status_code

    assert [join_from("203.0.113.7"), join_from("203.0.113.8")] == [201, second]
