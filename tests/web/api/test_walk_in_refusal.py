"""The join API refuses walk-ins where only appointments are taken, and honours tickets issued before."""

from tests.web.api.test_api import join


def test_a_walk_in_where_only_appointments_are_taken_is_409_with_a_code(client, staff):
    from qserve.db import transaction
    from qserve.models import Location

    location = staff["location"]
    waiting = join(client, location).get_json()
    with transaction() as tx:
        tx.session.get(Location, location["id"]).mode = "appointments"
    refused = join(client, location)
    assert refused.status_code == 409
    assert refused.get_json()["error"]["code"] == "appointments_only"
    assert "appointment" in refused.get_json()["error"]["message"]
    assert join(client, location, channel="staff").get_json()["error"]["code"] == "appointments_only"
    assert client.get(f"/api/v1/tickets/{waiting['token']}").get_json()["status"] == "waiting"
    with transaction() as tx:
        tx.session.get(Location, location["id"]).mode = "hybrid"
    assert join(client, location).status_code == 201


def test_staff_with_their_token_let_a_walk_in_in_where_only_appointments_are_taken(client, staff, make):
    from qserve.db import transaction
    from qserve.models import Location

    def join_as(location, headers):
        body = {"service_id": location["service_ids"][0], "channel": "staff"}
        return client.post(f"/api/v1/locations/{location['slug']}/tickets", json=body, headers=headers)

    location = staff["location"]
    with transaction() as tx:
        tx.session.get(Location, location["id"]).mode = "appointments"
    response = join_as(location, staff["headers"])
    assert response.status_code == 201
    assert response.get_json()["status"] == "waiting"
    forged = join_as(location, {"Authorization": "Bearer qs_forged"})
    assert forged.status_code == 401
    elsewhere = make.location(organization_id=location["organization_id"], slug="elsewhere")
    with transaction() as tx:
        tx.session.get(Location, elsewhere["id"]).mode = "appointments"
    assert join_as(elsewhere, staff["headers"]).status_code == 403
