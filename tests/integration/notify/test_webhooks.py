"""Twilio's webhooks (signed and forged), SMS keywords in four languages, and push subscriptions over HTTP."""

from __future__ import annotations

import pytest

from qserve.db import read_session
from qserve.models import OutboxMessage
from qserve.models.notify import InboundSms, PushSubscription, SmsOptOut
from tests.integration.notify.conftest import PUBLIC_URL
from tests.support.fake_twilio import twilio_signature

PHONE = "+358401234567"


@pytest.fixture
def notify_backend():
    """Webhooks are HTTP parsing and one service call: SQLite is enough."""
    return "sqlite"


@pytest.fixture
def client(notify_app):
    """Return a test client of the app."""
    return notify_app.test_client()


def post_signed(client, path: str, form: dict, *, url: str | None = None, token: str | None = None):
    """Post a form signed like Twilio signs it (for the public URL the provider called)."""
    arguments = {"token": token} if token else {}
    signature = twilio_signature(url or PUBLIC_URL + path, form, **arguments)
    return client.post(path, data=form, headers={"X-Twilio-Signature": signature})


def sms(client, body: str, *, sid: str = "SM1", sender: str = PHONE):
    """Send an inbound SMS to the webhook and return the response."""
    return post_signed(
        client, "/hooks/twilio/sms", {"From": sender, "To": "+15005550006", "Body": body, "MessageSid": sid}
    )


def reply_of(response) -> str:
    """Return the text of a TwiML reply."""
    assert response.status_code == 200 and response.mimetype == "application/xml"
    text = response.get_data(as_text=True)
    return text.split("<Message>", 1)[1].split("</Message>", 1)[0]


@pytest.mark.parametrize(
    "how",
    ["unsigned", "forged", "other-token", "other-url", "altered-body"],
)
def test_an_inbound_sms_not_signed_by_the_provider_is_refused_with_403(client, desk, how):
    location = desk.location()
    ticket_id = desk.join(location, phone=PHONE)
    form = {"From": PHONE, "Body": "CANCEL", "MessageSid": "SM1"}
    path = "/hooks/twilio/sms"
    if how == "unsigned":
        response = client.post(path, data=form)
    elif how == "forged":
        response = client.post(path, data=form, headers={"X-Twilio-Signature": "bm90IGEgc2lnbmF0dXJl"})
    elif how == "other-token":
        response = post_signed(client, path, form, token="someone-elses-token")
    elif how == "other-url":
        response = post_signed(client, path, form, url="https://evil.example.org" + path)
    else:
        signature = twilio_signature(PUBLIC_URL + path, form)
        response = client.post(path, data=form | {"Body": "LATE"}, headers={"X-Twilio-Signature": signature})
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "forbidden"
    assert desk.ticket(ticket_id).status == "waiting"


@pytest.mark.parametrize(
    ("body", "language"),
    [("CANCEL", "en"), ("peru", "fi"), ("Avbryt tack", "sv"), ("anuluj", "pl")],
)
def test_cancel_in_any_language_cancels_the_phones_ticket_and_replies_in_its_language(
    client, desk, body, language
):
    location = desk.location()
    ticket_id = desk.join(location, phone=PHONE, language=language)
    reply = reply_of(sms(client, body))
    ticket = desk.ticket(ticket_id)
    assert (ticket.status, ticket.cancelled_by) == ("cancelled", "customer")
    expected = {
        "en": "Ticket A001 is cancelled.",
        "fi": "Vuoro A001 on peruttu.",
        "sv": "Biljett A001 är avbokad.",
        "pl": "Bilet A001 anulowany.",
    }
    assert reply.startswith(expected[language])


def test_late_gives_more_time_a_bounded_number_of_times(client, desk):
    location = desk.location()
    ticket_id = desk.join(location, phone=PHONE, language="fi")
    for _ in range(6):  # enough behind for two moves of three places, each joining a little later
        desk.clock.advance(seconds=30)
        desk.join(location)
    first = reply_of(sms(client, "Myöhässä", sid="SM1"))
    second = reply_of(sms(client, "MYOHASSA", sid="SM2"))
    third = reply_of(sms(client, "myöhässä", sid="SM3"))
    assert first.startswith("A001: saat lisäaikaa") and second == first
    assert third.startswith("A001: tämä ei ole nyt mahdollista")
    assert desk.ticket(ticket_id).postpone_count == 2


def test_late_from_the_last_in_line_says_nobody_is_behind_and_counts_nothing(client, desk):
    location = desk.location()
    ticket_id = desk.join(location, phone=PHONE, language="sv")
    reply = reply_of(sms(client, "SEN", sid="SM1"))
    assert reply == "A001: ingen står bakom dig i kön än, så du har redan mest tid."
    assert desk.ticket(ticket_id).postpone_count == 0


def test_a_retried_webhook_acts_once_and_answers_the_same(client, desk):
    location = desk.location()
    ticket_id = desk.join(location, phone=PHONE)
    desk.join(location)
    first = reply_of(sms(client, "LATE", sid="SM42"))
    again = reply_of(sms(client, "LATE", sid="SM42"))
    assert first == again
    assert desk.ticket(ticket_id).postpone_count == 1
    with read_session() as session:
        assert session.query(InboundSms).count() == 1


def test_stop_opts_the_number_out_and_start_opts_it_back_in(client, desk, deliver, twilio):
    location = desk.location()
    desk.join(location, phone=PHONE, language="sv")
    assert reply_of(sms(client, "STOPP", sid="SM1")).startswith("Du får inga fler sms")
    desk.call_next(location)
    deliver()
    assert twilio.messages == []
    with read_session() as session:
        assert [o.phone for o in session.query(SmsOptOut)] == [PHONE]
    assert reply_of(sms(client, "starta", sid="SM2")).startswith("Du får sms från oss igen")
    with read_session() as session:
        assert session.query(SmsOptOut).count() == 0


def test_here_without_a_check_in_service_sends_the_customer_to_the_desk(client, desk):
    location = desk.location()
    desk.join(location, phone=PHONE, language="pl")
    assert reply_of(sms(client, "Jestem")).startswith("A001: powiedz obsludze przy stanowisku")


@pytest.mark.parametrize("body", ["hello?", "", "123", "when is my turn"])
def test_anything_else_gets_a_short_help_text_in_one_segment(client, desk, body):
    from qserve.notify.messages import sms_segments

    location = desk.location()
    desk.join(location, phone=PHONE)
    reply = reply_of(sms(client, body))
    assert reply.startswith("qserve: reply CANCEL to cancel your ticket")
    assert sms_segments(reply) == 1


def test_a_number_without_a_ticket_is_told_so(client, desk):
    desk.location()
    assert (
        reply_of(sms(client, "CANCEL", sender="+358409999999")) == "You have no ticket in line at the moment."
    )


def joined_row(ticket_id: int) -> OutboxMessage:
    """Return the confirmation row of a ticket."""
    with read_session() as session:
        return session.query(OutboxMessage).filter_by(ticket_id=ticket_id, topic="joined").one()


def test_delivery_status_callbacks_are_stored_and_never_go_backwards(client, desk, deliver):
    location = desk.location()
    ticket_id = desk.join(location, phone=PHONE)
    deliver()
    sid = joined_row(ticket_id).provider_message_id
    path = "/hooks/twilio/status"
    for status in ("sent", "delivered", "sent"):
        response = post_signed(client, path, {"MessageSid": sid, "MessageStatus": status})
        assert response.status_code == 204
    forged = client.post(path, data={"MessageSid": sid, "MessageStatus": "failed"})
    assert forged.status_code == 403
    assert joined_row(ticket_id).provider_status == "delivered"


def test_an_undelivered_sms_goes_out_again_by_email_once(client, desk, deliver, smtp):
    from datetime import UTC, datetime, timedelta

    location = desk.location()
    ticket_id = desk.join(location, phone=PHONE, email="jane@example.com")
    deliver()
    row = joined_row(ticket_id)
    assert (row.channel, smtp.to("jane@example.com")) == ("sms", [])
    path = "/hooks/twilio/status"
    form = {"MessageSid": row.provider_message_id, "MessageStatus": "undelivered", "ErrorCode": "30003"}
    assert post_signed(client, path, form).status_code == 204
    assert deliver(datetime.now(UTC) + timedelta(seconds=1)) == 1
    row = joined_row(ticket_id)
    assert (row.status, row.channel) == ("sent", "email")
    (mail,) = smtp.to("jane@example.com")
    assert "A001" in mail["Subject"]
    failed = {"MessageSid": row.provider_message_id or "SMx", "MessageStatus": "failed"}
    post_signed(client, path, failed)  # a late callback of the first SMS changes nothing more
    assert deliver(datetime.now(UTC) + timedelta(seconds=2)) == 0
    assert len(smtp.to("jane@example.com")) == 1


def test_an_undelivered_sms_without_an_email_address_stays_as_it_was(client, desk, deliver):
    location = desk.location()
    ticket_id = desk.join(location, phone=PHONE)
    deliver()
    sid = joined_row(ticket_id).provider_message_id
    post_signed(client, "/hooks/twilio/status", {"MessageSid": sid, "MessageStatus": "undelivered"})
    row = joined_row(ticket_id)
    assert (row.status, row.channel, row.provider_status) == ("sent", "sms", "undelivered")


def test_the_page_subscribes_to_push_and_gets_the_call_decrypted(client, desk, deliver, push_service):
    location = desk.location()
    ticket_id = desk.join(location)
    token = desk.ticket(ticket_id).public_token
    key = client.get("/api/v1/push/public-key").get_json()["public_key"]
    assert key == client.get("/api/v1/push/public-key").get_json()["public_key"]
    browser = push_service.subscribe()
    response = client.post(f"/api/v1/tickets/{token}/push-subscriptions", json=browser.to_json())
    assert response.status_code == 201
    again = client.post(
        f"/api/v1/tickets/{token}/push-subscriptions", json={"subscription": browser.to_json()}
    )
    assert again.status_code == 200 and again.get_json() == response.get_json()
    desk.call_next(location)
    assert deliver() == 1
    [payload] = push_service.delivered_to(browser)
    assert payload["body"] == "A001: it's your turn! Please go to counter 4."
    assert push_service.received[0]["headers"]["authorization"].endswith(f"k={key}")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"endpoint": "ftp://push.example.org/x"}, "endpoint"),
        ({"keys": {"p256dh": "AAAA", "auth": "AAAAAAAAAAAAAAAAAAAAAA"}}, "keys.p256dh"),
        ({"keys": None}, "keys"),
    ],
)
def test_a_bad_subscription_is_refused_naming_the_field(client, desk, push_service, change, field):
    location = desk.location()
    token = desk.ticket(desk.join(location)).public_token
    body = push_service.subscribe().to_json() | change
    response = client.post(f"/api/v1/tickets/{token}/push-subscriptions", json=body)
    assert response.status_code == 422
    assert response.get_json()["error"]["field"] == field
    with read_session() as session:
        assert session.query(PushSubscription).count() == 0


def test_subscribing_an_unknown_or_closed_ticket_is_refused(client, desk, push_service):
    location = desk.location()
    ticket_id = desk.join(location)
    body = push_service.subscribe().to_json()
    missing = client.post("/api/v1/tickets/tnope/push-subscriptions", json=body)
    assert missing.status_code == 404 and missing.get_json()["error"]["code"] == "not_found"
    desk.act(ticket_id, "cancel", reason="test")
    token = desk.ticket(ticket_id).public_token
    closed = client.post(f"/api/v1/tickets/{token}/push-subscriptions", json=body)
    assert closed.status_code == 409


@pytest.mark.parametrize("notify_config", [{"WTF_CSRF_ENABLED": True}])
def test_webhooks_and_subscriptions_need_no_csrf_token_when_the_site_checks_them(client, desk, push_service):
    location = desk.location()
    ticket_id = desk.join(location, phone=PHONE)
    token = desk.ticket(ticket_id).public_token
    subscribed = client.post(
        f"/api/v1/tickets/{token}/push-subscriptions", json=push_service.subscribe().to_json()
    )
    assert subscribed.status_code == 201
    assert reply_of(sms(client, "CANCEL")).startswith("Ticket A001 is cancelled.")
