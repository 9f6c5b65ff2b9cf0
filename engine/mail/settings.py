"""Mail settings from environment variables: where to send, from whom, and the links' base address."""
from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping
from dataclasses import dataclass
from email.headerregistry import Address
from email.utils import parseaddr
from urllib.parse import unquote, urlsplit

from engine.base.errors import CourseFlowError

DEFAULT_BASE_URL = "http://127.0.0.1:5000"
DEFAULT_FROM = "CourseFlow <courseflow@localhost>"


@dataclass(frozen=True)
class SmtpServer:
    """``smtp://user:pass@host:port`` (STARTTLS when the server offers it) or ``smtps://`` (TLS from the start)."""

    host: str
    port: int
    tls: bool
    user: str | None
    password: str | None

    @classmethod
    def parse(cls, url: str) -> SmtpServer:
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise CourseFlowError(f"COURSEFLOW_SMTP_URL={url!r} is not smtp://[user:pass@]host[:port] "
                                  f"or smtps://[user:pass@]host[:port]")
        tls = parts.scheme == "smtps"
        try:
            port = parts.port or (465 if tls else 25)
        except ValueError:
            raise CourseFlowError(f"COURSEFLOW_SMTP_URL={url!r} has a port that is not a number") from None
        return cls(parts.hostname, port, tls, unquote(parts.username) if parts.username else None,
                   unquote(parts.password) if parts.password else None)


@dataclass(frozen=True)
class MailSettings:
    smtp: SmtpServer | None  # None: mail stays in the outbox
    sender: str
    base_url: str
    remind_days: int

    @property
    def remind_before(self) -> dt.timedelta:
        return dt.timedelta(days=self.remind_days)


def current(environ: dict[str, str] | None = None) -> MailSettings:
    env = os.environ if environ is None else environ
    smtp_url = env.get("COURSEFLOW_SMTP_URL")
    return MailSettings(smtp=SmtpServer.parse(smtp_url) if smtp_url else None,
                        sender=_sender(env.get("COURSEFLOW_MAIL_FROM") or DEFAULT_FROM),
                        base_url=base_url(env),
                        remind_days=_days(env.get("COURSEFLOW_MAIL_REMIND_DAYS", "3")))


def base_url(env: Mapping[str, str]) -> str:
    """``COURSEFLOW_BASE_URL``: the address people open CourseFlow at; only http(s)."""
    url = (env.get("COURSEFLOW_BASE_URL") or DEFAULT_BASE_URL).rstrip("/")
    if urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).netloc:
        raise CourseFlowError(f"COURSEFLOW_BASE_URL={url!r} must be an http:// or https:// address, "
                              f"e.g. https://courseflow.coomet.org")
    return url


def domain_from_env(env: Mapping[str, str]) -> str:
    """The domain of Message-IDs, from ``COURSEFLOW_MAIL_FROM`` (never raises: a completion must not fail on it)."""
    address = parseaddr(env.get("COURSEFLOW_MAIL_FROM") or DEFAULT_FROM)[1]
    domain = address.rpartition("@")[2]
    return domain if domain and all(c.isalnum() or c in ".-" for c in domain) else "localhost"


def check_production(environ: dict[str, str] | None = None) -> None:
    """``COURSEFLOW_ENV=production`` needs a secret key and the base URL mails link to."""
    env = os.environ if environ is None else environ
    if env.get("COURSEFLOW_ENV") != "production":
        return
    missing = [name for name in ("COURSEFLOW_SECRET_KEY", "COURSEFLOW_BASE_URL") if not env.get(name)]
    if missing:
        raise CourseFlowError(f"COURSEFLOW_ENV=production needs {' and '.join(missing)} to be set.")
    base_url(env)


def _sender(text: str) -> str:
    name, address = parseaddr(text)
    try:
        return str(Address(name, addr_spec=address))
    except (ValueError, IndexError):
        raise CourseFlowError(f"COURSEFLOW_MAIL_FROM={text!r} is not a mail address, "
                              f"e.g. 'CourseFlow <courseflow@coomet.org>'") from None


def _days(text: str) -> int:
    if not text.isdigit():
        raise CourseFlowError(f"COURSEFLOW_MAIL_REMIND_DAYS={text!r} must be a whole number of days")
    return int(text)
