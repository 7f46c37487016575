"""The live ticket page stays true: polling without Socket.IO, resync on wake and on reconnect, small,
accessible, and its notification opt-in and service worker work."""

from __future__ import annotations

import base64
import json

import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from playwright.sync_api import expect

from tests.web.mobile.helpers import Staff, bank_branch

BUDGET_BYTES = 150 * 1024
NO_SOCKET = "**/vendor/socket.io.min.js"


def join_by_api(base_url: str, branch: dict, *, service_index: int = 1, language: str = "en") -> dict:
    """Join a queue through the public API of the live server and return the ticket."""
    response = requests.post(
        f"{base_url}/api/v1/locations/{branch['slug']}/tickets",
        json={"service_id": branch["service_ids"][service_index], "language": language},
        timeout=10,
    )
    response.raise_for_status()
    return response.json()


def line_of(make, live_server, *, ahead: int) -> tuple[dict, dict, Staff]:
    """Create a branch with people waiting ahead of a ticket joined over the API; return both and staff."""
    branch = bank_branch(make)
    for _ in range(ahead):
        make.ticket(location=branch, service_index=1)
    return branch, join_by_api(live_server.url, branch), Staff(make, branch, live_server.url)


def test_without_socketio_the_page_polls_and_still_follows_the_line(live_server, phone, make):
    branch, ticket, staff = line_of(make, live_server, ahead=2)
    page = phone("en", init_script="window.qservePollMs = 300;")
    page.route(NO_SOCKET, lambda route: route.abort())
    page.goto(ticket["url"])
    expect(page.locator("#position")).to_have_text("2 people ahead of you")
    staff.call_next(branch["counter_ids"][0])
    expect(page.locator("#position")).to_have_text("1 person ahead of you", timeout=3000)


def test_after_a_transfer_the_page_and_its_tab_name_the_new_service(live_server, phone, make):
    branch, ticket, staff = line_of(make, live_server, ahead=0)
    page = phone("en")
    page.goto(ticket["url"])
    expect(page.locator("#live")).to_contain_text("Updated")
    first = page.locator("#service").inner_text()
    assert page.title() == f"{ticket['number']} · {first}"
    staff.transfer(ticket["id"], branch["service_ids"][0])
    expect(page.locator("#service")).not_to_have_text(first, timeout=3000)
    expect(page).to_have_title(f"{ticket['number']} · {page.locator('#service').inner_text()}")


def test_a_visit_finished_before_the_page_heard_of_it_still_opens_the_feedback_form(live_server, phone, make):
    """The page was opened while its ticket waited; the first news it gets (a live connection slow to come
    up, a phone waking) already says the visit is done: the feedback form opens all the same."""
    branch, ticket, staff = line_of(make, live_server, ahead=0)
    page = phone("en", init_script="window.qservePollMs = 600000;")  # no polling: news comes when asked
    page.route(NO_SOCKET, lambda route: route.abort())
    page.goto(ticket["url"])
    expect(page.locator("#live")).to_contain_text("Updated")
    called = staff.call_next(branch["counter_ids"][0])
    assert called["token"] == ticket["token"]
    staff.finish(called["id"])
    page.evaluate("window.qserveTicket.refresh()")
    page.wait_for_url("**/feedback**", timeout=3000)


def test_a_phone_waking_up_or_coming_back_online_resyncs_at_once(live_server, phone, make):
    branch, ticket, staff = line_of(make, live_server, ahead=3)
    page = phone("en", init_script="window.qservePollMs = 600000;")  # no polling to hide behind
    page.route(NO_SOCKET, lambda route: route.abort())
    page.goto(ticket["url"])
    expect(page.locator("#position")).to_have_text("3 people ahead of you")

    staff.call_next(branch["counter_ids"][0])
    page.wait_for_timeout(300)
    expect(page.locator("#position")).to_have_text("3 people ahead of you")  # asleep: nothing arrives
    page.evaluate("document.dispatchEvent(new Event('visibilitychange'))")
    expect(page.locator("#position")).to_have_text("2 people ahead of you", timeout=2000)

    page.context.set_offline(True)
    staff.call_next(branch["counter_ids"][1])
    page.evaluate("window.qserveTicket.refresh()")
    expect(page.locator("#live")).to_have_class("live offline")
    page.context.set_offline(False)
    expect(page.locator("#position")).to_have_text("1 person ahead of you", timeout=2000)
    expect(page.locator("#live")).to_have_class("live")


def test_after_the_socket_drops_the_reconnect_brings_the_current_state(live_server, phone, make):
    branch, ticket, staff = line_of(make, live_server, ahead=2)
    page = phone("en", init_script="window.qservePollMs = 600000;")
    page.goto(ticket["url"])
    expect(page.locator("#live")).to_contain_text("Updated")
    page.wait_for_function("window.io && document.querySelector('#live').className === 'live'")
    page.evaluate("io.managers && Object.values(io.managers).forEach(m => m.engine.close())")
    staff.call_next(branch["counter_ids"][0])
    expect(page.locator("#position")).to_have_text("1 person ahead of you", timeout=5000)


def test_the_ticket_page_stays_under_150_kb_and_passes_the_accessibility_checks(
    live_server, phone, make, artifacts
):
    _branch, ticket, _staff = line_of(make, live_server, ahead=3)
    page = phone("en")
    responses = []
    page.on("response", lambda response: responses.append(response))
    page.goto(ticket["url"], wait_until="load")
    expect(page.locator("#live")).to_contain_text("Updated")
    page.wait_for_timeout(500)
    assets = {r.url: r.request.sizes() for r in responses if "/socket.io/?" not in r.url}
    transferred = sum(s["responseBodySize"] + s["responseHeadersSize"] for s in assets.values())
    report = {"transferred_bytes": transferred, "budget_bytes": BUDGET_BYTES} | {
        url.split("/", 3)[3]: s["responseBodySize"] for url, s in assets.items()
    }
    (artifacts / "mobile").mkdir(parents=True, exist_ok=True)
    (artifacts / "mobile" / "ticket-page-weight.json").write_text(json.dumps(report, indent=2))
    assert any("socket.io.min.js" in url for url in assets) and any("ticket.js" in url for url in assets)
    assert transferred < BUDGET_BYTES, report

    page.add_script_tag(url="/static/vendor/axe.min.js")  # same origin, as the page policy asks
    violations = page.evaluate(
        "axe.run(document, {resultTypes: ['violations']})"
        ".then(r => r.violations.filter(v => ['serious', 'critical'].includes(v.impact)).map(v => v.id))"
    )
    assert violations == []
    # The ticket's number is the page's heading: where a screen reader's heading keys land first.
    headless = page.evaluate(
        "axe.run(document, {runOnly: ['page-has-heading-one']}).then(r => r.violations.map(v => v.id))"
    )
    assert headless == [] and page.locator("h1").inner_text() == ticket["number"]


def test_the_join_form_with_errors_passes_the_accessibility_checks(live_server, phone, make):
    branch = bank_branch(make)
    page = phone("en")
    page.goto(f"{live_server.url}/join/{branch['slug']}/{branch['service_ids'][0]}")
    page.fill("#email", "not-an-address")
    page.click("button[type=submit]")
    expect(page.locator("#error-summary")).to_be_focused()
    page.add_script_tag(url="/static/vendor/axe.min.js")  # same origin, as the page policy asks
    violations = page.evaluate(
        "axe.run(document, {resultTypes: ['violations']})"
        ".then(r => r.violations.map(v => [v.id, v.impact, v.nodes.map(n => n.html.slice(0, 120))]))"
    )
    assert violations == []


def browser_subscription() -> dict:
    """Return what a browser's PushSubscription.toJSON() holds: an endpoint and its P-256 and auth keys."""
    key = ec.generate_private_key(ec.SECP256R1()).public_key()
    point = key.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    encode = lambda raw: base64.urlsafe_b64encode(raw).rstrip(b"=").decode()  # noqa: E731
    return {
        "endpoint": "https://push.example.test/send/abc",
        "keys": {"p256dh": encode(point), "auth": encode(b"a" * 16)},
    }


def test_turning_on_notifications_subscribes_with_the_servers_key_and_posts_the_subscription(
    live_server, phone, make, shots
):
    _branch, ticket, _staff = line_of(make, live_server, ahead=1)
    subscription = browser_subscription()
    stub = f"""
        window.__subscribed = null;
        var fake = function (json) {{
            return {{endpoint: json.endpoint, toJSON: function () {{ return json; }}}};
        }};
        PushManager.prototype.getSubscription = function () {{
            var kept = localStorage.getItem("fake-subscription");
            return Promise.resolve(kept ? fake(JSON.parse(kept)) : null);
        }};
        PushManager.prototype.subscribe = function (options) {{
            window.__subscribed = Array.from(new Uint8Array(options.applicationServerKey));
            localStorage.setItem("fake-subscription", JSON.stringify({json.dumps(subscription)}));
            return this.getSubscription();
        }};
    """
    page = phone("en", init_script=stub, permissions=["notifications"])
    posted = []
    page.on("request", lambda r: posted.append(r) if r.url.endswith("/push-subscriptions") else None)
    page.goto(ticket["url"])
    expect(page.locator("#push-on")).to_be_visible()
    shots(page, "en-11-notifications-offer")
    page.click("#push-on")
    expect(page.locator("#push-state")).to_have_text("Notifications are on for this phone.")
    shots(page, "en-12-notifications-on")

    key = requests.get(f"{live_server.url}/api/v1/push/public-key", timeout=5).json()["public_key"]
    padded = key + "=" * (-len(key) % 4)
    assert page.evaluate("window.__subscribed") == list(base64.urlsafe_b64decode(padded))
    assert json.loads(posted[0].post_data) == subscription

    page.reload()  # once allowed, the page says so and keeps the subscription tied to the ticket
    expect(page.locator("#push-state")).to_have_text("Notifications are on for this phone.")
    expect(page.locator("#push-on")).to_be_hidden()
    assert len(posted) == 2 and json.loads(posted[1].post_data) == subscription


def test_the_service_worker_shows_a_push_as_a_notification(live_server, phone, make):
    _branch, ticket, _staff = line_of(make, live_server, ahead=1)
    page = phone("en", permissions=["notifications"])
    page.goto(ticket["url"])
    page.evaluate("navigator.serviceWorker.ready")
    cdp = page.context.new_cdp_session(page)
    registrations = []
    cdp.on(
        "ServiceWorker.workerRegistrationUpdated", lambda event: registrations.extend(event["registrations"])
    )
    cdp.send("ServiceWorker.enable")
    page.wait_for_function("navigator.serviceWorker.controller !== null || true")
    page.wait_for_timeout(200)
    registration = next(r for r in registrations if not r["isDeleted"])
    payload = {"title": "It's your turn: counter 4", "body": "B002, go to counter 4", "url": ticket["url"]}
    cdp.send(
        "ServiceWorker.deliverPushMessage",
        {
            "origin": live_server.url + "/",
            "registrationId": registration["registrationId"],
            "data": json.dumps(payload),
        },
    )
    shown = []
    for _ in range(30):
        shown = page.evaluate(
            "navigator.serviceWorker.ready.then(r => r.getNotifications())"
            ".then(list => list.map(n => [n.title, n.body, n.data.url]))"
        )
        if shown:
            break
        page.wait_for_timeout(100)
    assert shown == [[payload["title"], payload["body"], ticket["url"]]]


def test_the_live_ticket_writes_a_finnish_clock_time_as_the_server_does(live_server, phone, make):
    """CLDR's Finnish clock is "9.05" (Babel's format_time short, as on the booking pages); the script
    wrote "09.05"."""
    branch, ticket, _staff = line_of(make, live_server, ahead=1)
    page = phone("fi")
    page.clock.set_fixed_time("2026-01-15T07:05:00Z")  # 9.05 in Helsinki
    page.goto(ticket["url"] + "?lang=fi")
    expect(page.locator("#live")).to_have_text("Päivitetty klo 9.05")
