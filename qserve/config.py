"""Configuration classes; every setting can be overridden by a QSERVE_* environment variable."""

from __future__ import annotations

import logging
import os
import secrets
from pathlib import Path

INSTANCE = Path(os.environ.get("QSERVE_INSTANCE_PATH", Path.cwd() / "var")).resolve()


def _env(name: str, default=None, cast=str):
    value = os.environ.get(f"QSERVE_{name}")
    if value is None or value == "":
        return default
    if cast is bool:
        return value.lower() in ("1", "true", "yes", "on")
    return cast(value)


def _secret_key() -> str:
    """Read the secret key from the environment, or from a file kept in the instance folder."""
    from_env = _env("SECRET_KEY")
    if from_env:
        return from_env
    path = INSTANCE / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


def configure_logging() -> None:
    """Log INFO and above to standard error with the time, level and logger (the server and the scheduler).

    `force`: python-escpos calls `logging.basicConfig()` when it is imported, which left the root logger at
    WARNING with no format, so that a plain basicConfig here did nothing (no "listening on" line, no job
    log)."""
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s", force=True
    )
    for handler in logging.getLogger().handlers:
        handler.addFilter(quiet_escpos)


def quiet_escpos(record: logging.LogRecord) -> bool:
    """Drop python-escpos's routine lines: it logs each printer connection opened and closed at INFO on the
    root logger, two lines per printer every 15 s of status polling, which buried everything else. Its
    warnings and errors stay (qserve logs a printer's failures itself as well)."""
    escpos = f"{os.sep}escpos{os.sep}" in record.pathname
    return not (escpos and record.name == "root" and record.levelno < logging.WARNING)


class Config:
    """Production-safe defaults; embedded SQLite so a fresh machine runs with nothing installed."""

    def __init__(self) -> None:
        self.INSTANCE_PATH = str(INSTANCE)
        self.SECRET_KEY = _secret_key()
        self.DATABASE_URL = _env("DATABASE_URL", f"sqlite:///{INSTANCE / 'qserve.db'}")
        self.REDIS_URL = _env("REDIS_URL")
        self.ASYNC_MODE = _env("ASYNC_MODE", "gevent")
        self.PUBLIC_URL = _env("PUBLIC_URL", "http://127.0.0.1:5000")
        # Behind a reverse proxy (deploy/nginx): how many proxies in front set X-Forwarded-For and
        # X-Forwarded-Proto. With 0, the default, no such header is believed: a server that clients reach
        # directly must not let them choose the address their rate limits count.
        self.TRUSTED_PROXIES = _env("TRUSTED_PROXIES", 0, int)
        # Served over HTTPS, the sign-in cookies are never sent over plain HTTP.
        self.SESSION_COOKIE_SECURE = self.PUBLIC_URL.startswith("https://")
        self.REMEMBER_COOKIE_SECURE = self.SESSION_COOKIE_SECURE
        self.REALTIME_COALESCE_S = _env("REALTIME_COALESCE_S", 0.2, float)
        # Without a message queue the scheduler's refreshes reach no browser: the web process refreshes its
        # own pages this often instead (0 turns that off).
        self.SELF_REFRESH_S = _env("SELF_REFRESH_S", 30.0, float)
        self.RATELIMIT_ENABLED = _env("RATELIMIT_ENABLED", True, bool)
        self.RATELIMIT_STORAGE_URI = _env("RATELIMIT_STORAGE_URI", self.REDIS_URL or "memory://")
        self.RATELIMIT_JOIN = _env("RATELIMIT_JOIN", "20 per minute")
        self.RATELIMIT_JOIN_PER_PHONE = _env("RATELIMIT_JOIN_PER_PHONE", "5 per hour")
        self.RATELIMIT_HEADERS_ENABLED = True
        self.SESSION_COOKIE_HTTPONLY = True
        self.SESSION_COOKIE_SAMESITE = "Lax"
        self.WTF_CSRF_TIME_LIMIT = None
        self.BABEL_DEFAULT_LOCALE = "en"
        self.LANGUAGES = ["en", "fi", "sv", "pl"]
        self.TWILIO_ACCOUNT_SID = _env("TWILIO_ACCOUNT_SID")
        self.TWILIO_AUTH_TOKEN = _env("TWILIO_AUTH_TOKEN")
        self.TWILIO_FROM_NUMBER = _env("TWILIO_FROM_NUMBER")
        self.TWILIO_MESSAGING_SERVICE_SID = _env("TWILIO_MESSAGING_SERVICE_SID")
        self.TWILIO_BASE_URL = _env("TWILIO_BASE_URL")
        self.SMTP_HOST = _env("SMTP_HOST")
        self.SMTP_PORT = _env("SMTP_PORT", 25, int)
        self.SMTP_USERNAME = _env("SMTP_USERNAME")
        self.SMTP_PASSWORD = _env("SMTP_PASSWORD")
        self.SMTP_FROM = _env("SMTP_FROM", "qserve@localhost")
        self.SMTP_STARTTLS = _env("SMTP_STARTTLS", False, bool)
        self.VAPID_KEY_FILE = _env("VAPID_KEY_FILE", str(INSTANCE / "vapid_private.txt"))
        self.VAPID_SUBJECT = _env("VAPID_SUBJECT", "mailto:admin@localhost")
        self.MODEL_PATH = _env("MODEL_PATH", str(INSTANCE / "estimator.pkl"))
        self.TESTING = False


class TestConfig(Config):
    """Settings for the test suite: threading async mode, no coalescing delay, no rate limits by default."""

    def __init__(self, database_url: str = "sqlite://", **overrides) -> None:
        super().__init__()
        self.TESTING = True
        self.DATABASE_URL = database_url
        self.ASYNC_MODE = "threading"
        self.REALTIME_COALESCE_S = 0.0
        self.RATELIMIT_ENABLED = False
        self.RATELIMIT_STORAGE_URI = "memory://"
        self.WTF_CSRF_ENABLED = False
        self.SECRET_KEY = "test-secret"
        for key, value in overrides.items():
            setattr(self, key, value)
