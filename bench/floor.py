"""What a write endpoint can reach on this stack at best: qserve's app (its middleware, its SQLite engine)
with two bare endpoints added, one running a single INSERT and one five raw statements per request, next
to /healthz, in process (Flask's test client), as ratios. Issuing a ticket is measured over HTTP by
`bench/throughput.py`. It bounds what `bench/throughput.py` can show for
a design that opens one transaction per request.

    python bench/floor.py [--requests 2000]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from flask import jsonify, request
from sqlalchemy import text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

STATEMENTS = [
    "SELECT id, slug, settings FROM locations WHERE slug = :slug",
    "SELECT count(*) FROM bench_floor WHERE service_id = :service_id",
    "INSERT INTO bench_floor (service_id, token) VALUES (:service_id, 'event')",
    "UPDATE bench_floor SET service_id = service_id WHERE id = 1",
]


def main() -> None:
    """Time the endpoints and print the table."""
    from qserve import create_app
    from qserve.config import TestConfig
    from qserve.migrate import upgrade

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=2000)
    args = parser.parse_args()
    url = f"sqlite:///{Path(tempfile.mkdtemp(prefix='qserve-floor-')) / 'floor.db'}"
    upgrade(url)
    app = create_app(TestConfig(database_url=url))
    engine = app.extensions["qserve.db"].engine
    with engine.begin() as connection:
        connection.exec_driver_sql(
            "CREATE TABLE bench_floor (id INTEGER PRIMARY KEY, service_id INTEGER, token TEXT)"
        )

    def write(extra: list[str]):
        body = request.get_json()
        values = {"service_id": int(body["service_id"]), "slug": "x"}
        with engine.begin() as connection:
            connection.execute(
                text("INSERT INTO bench_floor (service_id, token) VALUES (:service_id, 'ticket')"), values
            )
            for statement in extra:
                connection.execute(text(statement), values)
        return jsonify({"ok": True}), 201

    app.add_url_rule("/bench/one", "bench_one", lambda: write([]), methods=["POST"])
    app.add_url_rule("/bench/five", "bench_five", lambda: write(STATEMENTS), methods=["POST"])
    client = app.test_client()
    post = client.post

    def per_request_ms(call) -> float:
        started = time.perf_counter()
        for _ in range(args.requests):
            call()
        return (time.perf_counter() - started) / args.requests * 1000

    ceiling = per_request_ms(lambda: client.get("/healthz"))
    rows = [
        ("GET /healthz (ceiling)", ceiling),
        ("POST, 1 INSERT, commit", per_request_ms(lambda: post("/bench/one", json={"service_id": 1}))),
        ("POST, 5 statements, commit", per_request_ms(lambda: post("/bench/five", json={"service_id": 1}))),
    ]
    print(f"in-process, SQLite (WAL), {args.requests} requests each")
    print(f"{'endpoint':30} {'ms/request':>10} {'ratio to ceiling':>17}")
    for name, ms in rows:
        print(f"{name:30} {ms:10.3f} {ceiling / ms:17.2f}")


if __name__ == "__main__":
    main()
