"""Start a real qserve server and report tickets issued per second and call-next per second over HTTP,
next to the same server's throughput on a trivial endpoint (the ceiling), as a ratio.

Joins that arrive together are committed together (group commit), so the issue rate depends on how many
clients join at once: each number of clients is measured against its own ceiling, into a location of its own
(an empty line at the start of each run), and the table says how busy each run kept the server. The target
(issuing at least a third of the ceiling) is judged on throughput, each endpoint's highest rate over the runs:
with few clients a join's rate is bounded by the commit its clients wait for, not by the server (see
`verdict`).

    python bench/throughput.py [--postgres URL] [--clients 8,32,64,128] [--seconds 5]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def seed(url: str) -> tuple[dict, str]:
    """Create a location with one service and four counters, a staff member and a token."""
    from tests.factories import seed_staffed_location

    location, _staff, token = seed_staffed_location(url, counters=4)
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


def wrk(
    url: str,
    *,
    connections: int,
    seconds: float,
    method: str = "GET",
    body: str | None = None,
    headers: dict | None = None,
    per_thread_paths: list[str] | None = None,
) -> tuple[float, int]:
    """Load an endpoint with wrk (a C load generator, so the client does not eat the server's CPU).

    With `per_thread_paths`, wrk runs one thread and one connection per path (e.g. one per counter).
    """
    lines = [f'wrk.method = "{method}"']
    threads = 2
    if per_thread_paths:
        threads = connections = len(per_thread_paths)
        paths = ", ".join(f'"{path}"' for path in per_thread_paths)
        lines += [
            f"local paths = {{{paths}}}",
            "local next_index = 1",
            "function setup(thread) thread:set('path', paths[next_index]); next_index = next_index + 1 end",
            "function request() return wrk.format(nil, path) end",
        ]
    if body is not None:
        lines.append(f"wrk.body = [[{body}]]")
    for name, value in (headers or {}).items():
        lines.append(f'wrk.headers["{name}"] = "{value}"')
    script = Path(tempfile.mkstemp(suffix=".lua")[1])
    script.write_text("\n".join(lines) + "\n")
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{int(seconds)}s", "-s", str(script), url]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    script.unlink()
    rate = float(next(line for line in output.splitlines() if line.startswith("Requests/sec")).split()[1])
    failed = next((int(line.split()[-1]) for line in output.splitlines() if "Non-2xx" in line), 0)
    return rate, failed


def server_cpu_s(pid: int) -> float | None:
    """Return the CPU seconds a process has used (user and system), or None where /proc cannot tell."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wrk_with_cpu(pid: int, url: str, **options) -> tuple[float, int, float | None]:
    """Run wrk (see `wrk`) against the server of process `pid`; return the rate, the non-2xx answers and the
    server's CPU milliseconds per request meanwhile (None where /proc cannot tell)."""
    before, started = server_cpu_s(pid), time.monotonic()
    rate, failed = wrk(url, **options)
    after, elapsed = server_cpu_s(pid), time.monotonic() - started
    if before is None or after is None or not rate:
        return rate, failed, None
    return rate, failed, (after - before) / (rate * elapsed) * 1000


def main() -> None:
    """Run the benchmark and print the table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--postgres", help="PostgreSQL URL (postgresql+psycopg://...) instead of SQLite")
    parser.add_argument("--clients", default="8,32,64,128", help="keep-alive clients, one run per number")
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--python-client", action="store_true", help="use Python threads even if wrk exists")
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="qserve-bench-"))
    try:
        if args.postgres:
            with scratch_database(args.postgres) as url:
                run(args, url, folder)
        else:
            run(args, f"sqlite:///{folder / 'bench.db'}", folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def scratch_database(server_url: str):
    """Create a database of the benchmark's own on a PostgreSQL server, yield its URL and drop it: runs
    never meet each other's rows, nor anybody else's."""
    from sqlalchemy import create_engine, text

    name = f"qserve_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield server_url.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def run(args, url: str, folder: Path) -> None:
    """Seed, serve and measure on one database."""
    from qserve.migrate import upgrade

    upgrade(url)
    args.clients = [int(number) for number in str(args.clients).split(",")]
    seeds = [seed(url) for _ in args.clients]
    location, token = seeds[0]
    from tests.web.conftest import LiveServer

    def start() -> LiveServer:
        return LiveServer(url, folder, extra_env={"QSERVE_REALTIME_COALESCE_S": "0.2"})

    if shutil.which("wrk") and not args.python_client:
        report_wrk(start, seeds, args)
        return
    server = start()
    base = server.url
    args.clients = args.clients[0]
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
        f"{'POST .../call-next (4 counters)':32} {call_rate:8.0f} {call_rate / ceiling:18.2f}"
        f"   ({called} calls)"
    )
    target = "met" if issue_rate >= ceiling / 3 else "NOT met"
    print(f"target: issuing at least 1/3 of the ceiling -> {target}")


def busy(rate: float, cpu_ms: float | None) -> str:
    """Return how busy the server's one process was, as a share of a core ('97%'), or '?' unknown."""
    return "?" if cpu_ms is None else f"{rate * cpu_ms / 1000:.0%}"


def verdict(rows: list[tuple]) -> str:
    """Judge the target on throughput: each endpoint's highest rate over the runs (the rate of a server
    kept busy), the join's against the ceiling's.

    A run with few clients is no measure of a join's throughput: each client waits for its answer, and
    the answer waits for the batch's commit, during which a server whose clients are all in that batch
    has nothing to do (the 'busy' column: /healthz keeps the process busy with 8 clients, joins do not).
    The rows show every run; the target is read where both endpoints are at their best."""
    ceiling_clients, ceiling = max(((row[0], row[1]) for row in rows), key=lambda pair: pair[1])
    issue_clients, issue = max(((row[0], row[2]) for row in rows), key=lambda pair: pair[1])
    met = "met" if issue >= ceiling / 3 else "NOT met"
    return (
        f"throughput (each endpoint's highest rate over the runs): /healthz {ceiling:.0f} req/s"
        f" ({ceiling_clients} clients), tickets issued {issue:.0f} req/s ({issue_clients} clients),"
        f" ratio {issue / ceiling:.2f}: target {met} (issuing at least 1/3 of the ceiling)"
    )


def report_wrk(start, seeds: list[tuple[dict, str]], args) -> None:
    """Measure with wrk, for each number of clients, and print the table. Each run has a server process of
    its own, so that none pays for what an earlier run left (its refreshes of a long line, say)."""
    rows = []
    for clients, (location, _token) in zip(args.clients, seeds, strict=True):
        server = start()
        pid = server.process.pid
        try:
            ceiling, _, ceiling_ms = wrk_with_cpu(
                pid, f"{server.url}/healthz", connections=clients, seconds=args.seconds
            )
            issue_rate, issue_failed, issue_ms = wrk_with_cpu(
                pid,
                f"{server.url}/api/v1/locations/{location['slug']}/tickets",
                connections=clients,
                seconds=args.seconds,
                method="POST",
                body=json.dumps({"service_id": location["service_ids"][0]}),
                headers={"Content-Type": "application/json"},
            )
        finally:
            server.stop()
        rows.append((clients, ceiling, issue_rate, issue_failed, ceiling_ms, issue_ms))
    location, token = seeds[0]  # call the line the first run filled
    paths = [f"/api/v1/counters/{counter}/call-next" for counter in location["counter_ids"]]
    server = start()
    try:
        call_rate, call_failed = wrk(
            server.url,
            connections=4,
            seconds=args.seconds,
            method="POST",
            headers={"Authorization": f"Bearer {token}"},
            per_thread_paths=paths,
        )
    finally:
        server.stop()
    database = "PostgreSQL" if args.postgres else "SQLite (WAL)"
    print(
        f"qserve HTTP throughput on {database}, wrk with keep-alive connections, {args.seconds:.0f} s per run"
    )
    print(
        f"{'clients':>7} {'GET /healthz (ceiling)':>23} {'busy':>5} {'POST .../tickets':>17} {'busy':>5}"
        f" {'ratio':>6} {'non-2xx':>8}"
    )
    for clients, ceiling, issue_rate, issue_failed, ceiling_ms, issue_ms in rows:
        print(
            f"{clients:7d} {ceiling:17.0f} req/s {busy(ceiling, ceiling_ms):>5} {issue_rate:11.0f} req/s"
            f" {busy(issue_rate, issue_ms):>5} {issue_rate / ceiling:6.2f} {issue_failed:8d}"
        )
    print(verdict(rows))
    if all(row[4] is not None and row[5] is not None for row in rows):
        print("the server's CPU per request (a third of the ceiling allows three times the ceiling's):")
        for clients, _, _, _, ceiling_ms, issue_ms in rows:
            print(f"{clients:7d} clients: /healthz {ceiling_ms:.3f} ms, a join {issue_ms:.3f} ms")
    first_ceiling = rows[0][1]
    print(
        f"call-next from 4 counters (one connection each): {call_rate:.0f} req/s,"
        f" {call_rate / first_ceiling:.2f} of the {rows[0][0]}-client ceiling, {call_failed} non-2xx"
    )


if __name__ == "__main__":
    os.environ.setdefault("QSERVE_INSTANCE_PATH", tempfile.mkdtemp(prefix="qserve-bench-instance-"))
    main()
