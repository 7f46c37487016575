"""Web-tier fixtures: a real qserve server process on loopback, and headless Chromium through Playwright."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
ARTIFACTS = Path(os.environ.get("QSERVE_ARTIFACTS", Path(__file__).resolve().parents[2] / "artifacts"))


def free_port() -> int:
    """Return a TCP port that is free on loopback now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LiveServer:
    """A `qserve run` process on its own SQLite (or given) database."""

    def __init__(self, database_url: str, instance: Path, *, extra_env: dict | None = None) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.database_url = database_url
        env = (
            os.environ
            | {
                "QSERVE_DATABASE_URL": database_url,
                "QSERVE_INSTANCE_PATH": str(instance),
                "QSERVE_PUBLIC_URL": self.url,
                "QSERVE_RATELIMIT_ENABLED": "0",
                "QSERVE_SECRET_KEY": "live-test-secret",
                "QSERVE_REALTIME_COALESCE_S": "0.05",
            }
            | (extra_env or {})
        )
        self.log = open(instance / f"server-{self.port}.log", "w")  # noqa: SIM115
        self.process = subprocess.Popen(
            [sys.executable, "-c", "from qserve.entry import main; main()", "run", "--port", str(self.port)],
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        self._wait_ready()

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited: see {self.log.name}")
            try:
                if requests.get(self.url + "/healthz", timeout=0.5).ok:
                    return
            except requests.RequestException:
                time.sleep(0.1)
        raise RuntimeError("server did not start")

    def stop(self) -> None:
        """Stop the process and close its log."""
        self.process.terminate()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


@pytest.fixture(scope="module")
def live_db(tmp_path_factory, sqlite_template):
    """Return a migrated SQLite database shared by a module's live server and its seeding app."""
    folder = tmp_path_factory.mktemp("live")
    path = folder / "live.db"
    shutil.copy(sqlite_template, path)
    return folder, f"sqlite:///{path}"


@pytest.fixture(scope="module")
def live_server(live_db):
    """Start a real qserve server for the module's tests."""
    folder, url = live_db
    server = LiveServer(url, folder)
    yield server
    server.stop()


@pytest.fixture
def database_url(live_db):
    """Let web tests seed the live server's own database through the app fixture and factories."""
    return live_db[1]


def own_database():
    """Return a `database_url` fixture that gives each test a migrated SQLite database of its own, rather
    than the module's live server's: for modules that test through Flask's test client. A module (or a
    conftest) says `database_url = own_database()`."""

    @pytest.fixture(name="database_url")
    def fixture(tmp_path, sqlite_template):
        path = tmp_path / "own.db"
        shutil.copy(sqlite_template, path)
        return f"sqlite:///{path}"

    return fixture


@pytest.fixture
def client(app):
    """Return a Flask test client of the test's app."""
    return app.test_client()


@pytest.fixture(scope="session")
def browser():
    """Launch Debian's Chromium headless through Playwright (never a downloaded browser)."""
    if not Path(CHROMIUM).exists():
        pytest.skip("chromium is not installed (make system-packages)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def artifacts() -> Path:
    """Return the folder where screenshots are kept for people to look at."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


def sign_in(page, base_url: str, email: str, password: str) -> None:
    """Sign a browser page in through the staff login form."""
    page.goto(base_url + "/login")
    page.fill("#email", email)
    page.fill("#password", password)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")
