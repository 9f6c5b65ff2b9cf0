"""The certificate tables (§10): issued certificates with their evidence and PDF, and the per-year counter."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from engine.base.models import Base

VALID, REVOKED, SUPERSEDED = "valid", "revoked", "superseded"
PENDING, ISSUED, EXCLUDED = "pending", "issued", "excluded"
STATUSES = (VALID, REVOKED, SUPERSEDED)


class Certificate(Base):
    """One certificate: what it says, the evidence that made its holder eligible (10.1), its PDF and status.

    Only the sha256 of the verification token is kept; the token itself is in the PDF's QR code and link.
    """

    __tablename__ = "certificates"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(100), unique=True)
    year: Mapped[int] = mapped_column(Integer)
    sequence: Mapped[int] = mapped_column(Integer)
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id"), index=True)
    participant_key: Mapped[str] = mapped_column(String(400))
    holder: Mapped[str] = mapped_column(String(300))
    email: Mapped[str] = mapped_column(String(300))
    course_name: Mapped[str] = mapped_column(String(500))
    course_name_ru: Mapped[str] = mapped_column(String(500))
    completed_on: Mapped[dt.date | None]
    modules: Mapped[str] = mapped_column(Text)     # JSON list of activity names
    evidence: Mapped[str] = mapped_column(Text)    # JSON: activities, states, dates, imports
    language: Mapped[str] = mapped_column(String(10))
    pdf: Mapped[bytes] = mapped_column(LargeBinary)
    pdf_sha256: Mapped[str] = mapped_column(String(64), index=True)
    issued_at: Mapped[dt.datetime]
    issued_by: Mapped[str] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(20))
    revoked_at: Mapped[dt.datetime | None]
    revoked_by: Mapped[str | None] = mapped_column(String(100))
    revoke_reason: Mapped[str | None] = mapped_column(Text)
    superseded_by: Mapped[str | None] = mapped_column(String(100))
    supersedes: Mapped[str | None] = mapped_column(String(100))


class CertificateCounter(Base):
    """The last sequence number given in a year; locked FOR UPDATE while a number is taken (no gaps, no twins)."""

    __tablename__ = "certificate_counters"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last: Mapped[int] = mapped_column(Integer)


class BatchMember(Base):
    """A participant proposed in a batch the sector administrator reviews (certificate_issuing.bpmn): pending,
    issued, or excluded with a reason — an excluded person is not proposed again by later imports."""

    __tablename__ = "certificate_batch_members"
    __table_args__ = (UniqueConstraint("instance_id", "participant_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[str] = mapped_column(String(36), index=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id"), index=True)
    participant_key: Mapped[str] = mapped_column(String(400))
    outcome: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str | None] = mapped_column(Text)
    decided_by: Mapped[str | None] = mapped_column(String(100))
    decided_at: Mapped[dt.datetime | None]
