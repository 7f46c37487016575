"""Start a real qserve server and report tickets issued per second and call-next per second over HTTP,
next to the same server's throughput on a trivial endpoint (the ceiling), as a ratio.

    python bench/throughput.py [--postgres URL] [--clients 8] [--seconds 5]
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def seed(url: str) -> tuple[dict, str]:
    """Create a location with one service and four counters, a staff member and a token."""
    from qserve import create_app
    from qserve.config import TestConfig
    from qserve.services.accounts import create_token
    from tests.factories import Factory

    app = create_app(TestConfig(database_url=url))
    with app.app_context():
        factory = Factory()
        location = factory.location(services=1, counters=4)
        staff = factory.user(organization_id=location["organization_id"], location_ids=[location["id"]])
        token = create_token(email=staff["email"], now=datetime.now(UTC))
    app.extensions["qserve.db"].dispose()
    return location, token


def hammer(clients: int, seconds: float, request) -> tuple[float, int]:
    """Run `request(session)` from several keep-alive clients for a while; return requests per second."""
    done = [0] * clients
    stop = time.monotonic() + seconds

    def client(index: int) -> None:
        with requests.Session() as session:
            while time.monotonic() < stop:
                if request(session) is False:
                    return
                done[index] += 1

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(done) / (time.monotonic() - started), sum(done)


def main() -> None:
    """Run the benchmark and print the table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--postgres", help="PostgreSQL URL (postgresql+psycopg://...) instead of SQLite")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=5.0)
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="qserve-bench-"))
    url = args.postgres or f"sqlite:///{folder / 'bench.db'}"
    from qserve.migrate import upgrade

    upgrade(url)
    location, token = seed(url)
    from tests.web.conftest import LiveServer

    server = LiveServer(url, folder, extra_env={"QSERVE_REALTIME_COALESCE_S": "0.2"})
    base = server.url
    try:
        ceiling, _ = hammer(args.clients, args.seconds, lambda s: s.get(f"{base}/healthz").ok)
        join = f"{base}/api/v1/locations/{location['slug']}/tickets"
        body = {"service_id": location["service_ids"][0]}
        issue_rate, issued = hammer(
            args.clients, args.seconds, lambda s: s.post(join, json=body).status_code == 201
        )
        headers = {"Authorization": f"Bearer {token}"}
        counters = location["counter_ids"]

        def call(session, _n=[0]):  # noqa: B006 - a shared round-robin index
            _n[0] += 1
            response = session.post(
                f"{base}/api/v1/counters/{counters[_n[0] % 4]}/call-next", headers=headers
            )
            return response.status_code == 200

        call_rate, called = hammer(4, args.seconds, call)
    finally:
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)
    database = "PostgreSQL" if args.postgres else "SQLite (WAL)"
    print(
        f"qserve HTTP throughput on {database}, {args.clients} keep-alive clients, {args.seconds:.0f} s each"
    )
    print(f"{'endpoint':32} {'req/s':>8} {'ratio to ceiling':>18}")
    print(f"{'GET /healthz (ceiling)':32} {ceiling:8.0f} {1.0:18.2f}")
    print(
        f"{'POST .../tickets (issue)':32} {issue_rate:8.0f} {issue_rate / ceiling:18.2f}   ({issued} tickets)"
    )
    print(
        f"{'POST .../call-next (4 counters)':32} {call_rate:8.0f} {call_rate / ceiling:18.2f}   ({called} calls)"
    )
    target = "met" if issue_rate >= ceiling / 3 else "NOT met"
    print(f"target: issuing at least 1/3 of the ceiling -> {target}")


if __name__ == "__main__":
    os.environ.setdefault("QSERVE_INSTANCE_PATH", tempfile.mkdtemp(prefix="qserve-bench-instance-"))
    main()
