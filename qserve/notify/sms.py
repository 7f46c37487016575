"""SMS through Twilio's real client, with its errors mapped to retry now-or-later and never twice."""

from __future__ import annotations

from datetime import timedelta

import requests
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from qserve.notify.channels import Outgoing, PermanentError, Recipient, Sent, TransientError

OPTED_OUT_CODE = 21610  # "Attempt to send to unsubscribed recipient": the number answered STOP to Twilio
TRANSIENT_CODES = {20429, 30001, 30500}  # too many requests, queue overflow, internal error
FAILED_STATUSES = {"failed", "undelivered", "canceled"}
LOOKBACK = timedelta(minutes=2)  # clock skew allowed when looking for an unclear earlier attempt


class RecipientOptedOut(PermanentError):
    """The provider refuses the number because it opted out: remember the opt-out."""


class SmsChannel:
    """Send SMS from a number or a Messaging Service; `base_url` points the client at a stand-in in tests."""

    name = "sms"

    def __init__(
        self,
        *,
        account_sid: str,
        auth_token: str,
        from_number: str | None = None,
        messaging_service_sid: str | None = None,
        base_url: str | None = None,
        status_callback_url: str | None = None,
        timeout_s: float = 10.0,
    ) -> None:
        if not (from_number or messaging_service_sid):
            raise ValueError("SMS needs TWILIO_FROM_NUMBER or TWILIO_MESSAGING_SERVICE_SID")
        self.from_number = from_number
        self.messaging_service_sid = messaging_service_sid
        self.status_callback_url = status_callback_url
        # environment={} keeps TWILIO_EDGE/TWILIO_REGION of the process from rewriting the host.
        self.client = Client(
            account_sid, auth_token, http_client=TwilioHttpClient(timeout=timeout_s), environment={}
        )
        if base_url:
            self.client.api.base_url = base_url.rstrip("/")

    def targets(self, recipient: Recipient) -> list[str]:
        """Return the customer's phone number when they gave one and did not opt out."""
        return [recipient.phone] if recipient.phone else []

    def send(self, target: str, message: Outgoing) -> Sent:
        """Send one SMS, unless an unclear earlier attempt turns out to have reached the provider."""
        if "sms" in message.unclear_channels:
            earlier = self._earlier_copy(target, message)
            if earlier is not None:
                return earlier
        arguments = {"to": target, "body": message.sms_text}
        if self.messaging_service_sid:
            arguments["messaging_service_sid"] = self.messaging_service_sid
        else:
            arguments["from_"] = self.from_number
        if self.status_callback_url:
            arguments["status_callback"] = self.status_callback_url
        try:
            created = self.client.messages.create(**arguments)
        except TwilioRestException as error:
            raise classify_rest_error(error) from error
        except requests.exceptions.ConnectTimeout as error:
            raise TransientError(f"SMS provider unreachable: {error}") from error
        except requests.exceptions.RequestException as error:
            # The request may have reached the provider before the answer was lost.
            raise TransientError(f"SMS provider did not answer: {error}", unclear=True) from error
        except TwilioException as error:
            raise TransientError(f"SMS provider gave an unreadable answer: {error}", unclear=True) from error
        return Sent(created.sid, {"status": created.status})

    def _earlier_copy(self, target: str, message: Outgoing) -> Sent | None:
        """Find the same text already accepted for this number since the message was created."""
        since = message.created_at
        try:
            recent = self.client.messages.list(to=target, limit=20)
        except (TwilioException, requests.exceptions.RequestException) as error:
            raise TransientError(f"cannot check earlier SMS attempts: {error}") from error
        for earlier in recent:
            if earlier.body != message.sms_text or earlier.status in FAILED_STATUSES:
                continue
            if (
                since is not None
                and earlier.date_created is not None
                and earlier.date_created < since - LOOKBACK
            ):
                continue
            return Sent(earlier.sid, {"status": earlier.status, "found_earlier": True})
        return None


def classify_rest_error(error: TwilioRestException) -> Exception:
    """Map a Twilio API error to a transient (retry later) or permanent (try another channel) failure."""
    text = f"Twilio {error.status} code {error.code}: {error.msg}"
    if error.code == OPTED_OUT_CODE:
        return RecipientOptedOut(text)
    if error.status >= 500 or error.status in (401, 429) or error.code in TRANSIENT_CODES:
        return TransientError(text)
    return PermanentError(text)
