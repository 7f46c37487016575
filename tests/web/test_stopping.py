"""Stopping is graceful: `qserve run` and `qserve scheduler` end on SIGTERM (systemd's stop, an upgrade's
restart) and Ctrl-C by finishing what is under way and exiting 0, rather than being cut off by the signal."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time

import requests

from tests.web.conftest import LiveServer


def stopped(process: subprocess.Popen, signum: int) -> int:
    """Send a signal and return the exit status (negative: ended by a signal)."""
    process.send_signal(signum)
    return process.wait(timeout=15)


def test_the_server_stops_taking_requests_and_exits_0_on_sigterm(tmp_path, sqlite_template):
    shutil.copy(sqlite_template, tmp_path / "stop.db")
    server = LiveServer(f"sqlite:///{tmp_path / 'stop.db'}", tmp_path)
    try:
        assert requests.get(f"{server.url}/api/v1/locations", timeout=10).ok
        assert stopped(server.process, signal.SIGTERM) == 0
    finally:
        server.stop()
    log = server.log.name
    with open(log) as written:
        text = written.read()
    assert "qserve stopping (SIGTERM)" in text and "qserve stopped" in text, text


def test_the_scheduler_finishes_its_jobs_and_exits_0_on_sigterm_and_ctrl_c(tmp_path, sqlite_template):
    shutil.copy(sqlite_template, tmp_path / "stop.db")
    env = os.environ | {
        "QSERVE_DATABASE_URL": f"sqlite:///{tmp_path / 'stop.db'}",
        "QSERVE_INSTANCE_PATH": str(tmp_path),
        "QSERVE_SECRET_KEY": "stop-test-secret",
    }
    for signum, name in ((signal.SIGTERM, "SIGTERM"), (signal.SIGINT, "SIGINT")):
        log = tmp_path / f"scheduler-{name}.log"
        with open(log, "w") as output:
            process = subprocess.Popen(
                [sys.executable, "-c", "from qserve.entry import main; main()", "scheduler"],
                env=env,
                stdout=output,
                stderr=subprocess.STDOUT,
            )
            deadline = time.monotonic() + 20
            while "scheduler running" not in log.read_text():
                assert process.poll() is None and time.monotonic() < deadline, log.read_text()
                time.sleep(0.1)
            status = stopped(process, signum)
        text = log.read_text()
        assert status == 0, text
        assert f"scheduler stopping ({name})" in text and "scheduler stopped" in text, text
        # The lock went with it: the next scheduler (the loop's second turn) starts.
