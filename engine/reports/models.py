"""The table of course-independent documents (the annual report to TC 4, 11.3 and 9.3)."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from engine.base.models import Base


class Document(Base):
    """A file that belongs to no course (e.g. the annual report to TC 4), stored with its sha256."""

    __tablename__ = "documents"
    __table_args__ = (UniqueConstraint("kind", "year", "filename"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    year: Mapped[int | None]
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100))
    language: Mapped[str | None] = mapped_column(String(5))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int]
    content: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    comments: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime]
    created_by: Mapped[str | None] = mapped_column(String(100))



class AnnualReportRun(Base):
    """The annual report process of one year: its primary key makes the start once per year."""

    __tablename__ = "annual_reports"

    year: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[str] = mapped_column(String(36), unique=True)
    started_at: Mapped[dt.datetime]
    started_by: Mapped[str] = mapped_column(String(100))
    drafts: Mapped[int] = mapped_column(default=1, server_default="1")  # assembled for review so far (11.3)
