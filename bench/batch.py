"""What one group-commit batch of joins costs, in process and without HTTP: the CPU and the wall time of a
batch of 1, 4, 8, 16 ... joins, and the time spent in its statements, on SQLite or PostgreSQL.

A batch's CPU is a fixed part (its transaction, its statements, the location's census) plus a part per join,
and its wall time adds the database's round trips, during which a server whose clients are all in the batch
has nothing else to do. With few clients (8, say) the fixed part and the round trips are shared by few
joins: this is what bounds `bench/throughput.py` there, next to the HTTP handling /healthz measures.

    python bench/batch.py [--postgres URL] [--sizes 1,4,8,16] [--batches 300]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import event

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

WARM_BATCHES = 30


def measure(url: str, size: int, batches: int) -> dict:
    """Run `batches` batches of `size` joins into one fresh location; return the mean figures per batch."""
    from throughput import seed

    from qserve import create_app
    from qserve.config import TestConfig
    from qserve.db import utcnow
    from qserve.services.admission import JoinRequest
    from qserve.services.joining import join_queues

    location, _token = seed(url)
    config = TestConfig(database_url=url)
    config.REALTIME_COALESCE_S = 0.2  # as a server: pages refreshed once in a while, not after every batch
    app = create_app(config)
    engine = app.extensions["qserve.db"].engine
    statements = {"count": 0, "seconds": 0.0}

    @event.listens_for(engine, "before_cursor_execute")
    def _started(_conn, _cursor, _statement, _parameters, context, _many):
        context.bench_started = time.perf_counter()

    @event.listens_for(engine, "after_cursor_execute")
    def _ended(_conn, _cursor, _statement, _parameters, context, _many):
        statements["count"] += 1
        statements["seconds"] += time.perf_counter() - context.bench_started

    def batch() -> None:
        requests = [
            JoinRequest(location_slug=location["slug"], service_id=location["service_ids"][0], now=utcnow())
            for _ in range(size)
        ]
        with app.test_request_context():
            join_queues(requests)

    with app.app_context():
        for _ in range(WARM_BATCHES):
            batch()
        statements.update(count=0, seconds=0.0)
        wall, cpu = time.perf_counter(), time.process_time()
        for _ in range(batches):
            batch()
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    time.sleep(config.REALTIME_COALESCE_S * 3)  # the last refresh runs while its database is still there
    app.extensions["qserve.db"].dispose()
    return {
        "wall_ms": wall / batches * 1000,
        "cpu_ms": cpu / batches * 1000,
        "statements": statements["count"] / batches,
        "statements_ms": statements["seconds"] / batches * 1000,
    }


def main() -> None:
    """Measure each batch size and print the table."""
    from throughput import scratch_database

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--postgres", help="PostgreSQL URL (postgresql+psycopg://...) instead of SQLite")
    parser.add_argument("--sizes", default="1,4,8,16")
    parser.add_argument("--batches", type=int, default=300)
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    folder = Path(tempfile.mkdtemp(prefix="qserve-bench-batch-"))
    from qserve.migrate import upgrade

    if args.postgres:
        with scratch_database(args.postgres) as url:
            upgrade(url)
            rows = [(size, measure(url, size, args.batches)) for size in sizes]
    else:
        url = f"sqlite:///{folder / 'batch.db'}"
        upgrade(url)
        rows = [(size, measure(url, size, args.batches)) for size in sizes]
    database = "PostgreSQL" if args.postgres else "SQLite (WAL)"
    print(f"one batch of joins in process on {database}, {args.batches} batches each (means per batch)")
    header = f"{'joins':>5} {'wall ms':>8} {'CPU ms':>7} {'CPU ms/join':>12} {'waiting ms':>11}"
    print(f"{header} statements (their wall ms)")
    for size, row in rows:
        print(
            f"{size:5d} {row['wall_ms']:8.2f} {row['cpu_ms']:7.2f} {row['cpu_ms'] / size:12.3f}"
            f" {row['wall_ms'] - row['cpu_ms']:11.2f} {row['statements']:10.1f} ({row['statements_ms']:.2f})"
        )
    if len(rows) > 1:
        (small, first), (large, last) = rows[0], rows[-1]
        per_join = (last["cpu_ms"] - first["cpu_ms"]) / (large - small)
        fixed = first["cpu_ms"] - per_join * small
        print(f"CPU per batch ~ {fixed:.2f} ms fixed + {per_join:.3f} ms per join")


if __name__ == "__main__":
    os.environ.setdefault("QSERVE_INSTANCE_PATH", tempfile.mkdtemp(prefix="qserve-bench-instance-"))
    main()
