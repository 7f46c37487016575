"""Email over SMTP with a text and an HTML part, and a Message-ID derived from the dedupe key."""

from __future__ import annotations

import hashlib
import smtplib
from email.message import EmailMessage
from email.utils import formataddr, parseaddr

from qserve.notify.channels import Outgoing, PermanentError, Recipient, Sent, TransientError


def message_id(dedupe_key: str, sender: str) -> str:
    """Return a stable Message-ID, so that even a repeated send is one message to the receiving server."""
    domain = parseaddr(sender)[1].rpartition("@")[2] or "qserve.invalid"
    digest = hashlib.sha256(dedupe_key.encode()).hexdigest()[:32]
    return f"<{digest}@{domain}>"


def build_email(message: Outgoing, *, sender: str, to: str, sender_name: str = "qserve") -> EmailMessage:
    """Build the MIME message: text first, HTML as the alternative."""
    email = EmailMessage()
    email["Subject"] = message.title
    email["From"] = formataddr((sender_name, parseaddr(sender)[1])) if "<" not in sender else sender
    email["To"] = to
    email["Message-ID"] = message_id(message.dedupe_key, sender)
    email["Content-Language"] = message.language
    email["Auto-Submitted"] = "auto-generated"
    email.set_content(message.text + ("\n\n" + message.url if message.url else "") + "\n")
    email.add_alternative(message.html, subtype="html")
    return email


class EmailChannel:
    """Send through an SMTP relay; 4xx answers and broken connections are retried, 5xx are final."""

    name = "email"

    def __init__(
        self,
        *,
        host: str,
        port: int = 25,
        sender: str,
        username: str | None = None,
        password: str | None = None,
        starttls: bool = False,
        timeout_s: float = 15.0,
    ) -> None:
        self.host = host
        self.port = port
        self.sender = sender
        self.username = username
        self.password = password
        self.starttls = starttls
        self.timeout_s = timeout_s

    def targets(self, recipient: Recipient) -> list[str]:
        """Return the customer's email address when they gave one."""
        return [recipient.email] if recipient.email else []

    def send(self, target: str, message: Outgoing) -> Sent:
        """Send one email."""
        return self.deliver(build_email(message, sender=self.sender, to=target))

    def deliver(self, email: EmailMessage) -> Sent:
        """Hand a built message (with attachments, say) to the relay; raise TransientError or
        PermanentError as `send` does."""
        try:
            with smtplib.SMTP(self.host, self.port, timeout=self.timeout_s) as smtp:
                if self.starttls:
                    smtp.starttls()
                if self.username:
                    smtp.login(self.username, self.password or "")
                refused = smtp.send_message(email)
        except smtplib.SMTPRecipientsRefused as error:
            codes = [code for code, _text in error.recipients.values()]
            raise _by_code(min(codes, default=550), f"recipient refused: {error.recipients}") from error
        except smtplib.SMTPResponseException as error:
            raise _by_code(error.smtp_code, f"SMTP {error.smtp_code}: {error.smtp_error!r}") from error
        except (smtplib.SMTPException, OSError) as error:
            raise TransientError(f"SMTP server unreachable: {error}") from error
        if refused:
            raise PermanentError(f"recipient refused: {refused}")
        return Sent(email["Message-ID"])


def _by_code(code: int, text: str) -> Exception:
    # 530/535 are our own credentials: fixable by an operator, so retried like a 4xx.
    return TransientError(text) if 400 <= code < 500 or code in (530, 535) else PermanentError(text)
