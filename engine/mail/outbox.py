"""The outbox table: queueing letters (in the caller's transaction), leasing due messages to a sender
(SKIP LOCKED on PostgreSQL, so several workers never take the same row), recording what happened, and
the views the Outbox page reads."""
from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Table, func, insert, or_, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from engine.base import clock
from engine.base.errors import NotFound
from engine.base.models import User
from engine.base.vocabulary import EventKind
from engine.mail.models import DAILY, DIGEST, DIGESTED, FAILED, PENDING, QUEUED, SENT, OutboxMessage
from engine.mail.recipients import Person
from engine.mail.texts import Letter, one_line
from engine.proof import audit

outbox = cast(Table, OutboxMessage.__table__)
LEASE = dt.timedelta(minutes=5)
SUBJECT_LIMIT = 200  # characters: even in Cyrillic, the encoded header stays on one line (see smtp.POLICY)
MAX_ATTEMPTS = 12  # with the back-off below, about three days of retrying
SENT_OK, TEMPORARY, PERMANENT = "sent", "temporary", "permanent"
_INSERT = insert(outbox)


def backoff(attempts: int) -> dt.timedelta:
    """1, 2, 4 … minutes after each failed attempt, at most 12 hours."""
    return min(dt.timedelta(minutes=2 ** max(attempts - 1, 0)), dt.timedelta(hours=12))


def row(person: Person, kind: str, letter: Letter, domain: str, task_id: str | None = None,
        course_id: int | None = None, digestible: bool = False, created_at: dt.datetime | None = None) -> dict[str, Any]:
    """An outbox row for ``person``; a task-opened letter for someone who chose the daily digest is held for it."""
    now = clock.now()
    written = created_at or now
    return dict(message_id=f"<{uuid.uuid4().hex}.{kind}@{domain}>", kind=kind, recipient=person.login,
                to_name=one_line(person.name, 200), to_address=person.address or "", language=person.language,
                subject=one_line(letter.subject, SUBJECT_LIMIT), text=letter.as_text(), html=letter.as_html(),
                state=DIGEST if digestible and person.frequency == DAILY else QUEUED,
                task_id=task_id, course_id=course_id, digest_id=None, attempts=0, next_attempt_at=now,
                lease_until=None, last_error=None, created_at=written, sent_at=None)


def queue(connection: Connection, rows: list[dict[str, Any]]) -> None:
    if rows:
        connection.execute(_INSERT, rows)


@dataclass(frozen=True)
class Outgoing:
    """A leased message, as the sender needs it."""

    id: int
    message_id: str
    to_name: str
    to_address: str
    subject: str
    text: str
    html: str
    created_at: dt.datetime
    attempts: int
    attachment_name: str | None = None
    attachment: bytes | None = None


@dataclass(frozen=True)
class Result:
    id: int
    outcome: str  # SENT_OK | TEMPORARY | PERMANENT
    error: str | None = None


def lease(session: Session, limit: int, skip_locked: bool) -> list[Outgoing]:
    """Take a short lease on up to ``limit`` queued messages that are due; messages to people deactivated
    since they were queued fail instead ("deactivated people get nothing")."""
    now = clock.now()
    query = (select(outbox).where(outbox.c.state == QUEUED, outbox.c.next_attempt_at <= now,
                                  or_(outbox.c.lease_until.is_(None), outbox.c.lease_until < now))
             .order_by(outbox.c.next_attempt_at, outbox.c.id).limit(limit))
    if skip_locked:
        query = query.with_for_update(skip_locked=True)
    rows = session.execute(query).all()
    if not rows:
        return []
    inactive = set(session.scalars(select(User.login).where(
        User.login.in_({r.recipient for r in rows if r.recipient}), User.active.is_(False))))
    refused = [r.id for r in rows if r.recipient in inactive]
    if refused:
        session.execute(update(outbox).where(outbox.c.id.in_(refused)).values(
            state=FAILED, last_error="not sent: the person was deactivated"))
    taken = [r for r in rows if r.recipient not in inactive]
    session.execute(update(outbox).where(outbox.c.id.in_([r.id for r in taken])).values(lease_until=now + LEASE))
    return [Outgoing(r.id, r.message_id, r.to_name, r.to_address, r.subject, r.text, r.html, r.created_at,
                     r.attempts, r.attachment_name, r.attachment) for r in taken]


def record(session: Session, leased: list[Outgoing], results: list[Result]) -> None:
    """Mark each message sent, to be retried later (back-off) or failed; one audit event for the batch."""
    now, attempts = clock.now(), {m.id: m.attempts + 1 for m in leased}
    sent = [r.id for r in results if r.outcome == SENT_OK]
    if sent:
        session.execute(update(outbox).where(outbox.c.id.in_(sent)).values(
            state=SENT, sent_at=now, attempts=outbox.c.attempts + 1, lease_until=None, last_error=None))
    for result in results:
        if result.outcome == SENT_OK:
            continue
        tries = attempts[result.id]
        values: dict[str, Any] = dict(attempts=tries, lease_until=None, last_error=result.error)
        if result.outcome == PERMANENT or tries >= MAX_ATTEMPTS:
            values.update(state=FAILED)
        else:
            values.update(next_attempt_at=now + backoff(tries))
        session.execute(update(outbox).where(outbox.c.id == result.id).values(**values))
    by_outcome = {kind: [r.id for r in results if r.outcome == kind] for kind in (SENT_OK, TEMPORARY, PERMANENT)}
    audit.append(session, [audit.NewEvent(EventKind.MAIL_DELIVERED, data={
        "sent": by_outcome[SENT_OK], "retrying": by_outcome[TEMPORARY],
        "failed": [{"id": r.id, "error": r.error} for r in results if r.outcome == PERMANENT]})], now)


@dataclass(frozen=True)
class OutboxView:
    """One message as the Outbox page lists it."""

    id: int
    kind: str
    recipient: str | None
    to_name: str
    to_address: str
    language: str
    subject: str
    state: str
    attempts: int
    next_attempt_at: dt.datetime
    last_error: str | None
    created_at: dt.datetime
    sent_at: dt.datetime | None
    task_id: str | None
    course_id: int | None
    digest_id: int | None


@dataclass(frozen=True)
class OutboxDetail:
    """One message with its text, HTML and Message-ID, and the messages a digest gathers."""

    message: OutboxView
    message_id: str
    text: str
    html: str
    gathered: tuple[OutboxView, ...]


_VIEW_COLUMNS = [outbox.c[name] for name in OutboxView.__dataclass_fields__]


def views(session: Session, state: str | None = None, limit: int = 200, offset: int = 0) -> list[OutboxView]:
    """Messages, newest first; pending rows are not messages yet (the worker addresses them within a pass)."""
    query = select(*_VIEW_COLUMNS).order_by(outbox.c.id.desc()).limit(limit).offset(offset)
    query = query.where(outbox.c.state == state) if state else query.where(outbox.c.state != PENDING)
    return [OutboxView(*r) for r in session.execute(query)]


def counts(session: Session) -> dict[str, int]:
    query = select(outbox.c.state, func.count()).where(outbox.c.state != PENDING).group_by(outbox.c.state)
    return {state: count for state, count in session.execute(query)}


def detail(session: Session, message: int) -> OutboxDetail:
    found = session.execute(select(*_VIEW_COLUMNS).where(outbox.c.id == message)).first()
    if found is None:
        raise NotFound(f"There is no message {message} in the outbox.", reason="no_message", number=message)
    message_id, text, html = session.execute(select(outbox.c.message_id, outbox.c.text, outbox.c.html)
                                             .where(outbox.c.id == message)).one()
    gathered = session.execute(select(*_VIEW_COLUMNS).where(outbox.c.digest_id == message,
                                                            outbox.c.state == DIGESTED).order_by(outbox.c.id))
    return OutboxDetail(OutboxView(*found), message_id, text, html, tuple(OutboxView(*r) for r in gathered))


def retry(session: Session, message: int, by: str) -> None:
    """Queue a failed message again at once, to the person's current address (it may have been corrected)."""
    recipient = session.scalar(select(outbox.c.recipient).where(outbox.c.id == message, outbox.c.state == FAILED))
    address = session.scalar(select(User.email).where(User.login == recipient)) if recipient else None
    values: dict[str, Any] = dict(state=QUEUED, next_attempt_at=clock.now(), attempts=0, lease_until=None)
    if address:
        values["to_address"] = address
    changed = session.execute(update(outbox).where(outbox.c.id == message, outbox.c.state == FAILED).values(**values))
    if changed.rowcount != 1:  # type: ignore[attr-defined]
        raise NotFound(f"Message {message} is not a failed message; only failed messages can be sent again.", reason="message_not_failed", number=message)
    audit.append(session, [audit.NewEvent(EventKind.MAIL_RETRIED, actor=by, data={"message": message})], clock.now())
