"""Real server processes: HTTP concurrency on SQLite and PostgreSQL, Socket.IO across processes via Redis."""

import threading
import time
from collections import Counter as Tally
from datetime import UTC, datetime

import pytest
import requests
import socketio as socketio_client

from qserve.services.accounts import create_token
from tests.conftest import REDIS_UP, REDIS_URL
from tests.web.conftest import LiveServer

THREADS = 8
PER_THREAD = 40


def in_threads(count, work):
    errors = []

    def target(index):
        try:
            work(index)
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=target, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def server_and_data(request, tmp_path, make_app_for):
    """Start a real server on a fresh database of each backend, with a location, staff and a token."""
    url = make_app_for(request.param)
    from tests.factories import Factory

    factory = Factory()
    location = factory.location(services=1, counters=4)
    staff = factory.user(organization_id=location["organization_id"], location_ids=[location["id"]])
    token = create_token(email=staff["email"], now=datetime.now(UTC))
    server = LiveServer(url, tmp_path)
    yield server, location, {"Authorization": f"Bearer {token}"}
    server.stop()


@pytest.fixture
def make_app_for(request, tmp_path, sqlite_template):
    """Return a function that prepares a database of a backend and pushes an app on it for seeding."""
    import shutil

    from qserve import create_app
    from qserve.config import TestConfig
    from tests.conftest import _truncate_postgres

    contexts = []

    def prepare(backend):
        if backend == "sqlite":
            shutil.copy(sqlite_template, tmp_path / "http.db")
            url = f"sqlite:///{tmp_path / 'http.db'}"
        else:
            url = request.getfixturevalue("postgres_database")
            _truncate_postgres(url)
        app = create_app(TestConfig(database_url=url))
        context = app.app_context()
        context.push()
        contexts.append((context, app))
        return url

    yield prepare
    for context, app in contexts:
        context.pop()
        app.extensions["qserve.db"].dispose()


def test_tickets_issued_and_called_over_http_in_parallel_are_never_lost_or_doubled(server_and_data):
    server, location, headers = server_and_data
    join_url = f"{server.url}/api/v1/locations/{location['slug']}/tickets"
    numbers: list[str] = []

    def issue(_index):
        with requests.Session() as http:
            for _ in range(PER_THREAD):
                response = http.post(join_url, json={"service_id": location["service_ids"][0]}, timeout=30)
                assert response.status_code == 201, response.text
                numbers.append(response.json()["number"])

    in_threads(THREADS, issue)
    assert len(numbers) == len(set(numbers)) == THREADS * PER_THREAD

    called: list[int] = []

    def serve(index):
        with requests.Session() as http:
            url = f"{server.url}/api/v1/counters/{location['counter_ids'][index]}/call-next"
            while (response := http.post(url, headers=headers, timeout=30)).status_code == 200:
                called.append(response.json()["id"])
            assert response.status_code == 204, response.text

    in_threads(4, serve)
    assert len(called) == THREADS * PER_THREAD
    assert max(Tally(called).values()) == 1


@pytest.mark.redis
@pytest.mark.postgres
def test_a_ticket_watched_on_one_process_hears_a_call_made_on_another(tmp_path, make_app_for):
    if not REDIS_UP:
        pytest.skip("Redis is not reachable")
    url = make_app_for("postgresql")
    from tests.factories import Factory

    factory = Factory()
    location = factory.location(services=1, counters=1)
    staff = factory.user(organization_id=location["organization_id"], location_ids=[location["id"]])
    token = create_token(email=staff["email"], now=datetime.now(UTC))
    redis_env = {"QSERVE_REDIS_URL": REDIS_URL}
    first = LiveServer(url, tmp_path, extra_env=redis_env)
    second = LiveServer(url, tmp_path, extra_env=redis_env)
    try:
        ticket = requests.post(
            f"{first.url}/api/v1/locations/{location['slug']}/tickets",
            json={"service_id": location["service_ids"][0]},
            timeout=10,
        ).json()
        heard = threading.Event()
        calls = []
        client = socketio_client.Client(reconnection=False)

        @client.on("ticket_called", namespace="/ticket")
        def on_called(data):
            calls.append(data)
            heard.set()

        client.connect(first.url, namespaces=["/ticket"], transports=["websocket"], wait_timeout=10)
        assert client.call("watch", {"token": ticket["token"]}, namespace="/ticket", timeout=10) == {
            "ok": True
        }
        response = requests.post(
            f"{second.url}/api/v1/counters/{location['counter_ids'][0]}/call-next",
            headers={"Authorization": f"Bearer {token}"},
            timeout=10,
        )
        assert response.status_code == 200
        assert heard.wait(5), "the call made on the second process never reached the first"
        assert calls == [{"number": ticket["number"], "counter": "1"}]
        client.disconnect()
    finally:
        first.stop()
        second.stop()


def test_without_a_message_queue_the_server_refreshes_its_own_pages_as_time_passes(tmp_path, make_app_for):
    url = make_app_for("sqlite")
    from tests.factories import Factory

    factory = Factory()
    location = factory.location(services=1, counters=1)
    staff = factory.user(organization_id=location["organization_id"], location_ids=[location["id"]])
    server = LiveServer(url, tmp_path, extra_env={"QSERVE_SELF_REFRESH_S": "0.5"})
    try:
        join = f"{server.url}/api/v1/locations/{location['slug']}/tickets"
        body = {"service_id": location["service_ids"][0]}
        requests.post(join, json=body, timeout=10)
        second = requests.post(join, json=body, timeout=10).json()
        assert second["position"] == 2
        moved = threading.Event()
        client = socketio_client.Client(reconnection=False)

        @client.on("ticket_updated", namespace="/ticket")
        def on_update(view):
            if view.get("position") == 1:
                moved.set()

        client.connect(server.url, namespaces=["/ticket"], transports=["websocket"], wait_timeout=10)
        assert client.call("watch", {"token": second["token"]}, namespace="/ticket", timeout=10)["ok"]
        time.sleep(1.5)  # whatever the join and the watch set off is over
        assert not moved.is_set()
        # Another process (the scheduler, a second server without Redis) calls the first ticket: this server
        # hears of it only through its own periodic refresh.
        from qserve.services.calling import call_next

        assert call_next(counter_id=location["counter_ids"][0], actor=staff["actor"], now=datetime.now(UTC))
        assert moved.wait(5), "the page never heard that it moved up"
        client.disconnect()
    finally:
        server.stop()
