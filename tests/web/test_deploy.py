"""deploy/ as shipped: nginx's site file over HTTPS in front of two server processes on PostgreSQL and Redis,
and the systemd units.

The site file is used as it is, with only its ports, its upstream servers and its certificate swapped for the
test's (each swap checks that the line it replaces is still there). nginx logs which upstream served each
request, so the test knows which process holds the phone's WebSocket and calls from the other one."""

from __future__ import annotations

import getpass
import http.client
import json
import os
import re
import shutil
import ssl
import subprocess
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests
from playwright.sync_api import expect

from tests.conftest import REDIS_UP, REDIS_URL
from tests.factories import PASSWORD, seed_staffed_location
from tests.web.conftest import LiveServer, free_port, sign_in

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
SYSTEMD_ANALYZE = shutil.which("systemd-analyze")
JOIN_LIMIT = 3  # joins a minute per customer address, for the test


def self_signed(folder: Path) -> tuple[Path, Path]:
    """Write a certificate for 127.0.0.1 and its key; return their paths."""
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False
        )
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return cert_path, key_path


def site_for_test(*, https_port: int, http_port: int, upstreams: list[int], cert: Path, key: Path) -> str:
    """Return deploy/nginx/qserve.conf with the test's ports, upstream servers and certificate."""
    text = (DEPLOY / "nginx" / "qserve.conf").read_text()
    swaps = {
        "listen 443 ssl http2;": f"listen 127.0.0.1:{https_port} ssl http2;",
        "listen 80;": f"listen 127.0.0.1:{http_port};",
        "/etc/letsencrypt/live/queue.example.org/fullchain.pem": str(cert),
        "/etc/letsencrypt/live/queue.example.org/privkey.pem": str(key),
        "    server 127.0.0.1:8001;\n    server 127.0.0.1:8002;\n": "".join(
            f"    server 127.0.0.1:{port};\n" for port in upstreams
        ),
    }
    for old, new in swaps.items():
        assert old in text, f"deploy/nginx/qserve.conf no longer holds {old!r}"
        text = text.replace(old, new)
    return text


def nginx_main(folder: Path) -> Path:
    """Write the nginx.conf that holds the site (what /etc/nginx/nginx.conf is in production), logging the
    upstream of every request."""
    main = folder / "nginx.conf"
    temp = folder / "temp"
    temp.mkdir()
    main.write_text(
        f"user {getpass.getuser()};\n"
        "worker_processes 1;\n"
        "daemon off;\n"
        f"pid {folder / 'nginx.pid'};\n"
        f"error_log {folder / 'error.log'} warn;\n"
        "events { worker_connections 256; }\n"
        "http {\n"
        "    log_format upstream '$remote_addr \"$request\" $status $upstream_addr';\n"
        f"    access_log {folder / 'access.log'} upstream;\n"
        + "".join(
            f"    {kind}_temp_path {temp / kind};\n"
            for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
        )
        + f"    include {folder / 'qserve.conf'};\n"
        "}\n"
    )
    return main


def nginx_test(main: Path) -> subprocess.CompletedProcess:
    return subprocess.run([NGINX, "-t", "-c", str(main)], capture_output=True, text=True, timeout=30)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory, request):
    """nginx over HTTPS in front of two qserve processes sharing PostgreSQL and Redis."""
    if not Path(NGINX).exists():
        pytest.skip("nginx is not installed (make system-packages)")
    if not REDIS_UP:
        pytest.skip("Redis is not reachable")
    url = request.getfixturevalue("postgres_database")
    from tests.conftest import _truncate_postgres

    _truncate_postgres(url)
    folder = tmp_path_factory.mktemp("deploy")
    https_port, http_port = free_port(), free_port()
    public = f"https://127.0.0.1:{https_port}"
    env = {
        "QSERVE_REDIS_URL": REDIS_URL,
        "QSERVE_PUBLIC_URL": public,
        "QSERVE_TRUSTED_PROXIES": "1",
        "QSERVE_RATELIMIT_ENABLED": "1",
        "QSERVE_RATELIMIT_JOIN": f"{JOIN_LIMIT} per minute",
        # Counted in each process: ip_hash sends one address to one process. (Redis would keep the counts
        # of an earlier run of this test for a minute.)
        "QSERVE_RATELIMIT_STORAGE_URI": "memory://",
    }
    servers = [LiveServer(url, folder, extra_env=env), LiveServer(url, folder, extra_env=env)]
    process = None
    try:
        cert, key = self_signed(folder)
        (folder / "qserve.conf").write_text(
            site_for_test(
                https_port=https_port,
                http_port=http_port,
                upstreams=[server.port for server in servers],
                cert=cert,
                key=key,
            )
        )
        main = nginx_main(folder)
        checked = nginx_test(main)
        assert checked.returncode == 0, checked.stderr
        process = subprocess.Popen(
            [NGINX, "-c", str(main)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        deadline = time.monotonic() + 10
        while True:
            try:
                if requests.get(f"{public}/healthz", verify=str(cert), timeout=2).ok:
                    break
            except requests.RequestException:
                pass
            assert time.monotonic() < deadline, (folder / "error.log").read_text()
            time.sleep(0.1)
        yield {
            "cert": str(cert),
            "public": public,
            "http": f"http://127.0.0.1:{http_port}",
            "servers": servers,
            "folder": folder,
        }
    finally:
        if process is not None:
            process.terminate()
            process.wait(timeout=10)
        for server in servers:
            server.stop()


@pytest.fixture
def seeded(cluster, postgres_database):
    """A location with one service and two counters, and a staff member, in the cluster's database."""
    return seed_staffed_location(postgres_database, counters=2)


def upstream_of(cluster, path_prefix: str) -> int:
    """Return the port of the process that nginx sent the last request under a path to."""
    lines = (cluster["folder"] / "access.log").read_text().splitlines()
    ports = [
        int(m.group(1))
        for line in lines
        if f" {path_prefix}" in line
        for m in [re.search(r":(\d+)$", line)]
        if m
    ]
    assert ports, f"nginx logged no request under {path_prefix}"
    return ports[-1]


def join_from(address: str, cluster, location) -> int:
    """Join the queue through nginx from one loopback address; return the HTTP status."""
    port = int(cluster["public"].rsplit(":", 1)[1])
    context = ssl.create_default_context(cafile=cluster["cert"])
    connection = http.client.HTTPSConnection("127.0.0.1", port, source_address=(address, 0), context=context)
    try:
        body = json.dumps({"service_id": location["service_ids"][0]})
        connection.request(
            "POST",
            f"/api/v1/locations/{location['slug']}/tickets",
            body=body,
            headers={"Content-Type": "application/json"},
        )
        return connection.getresponse().status
    finally:
        connection.close()


@pytest.mark.postgres
@pytest.mark.redis
def test_nginx_sends_plain_http_to_https(cluster):
    response = requests.get(f"{cluster['http']}/join/anywhere", allow_redirects=False, timeout=10)
    assert response.status_code == 301
    assert response.headers["Location"].startswith("https://127.0.0.1/join/anywhere")


@pytest.mark.postgres
@pytest.mark.redis
def test_a_phone_over_https_hears_its_call_made_on_the_other_process(cluster, seeded, browser, artifacts):
    location, _staff, token = seeded
    joined = requests.post(
        f"{cluster['public']}/api/v1/locations/{location['slug']}/tickets",
        json={"service_id": location["service_ids"][0]},
        verify=cluster["cert"],
        timeout=10,
    )
    assert joined.status_code == 201, joined.text
    ticket = joined.json()
    assert ticket["url"].startswith(cluster["public"] + "/")

    context = browser.new_context(ignore_https_errors=True, viewport={"width": 390, "height": 844})
    page = context.new_page()
    try:
        page.goto(ticket["url"])
        expect(page.locator("#live")).to_have_attribute("data-socket", "watching", timeout=10_000)
        holder = upstream_of(cluster, "/socket.io/")
        other = next(server for server in cluster["servers"] if server.port != holder)
        called = requests.post(
            f"{other.url}/api/v1/counters/{location['counter_ids'][0]}/call-next",
            headers={"Authorization": f"Bearer {token}"},
            timeout=10,
        )
        assert called.status_code == 200, called.text
        expect(page.locator("#status")).to_have_text("Go to counter 1.", timeout=10_000)
        page.screenshot(path=str(artifacts / "deploy-phone-called-over-https.png"))
    finally:
        context.close()
    # The page's WebSocket went through nginx (logged once it closed): the upgrade headers reach qserve.
    deadline = time.monotonic() + 5
    while not re.search(
        r"transport=websocket\S* HTTP/1.1\" 101", (cluster["folder"] / "access.log").read_text()
    ):
        assert time.monotonic() < deadline, "no WebSocket went through nginx"
        time.sleep(0.1)


@pytest.mark.postgres
@pytest.mark.redis
def test_behind_the_proxy_each_customer_has_a_join_limit_of_their_own(cluster, seeded):
    location, _staff, _token = seeded
    assert [join_from("127.0.0.2", cluster, location) for _ in range(JOIN_LIMIT + 1)] == [
        201
    ] * JOIN_LIMIT + [429]
    # Another customer, through the same nginx, is not refused for the first one's joins.
    assert join_from("127.0.0.3", cluster, location) == 201


@pytest.mark.postgres
@pytest.mark.redis
def test_staff_sign_in_over_https_with_cookies_kept_to_https(cluster, seeded, browser):
    _location, staff, _token = seeded
    login = requests.get(f"{cluster['public']}/login", verify=cluster["cert"], timeout=10)
    assert login.ok
    cookies = login.headers.get("Set-Cookie", "")
    assert "session=" in cookies and "Secure" in cookies, cookies
    context = browser.new_context(ignore_https_errors=True, viewport={"width": 1024, "height": 768})
    page = context.new_page()
    try:
        sign_in(page, cluster["public"], staff["email"], PASSWORD)
        assert "/login" not in page.url, page.content()[:500]
    finally:
        context.close()


@pytest.mark.skipif(SYSTEMD_ANALYZE is None, reason="systemd-analyze is not installed")
def test_the_systemd_units_verify(tmp_path):
    qserve = Path(os.environ.get("VIRTUAL_ENV", Path(__file__).resolve().parents[2] / ".venv")) / "bin/qserve"
    if not qserve.exists():
        qserve = Path(shutil.which("qserve") or "/nonexistent")
    for unit in (DEPLOY / "systemd").iterdir():
        text = unit.read_text()
        if unit.suffix == ".service":
            assert "/opt/qserve/venv/bin/qserve " in text, unit.name
        (tmp_path / unit.name).write_text(text.replace("/opt/qserve/venv/bin/qserve", str(qserve)))
    result = subprocess.run(
        [
            SYSTEMD_ANALYZE,
            "verify",
            "--man=no",
            "qserve-web@8001.service",
            "qserve-scheduler.service",
            "qserve-migrate.service",
            "qserve.target",
        ],
        env=os.environ | {"SYSTEMD_UNIT_PATH": f"{tmp_path}:"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0 and not result.stdout.strip() and not result.stderr.strip(), (
        result.stdout + result.stderr
    )
