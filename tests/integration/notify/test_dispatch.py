"""Delivering the outbox with the real twilio, pywebpush and smtplib clients against local stand-ins."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest

from qserve.db import get_db, transaction
from qserve.models.notify import PushSubscription, SmsOptOut
from qserve.notify.dispatch import RetryPolicy, claim_next
from qserve.notify.optouts import remember_opt_out
from qserve.notify.push import b64url_decode
from qserve.notify.usecases import add_push_subscription

PHONE = "+358401234567"


def subscribe(desk, push_service, ticket_id, name="phone"):
    """Subscribe a browser-like client to a ticket's notifications, as the ticket page does."""
    browser = push_service.subscribe(name)
    add_push_subscription(
        token=desk.ticket(ticket_id).public_token,
        subscription=browser.to_json(),
        now=desk.clock(),
        allow_insecure=True,
    )
    return browser


def test_a_call_reaches_the_phone_by_sms_once_in_the_customers_language(desk, deliver, twilio):
    location = desk.location()
    ticket_id = desk.join(location, phone="040 123 4567", language="fi")
    desk.call_next(location, counter_index=0)
    assert deliver() == 2  # joined, called
    assert deliver() == 0
    joined, called = twilio.bodies_to(PHONE)
    token = desk.ticket(ticket_id).public_token
    assert joined.startswith("A001 on jonossa (Loans 0), sijalla 1") and joined.endswith(f"/t/{token}")
    assert called == "A001: on sinun vuorosi! Mene palvelupisteeseen 4."
    message = twilio.messages[-1]
    assert message["from"] == "+15005550006"
    assert message["status_callback"] == "https://queue.example.org/hooks/twilio/status"
    rows = desk.outbox(ticket_id, status="sent")
    assert {(row.topic, row.channel) for row in rows} == {("joined", "sms"), ("called", "sms")}
    assert all(row.provider_message_id.startswith("SM") and row.attempts == 1 for row in rows)


def test_push_goes_first_and_the_browser_decrypts_it(desk, deliver, twilio, push_service):
    location = desk.location()
    ticket_id = desk.join(location, phone=PHONE, language="sv")
    deliver()  # the confirmation went by SMS: the page had not subscribed yet
    browser = subscribe(desk, push_service, ticket_id)
    desk.call_next(location, counter_index=1)
    assert deliver() == 1
    [payload] = push_service.delivered_to(browser)
    assert payload["title"] == "Din tur!"
    assert payload["body"] == "A001: det är din tur! Gå till disk 5."
    assert payload["tag"] == f"qserve-ticket-{ticket_id}"
    assert (
        payload["url"] == f"https://queue.example.org/t/{desk.ticket(ticket_id).public_token}"
    )  # tap opens it
    assert push_service.received[-1]["headers"]["urgency"] == "high"
    assert len(twilio.messages) == 1  # only the confirmation
    assert desk.outbox(ticket_id)[-1].channel == "push"


def test_an_expired_subscription_is_deleted_and_the_sms_goes_instead(desk, deliver, twilio, push_service):
    location = desk.location()
    ticket_id = desk.join(location, phone=PHONE)
    browser = subscribe(desk, push_service, ticket_id)
    push_service.expire(browser)
    desk.call_next(location)
    deliver()
    assert twilio.bodies_to(PHONE)[-1] == "A001: it's your turn! Please go to counter 4."
    joined, called = [row for row in desk.outbox(ticket_id) if row.topic in ("joined", "called")]
    assert (joined.channel, called.channel) == ("sms", "sms")
    assert "push service answered 410" in joined.last_error  # tried first, gone, then the next channel
    with transaction() as tx:
        assert tx.session.query(PushSubscription).count() == 0


def test_provider_errors_are_retried_with_growing_delays_and_delivered_once(desk, deliver, twilio, clock):
    location = desk.location()
    ticket_id = desk.join(location, phone=PHONE)
    twilio.fail_next("500", times=2)
    retry = RetryPolicy(base_s=10, cap_s=600)
    assert deliver(retry=retry) == 0
    first = desk.outbox(ticket_id)[0]
    assert (first.status, first.attempts) == ("pending", 1)
    assert 5 <= (first.next_attempt_at - clock()).total_seconds() <= 10
    assert deliver(retry=retry) == 0  # not due yet: nothing is tried
    assert len(twilio.requests) == 1
    clock.advance(seconds=10)
    deliver(retry=retry)
    second = desk.outbox(ticket_id)[0]
    assert 10 <= (second.next_attempt_at - clock()).total_seconds() <= 20
    clock.advance(seconds=20)
    assert deliver(retry=retry) == 1
    clock.advance(hours=1)
    assert deliver(retry=retry) == 0
    assert len(twilio.requests) == 3 and len(twilio.messages) == 1
    row = desk.outbox(ticket_id)[0]
    assert (row.status, row.attempts, row.sent_at) == ("sent", 3, clock() - timedelta(hours=1))


@pytest.mark.parametrize("accepted", [True, False], ids=["provider-took-it", "provider-lost-it"])
def test_a_timeout_is_retried_and_the_customer_gets_one_sms(desk, deliver, twilio, clock, accepted):
    location = desk.location()
    ticket_id = desk.join(location, phone=PHONE)
    twilio.fail_next("timeout", accepted=accepted)
    assert deliver() == 0
    row = desk.outbox(ticket_id)[0]
    assert row.status == "pending" and row.payload["unclear_channels"] == ["sms"]
    clock.advance(minutes=5)
    assert deliver() == 1
    assert len(twilio.messages) == 1
    assert desk.outbox(ticket_id)[0].provider_message_id == twilio.messages[0]["sid"]


def test_a_sender_killed_after_claiming_delivers_after_restart_once(desk, deliver, twilio, clock):
    location = desk.location()
    desk.join(location, phone=PHONE)
    retry = RetryPolicy(lease_s=120)
    job = claim_next(get_db().Session, now=clock(), lease_s=retry.lease_s)  # ... and the process dies here
    assert job is not None and twilio.requests == []
    assert deliver(retry=retry) == 0  # a restarted sender leaves the claim alone while it lasts
    clock.advance(seconds=121)
    assert deliver(retry=retry) == 1
    clock.advance(seconds=121)
    assert deliver(retry=retry) == 0
    assert len(twilio.messages) == 1


def test_a_message_committed_while_no_sender_runs_is_delivered_when_one_starts(desk, deliver, twilio, clock):
    location = desk.location()
    desk.join(location, phone=PHONE)
    desk.call_next(location)
    clock.advance(minutes=2)  # the scheduler was down for two minutes
    assert deliver() == 2
    assert len(twilio.messages) == 2


def test_two_senders_at_once_send_every_message_once(desk, notify_app, deliver, twilio):
    location = desk.location(counters=1)
    phones = [f"+3584012340{i:02d}" for i in range(12)]
    for phone in phones:
        desk.join(location, phone=phone)
    sent = []

    def sender():
        with notify_app.app_context():
            sent.append(deliver())

    threads = [threading.Thread(target=sender) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(sent) == 12
    assert sorted(m["to"] for m in twilio.messages) == phones


def test_a_bad_number_falls_back_to_email_and_otherwise_fails(desk, deliver, twilio, smtp):
    location = desk.location()
    with_email = desk.join(location, phone="+358401234500", email="maija@example.fi")
    only_phone = desk.join(location, phone="+358401234501")
    twilio.fail_next("invalid_number", times=2)
    deliver()
    [email] = smtp.to("maija@example.fi")
    assert email["Subject"] == "You are in line: A001"
    assert desk.outbox(with_email)[0].channel == "email"
    failed = desk.outbox(only_phone)[0]
    assert failed.status == "failed" and "21211" in failed.last_error


def test_email_has_a_text_and_an_html_part_and_a_stable_message_id(desk, deliver, smtp):
    location = desk.location()
    ticket_id = desk.join(location, email="jan@example.pl", language="pl")
    deliver()
    [email] = smtp.to("jan@example.pl")
    token = desk.ticket(ticket_id).public_token
    text = email.get_body(("plain",)).get_content()
    html = email.get_body(("html",)).get_content()
    assert "Damy znać, kiedy wrócić." in text and f"/t/{token}" in text  # diacritics kept outside SMS
    assert f'href="https://queue.example.org/t/{token}"' in html and "Otwórz swój bilet" in html
    assert email["From"] == "qserve <queue@bank.example>"
    assert email["Message-ID"].endswith("@bank.example>")


def test_a_smtp_refusal_is_retried_when_temporary_and_final_when_not(desk, deliver, smtp, clock):
    location = desk.location()
    later = desk.join(location, email="later@example.fi")
    never = desk.join(location, email="never@example.fi")
    smtp.refuse_next("450 mailbox busy")
    smtp.refuse_next("550 no such user")
    deliver()
    assert desk.outbox(later)[0].status == "pending"
    assert desk.outbox(never)[0].status == "failed"
    clock.advance(minutes=5)
    deliver()
    assert desk.outbox(later)[0].status == "sent" and len(smtp.to("later@example.fi")) == 1


def test_an_opted_out_number_gets_no_sms_and_the_provider_can_tell_us(desk, deliver, twilio, smtp, clock):
    location = desk.location()
    with transaction() as tx:
        remember_opt_out(tx.session, phone="+358401234500", now=clock())
    stopped = desk.join(location, phone="+358401234500", email="stopped@example.fi")
    unknown = desk.join(location, phone="+358401234501")
    twilio.fail_next("opted_out")
    deliver()
    assert twilio.bodies_to("+358401234500") == []
    assert desk.outbox(stopped)[0].channel == "email"
    assert desk.outbox(unknown)[0].status == "failed"
    with transaction() as tx:
        assert {o.phone: o.source for o in tx.session.query(SmsOptOut)} == {
            "+358401234500": "keyword",
            "+358401234501": "provider",
        }


def test_messages_that_came_too_late_are_skipped_not_sent(desk, deliver, twilio, clock):
    location = desk.location()
    ticket_id = desk.join(location, phone=PHONE)
    desk.call_next(location)
    desk.act(ticket_id, "finish")
    assert deliver() == 1  # the scheduler was down while the visit went by: only the feedback link is left
    statuses = {row.topic: (row.status, row.last_error) for row in desk.outbox(ticket_id)}
    assert statuses["joined"] == ("skipped", "the ticket is closed (done)")
    assert statuses["called"] == ("skipped", "the ticket is closed (done)")
    assert statuses["feedback"] == ("sent", None)
    assert [m["body"].split("!")[0] for m in twilio.messages] == ["Thank you for visiting Kamppi"]


def test_attempts_stop_at_the_limit_and_the_row_says_why(desk, deliver, twilio, clock):
    location = desk.location()
    ticket_id = desk.join(location, phone=PHONE)
    twilio.fail_next("500", times=10)
    retry = RetryPolicy(base_s=1, cap_s=1, max_attempts=3)
    for _ in range(5):
        deliver(retry=retry)
        clock.advance(seconds=2)
    row = desk.outbox(ticket_id)[0]
    assert (row.status, row.attempts) == ("failed", 3)
    assert "Twilio 500" in row.last_error
    assert len(twilio.requests) == 3


def test_the_vapid_key_is_made_once_and_kept(notify_app, channels, tmp_path):
    from qserve.notify.push import application_server_key, load_or_create_vapid

    first = channels["push"].public_key
    again = application_server_key(load_or_create_vapid(notify_app.config["VAPID_KEY_FILE"]))
    assert first == again
    assert len(b64url_decode(first)) == 65 and b64url_decode(first)[0] == 4


def test_a_failing_push_service_falls_back_to_sms_at_once(desk, deliver, twilio, push_service):
    location = desk.location()
    ticket_id = desk.join(location, phone=PHONE)
    deliver()
    subscribe(desk, push_service, ticket_id)
    push_service.fail_next(503)
    desk.call_next(location)
    assert deliver() == 1
    called = desk.outbox(ticket_id)[-1]
    assert (called.topic, called.channel) == ("called", "sms")
    assert "push service answered 503" in called.last_error


def test_the_scheduler_job_sends_what_is_due(notify_app, desk, twilio, clock):
    from qserve.jobs.scheduler import run_job
    from qserve.notify.jobs import JOBS

    location = desk.location()
    desk.join(location, phone=PHONE)
    send = next(job for job in JOBS if job[0] == "notify-send")
    assert run_job(notify_app, send, now=clock()) == 1
    assert run_job(notify_app, send, now=clock()) == 0
    assert len(twilio.messages) == 1
