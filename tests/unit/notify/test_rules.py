"""Pure rules of delivery: thresholds, backoff, subscription checks, provider error mapping."""

from __future__ import annotations

import random

import pytest
from twilio.base.exceptions import TwilioRestException

from qserve.domain.errors import ValidationFailed
from qserve.notify.channels import PermanentError, SubscriptionGone, TransientError
from qserve.notify.dispatch import RetryPolicy
from qserve.notify.email import message_id
from qserve.notify.outbox import allowed_channels, notification_settings
from qserve.notify.push import b64url
from qserve.notify.sms import RecipientOptedOut, classify_rest_error
from qserve.notify.subscriptions import check_subscription
from qserve.notify.thresholds import due_thresholds


@pytest.mark.parametrize(
    ("value", "done", "announce", "moot"),
    [
        (7, set(), None, []),  # not near yet
        (5, set(), 5, []),
        (4, {5}, None, []),  # 5 told already, 2 not reached
        (2, {5}, 2, []),
        (1, set(), 2, [5]),  # jumped past both at once: tell the closest, skip the other
        (2, {5, 2}, None, []),
        (5, {2}, None, [5]),  # moved back after hearing "2nd": never tell "5th" later
    ],
)
def test_only_the_closest_new_threshold_is_announced(value, done, announce, moot):
    assert due_thresholds(value, [5, 2], done) == (announce, moot)


def test_backoff_doubles_up_to_a_cap_with_jitter_in_its_upper_half():
    policy = RetryPolicy(base_s=10, cap_s=100)
    rng = random.Random(1)
    for attempt, ceiling in [(1, 10), (2, 20), (3, 40), (4, 80), (5, 100), (9, 100)]:
        delays = [policy.delay_s(attempt, rng) for _ in range(200)]
        assert ceiling / 2 <= min(delays) and max(delays) <= ceiling
        assert max(delays) - min(delays) > ceiling / 4  # jitter spreads retries of an outage


def subscription(**change) -> dict:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    point = (
        ec.generate_private_key(ec.SECP256R1())
        .public_key()
        .public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    )
    body = {
        "endpoint": "https://fcm.googleapis.com/fcm/send/abc",
        "keys": {"p256dh": b64url(point), "auth": b64url(b"a" * 16)},
    }
    return body | change


def test_a_browser_subscription_passes_the_check():
    endpoint, p256dh, auth = check_subscription(subscription())
    assert endpoint.startswith("https://fcm.googleapis.com/")


@pytest.mark.parametrize(
    ("change", "insecure", "field"),
    [
        ({"endpoint": "http://push.example.org/x"}, False, "endpoint"),
        ({"endpoint": "https://user:pw@push.example.org/x"}, False, "endpoint"),
        ({"endpoint": 5}, False, "endpoint"),
        (
            {"keys": {"p256dh": b64url(b"\x04" + b"\x01" * 64), "auth": b64url(b"a" * 16)}},
            False,
            "keys.p256dh",
        ),
        ({"keys": {"p256dh": "!!!", "auth": b64url(b"a" * 16)}}, False, "keys.p256dh"),
        ({"keys": "x"}, False, "keys"),
    ],
)
def test_a_bad_subscription_names_its_field(change, insecure, field):
    with pytest.raises(ValidationFailed) as error:
        check_subscription(subscription(**change), allow_insecure=insecure)
    assert error.value.field == field


def test_a_subscription_with_a_short_auth_secret_is_refused():
    body = subscription()
    body["keys"]["auth"] = b64url(b"a" * 8)
    with pytest.raises(ValidationFailed):
        check_subscription(body)


@pytest.mark.parametrize(
    ("status", "code", "error"),
    [
        (500, 20500, TransientError),
        (503, None, TransientError),
        (429, 20429, TransientError),
        (401, 20003, TransientError),  # our credentials: an operator can fix them, so keep trying a while
        (400, 21211, PermanentError),
        (400, 21610, RecipientOptedOut),
        (400, 21408, PermanentError),
    ],
)
def test_twilio_errors_map_to_retry_or_next_channel(status, code, error):
    mapped = classify_rest_error(TwilioRestException(status, "/Messages.json", "msg", code=code))
    assert type(mapped) is error


def test_push_errors_map_to_gone_retry_or_next_channel():
    from pywebpush import WebPushException

    from qserve.notify.push import classify_push_error

    class Answer:
        def __init__(self, status_code):
            self.status_code = status_code
            self.text = ""

    assert type(classify_push_error(WebPushException("x", Answer(410)))) is SubscriptionGone
    assert type(classify_push_error(WebPushException("x", Answer(404)))) is SubscriptionGone
    assert type(classify_push_error(WebPushException("x", Answer(502)))) is TransientError
    assert type(classify_push_error(WebPushException("x", Answer(413)))) is PermanentError


def test_settings_fill_defaults_and_limit_sms_to_chosen_kinds():
    class Location:
        settings = {"notifications": {"email": False, "sms_kinds": ["called"], "unknown": 1}}

    settings = notification_settings(Location())
    assert settings["position_thresholds"] == [5, 2] and settings["time_left_s"] == [600]
    assert "unknown" not in settings
    assert allowed_channels(settings, "called") == ["push", "sms"]
    assert allowed_channels(settings, "joined") == ["push"]


def test_the_message_id_is_the_same_for_the_same_message():
    assert message_id("ticket:1:joined", "q@bank.example") == message_id(
        "ticket:1:joined", "Q <q@bank.example>"
    )
    assert message_id("ticket:1:joined", "q@bank.example") != message_id("ticket:2:joined", "q@bank.example")
