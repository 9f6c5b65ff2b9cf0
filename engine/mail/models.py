"""The mail tables: the outbox, each person's mail preference, notices already given, and scan locks."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import Index, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from engine.base.models import Base

PENDING, QUEUED, DIGEST, DIGESTED, SENT, FAILED = "pending", "queued", "digest", "digested", "sent", "failed"
STATES = (PENDING, QUEUED, DIGEST, DIGESTED, SENT, FAILED)
IMMEDIATELY, DAILY, OFF = "immediately", "daily", "off"
FREQUENCIES = (IMMEDIATELY, DAILY, OFF)


class OutboxMessage(Base):
    """One mail to one address, stored with its text; the sender composes the MIME message from it.

    ``state``: pending (a task just opened: its facts as JSON in ``text``, not yet
    addressed to anyone — see :mod:`engine.mail.notify`), queued (waiting to be sent, ``next_attempt_at``), digest (held for
    the recipient's daily digest), digested (sent inside digest ``digest_id``),
    sent, failed (permanently: ``last_error`` says why).
    """

    __tablename__ = "mail_outbox"
    # Few indexes: every completion inserts here (see engine.mail.notify).
    __table_args__ = (Index("ix_mail_outbox_due", "state", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(30))
    recipient: Mapped[str | None] = mapped_column(String(100))  # a login; None for an address outside CourseFlow
    to_name: Mapped[str] = mapped_column(String(200))
    to_address: Mapped[str] = mapped_column(String(320))
    language: Mapped[str] = mapped_column(String(5))
    subject: Mapped[str] = mapped_column(String(500))
    text: Mapped[str] = mapped_column(Text)
    html: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(20))
    task_id: Mapped[str | None] = mapped_column(String(36))
    course_id: Mapped[int | None]
    digest_id: Mapped[int | None]
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[dt.datetime]
    lease_until: Mapped[dt.datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime]
    sent_at: Mapped[dt.datetime | None]
    attachment_name: Mapped[str | None] = mapped_column(String(200))  # one file, e.g. a certificate (10.3)
    attachment: Mapped[bytes | None] = mapped_column(LargeBinary)


class MailPreference(Base):
    """How often a person wants mail: immediately (the default), a daily digest, or off."""

    __tablename__ = "mail_preferences"

    login: Mapped[str] = mapped_column(String(100), primary_key=True)
    frequency: Mapped[str] = mapped_column(String(12))
    updated_at: Mapped[dt.datetime]


class TaskNotice(Base):
    """A reminder or overdue notice already given for an open task (given once, whoever scans)."""

    __tablename__ = "mail_task_notices"

    task_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), primary_key=True)
    given_at: Mapped[dt.datetime]


class TaskDue(Base):
    """A task's due date as it opened: a non-interrupting deadline timer (7.3) clears the open-task row's due
    date when it fires, yet the task is then overdue, and the overdue notice needs the date it passed."""

    __tablename__ = "mail_task_dues"

    task_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    due_at: Mapped[dt.datetime]


class MailJob(Base):
    """A row per periodic scan (reminders, digests); locking it keeps two workers from scanning at once."""

    __tablename__ = "mail_jobs"

    name: Mapped[str] = mapped_column(String(50), primary_key=True)
    last_run_at: Mapped[dt.datetime | None]
