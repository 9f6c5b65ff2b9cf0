"""Composing a leased outbox message with the standard library's ``email`` package and delivering it over
SMTP (STARTTLS when offered, or TLS from the start); every outcome becomes a :class:`outbox.Result`.

A 5xx reply or a refused recipient is permanent; anything else (connection refused, 4xx, a dropped
connection) is temporary and retried with back-off. The Message-ID is the outbox row's, so a message
sent again after a crash carries the same one.
"""
from __future__ import annotations

import datetime as dt
import email.policy
import smtplib
import ssl
from email.errors import HeaderParseError, MessageError
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr

from engine.mail.outbox import PERMANENT, SENT_OK, TEMPORARY, Outgoing, Result
from engine.mail.settings import MailSettings, SmtpServer

TIMEOUT_SECONDS = 30
# Headers are not folded below RFC 5322's 998 characters: Python folds a long non-ASCII header into encoded
# words with the spaces between them, which readers drop (RFC 2047) — "курс КООМЕТ" arrived as "курсКООМЕТ".
POLICY = email.policy.SMTP.clone(max_line_length=998)


class Refused(ValueError):
    """The message cannot be composed safely (a header would break, the address is not one)."""


def compose(message: Outgoing, sender: str) -> EmailMessage:
    """A multipart text + HTML message; raises :class:`Refused` rather than let a value inject a header."""
    mail = EmailMessage(policy=POLICY)
    try:
        mail["From"] = sender
        mail["To"] = Address(display_name=message.to_name, addr_spec=message.to_address)
        mail["Subject"] = message.subject
        mail["Date"] = format_datetime(message.created_at.astimezone(dt.UTC))
        mail["Message-ID"] = message.message_id
        mail["Auto-Submitted"] = "auto-generated"
    except (ValueError, IndexError, HeaderParseError, MessageError) as error:
        raise Refused(f"refused to compose: {error}") from None
    if "@" not in message.to_address:
        raise Refused(f"refused to compose: {message.to_address!r} is not a mail address")
    mail.set_content(message.text)
    mail.add_alternative(message.html, subtype="html")
    if message.attachment is not None and message.attachment_name:
        mail.add_attachment(message.attachment, maintype="application", subtype=_subtype(message.attachment_name),
                            filename=message.attachment_name)
    return mail


def _subtype(filename: str) -> str:
    return "pdf" if filename.lower().endswith(".pdf") else "octet-stream"


def send(settings: MailSettings, messages: list[Outgoing]) -> list[Result]:
    """Deliver ``messages`` over one connection; a server that cannot be reached leaves them all to retry."""
    results, ready = [], []
    for message in messages:
        try:
            ready.append((message, compose(message, settings.sender)))
        except Refused as error:
            results.append(Result(message.id, PERMANENT, str(error)))
    if not ready:
        return results
    try:
        connection = connect(settings.smtp)
    except (OSError, smtplib.SMTPException) as error:
        return results + [Result(m.id, TEMPORARY, f"cannot reach the mail server: {_say(error)}") for m, _ in ready]
    envelope_from = parseaddr(settings.sender)[1]
    with connection:
        for index, (message, mail) in enumerate(ready):
            outcome = _send_one(connection, envelope_from, message, mail)
            results.append(outcome)
            if outcome.outcome == TEMPORARY and outcome.error and outcome.error.startswith("connection lost"):
                results += [Result(m.id, TEMPORARY, outcome.error) for m, _ in ready[index + 1:]]
                break
    return results


def _send_one(connection: smtplib.SMTP, envelope_from: str, message: Outgoing, mail: EmailMessage) -> Result:
    try:
        connection.send_message(mail, from_addr=envelope_from, to_addrs=[message.to_address])
    except smtplib.SMTPRecipientsRefused as error:
        code, reply = next(iter(error.recipients.values()))
        return Result(message.id, PERMANENT if code >= 500 else TEMPORARY,
                      f"the server refused {message.to_address}: {code} {_text(reply)}")
    except smtplib.SMTPSenderRefused as error:  # our own address: a setting to fix, then it goes
        return Result(message.id, TEMPORARY, f"the server refused the sender: {error.smtp_code} {_text(error.smtp_error)}")
    except smtplib.SMTPResponseException as error:
        return Result(message.id, PERMANENT if error.smtp_code >= 500 else TEMPORARY,
                      f"the server answered {error.smtp_code} {_text(error.smtp_error)}")
    except (OSError, smtplib.SMTPException) as error:
        return Result(message.id, TEMPORARY, f"connection lost: {_say(error)}")
    return Result(message.id, SENT_OK)


def connect(server: SmtpServer | None) -> smtplib.SMTP:
    if server is None:
        raise smtplib.SMTPException("no mail server configured (COURSEFLOW_SMTP_URL)")
    context = ssl.create_default_context()
    connection: smtplib.SMTP
    if server.tls:
        connection = smtplib.SMTP_SSL(server.host, server.port, timeout=TIMEOUT_SECONDS, context=context)
    else:
        connection = smtplib.SMTP(server.host, server.port, timeout=TIMEOUT_SECONDS)
        connection.ehlo()
        if connection.has_extn("starttls"):
            connection.starttls(context=context)
            connection.ehlo()
    if server.user:
        connection.login(server.user, server.password or "")
    return connection


def _text(reply: bytes | str) -> str:
    return reply.decode(errors="replace") if isinstance(reply, bytes) else str(reply)


def _say(error: Exception) -> str:
    return str(error) or type(error).__name__
