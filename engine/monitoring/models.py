"""The monitoring tables (9.1-9.3): imports, participants, activities, per-(participant, activity) results, figures.

Participants are personal data: only name, e-mail and platform id are kept (§9, §10), and they are
deleted after the retention period (``engine.monitoring.retention``).
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, Float, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from engine.base.models import Base


class MonitoringImport(Base):
    """One report imported for one course and period; its sha256 makes a second import of the file a no-op."""

    __tablename__ = "monitoring_imports"
    __table_args__ = (UniqueConstraint("course_id", "sha256"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    filename: Mapped[str] = mapped_column(String(300))
    sha256: Mapped[str] = mapped_column(String(64))
    period_from: Mapped[dt.date | None] = mapped_column(Date)
    period_to: Mapped[dt.date] = mapped_column(Date)
    rows: Mapped[int] = mapped_column(Integer)
    added: Mapped[int] = mapped_column(Integer)
    updated: Mapped[int] = mapped_column(Integer)
    imported_at: Mapped[dt.datetime]
    imported_by: Mapped[str | None] = mapped_column(String(100))


class Participant(Base):
    __tablename__ = "monitoring_participants"
    __table_args__ = (UniqueConstraint("course_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id"), index=True)
    key: Mapped[str] = mapped_column(String(400))
    name: Mapped[str] = mapped_column(String(300))
    email: Mapped[str | None] = mapped_column(String(300))
    platform_id: Mapped[str | None] = mapped_column(String(100))
    course_state: Mapped[str | None] = mapped_column(String(20))
    course_completed_at: Mapped[dt.datetime | None]
    course_import_id: Mapped[int | None] = mapped_column(ForeignKey("monitoring_imports.id"))
    last_seen_at: Mapped[dt.datetime]


class Activity(Base):
    __tablename__ = "monitoring_activities"
    __table_args__ = (UniqueConstraint("course_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id"), index=True)
    name: Mapped[str] = mapped_column(String(300))
    position: Mapped[int] = mapped_column(Integer)


class Result(Base):
    """A participant's state in one activity as the newest covering import says (10.1 reads it)."""

    __tablename__ = "monitoring_results"
    # The course's figures are counted from this index alone (see summary.summary).
    __table_args__ = (Index("ix_monitoring_results_course", "course_id", "activity_id", "state", "at"),)

    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id"))
    participant_id: Mapped[int] = mapped_column(ForeignKey("monitoring_participants.id", ondelete="CASCADE"),
                                                primary_key=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("monitoring_activities.id"), primary_key=True, index=True)
    state: Mapped[str] = mapped_column(String(20))
    at: Mapped[dt.datetime | None]
    grade: Mapped[float | None] = mapped_column(Float)
    seconds: Mapped[int | None] = mapped_column(Integer)
    import_id: Mapped[int] = mapped_column(ForeignKey("monitoring_imports.id"))
    period_to: Mapped[dt.date] = mapped_column(Date)


class Figures(Base):
    """Views and participants of one activity over one period (activity report or typed in)."""

    __tablename__ = "monitoring_figures"
    __table_args__ = (UniqueConstraint("activity_id", "period_from", "period_to"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("monitoring_activities.id"), index=True)
    period_from: Mapped[dt.date] = mapped_column(Date)
    period_to: Mapped[dt.date] = mapped_column(Date)
    views: Mapped[int] = mapped_column(Integer)
    participants: Mapped[int] = mapped_column(Integer)
    import_id: Mapped[int] = mapped_column(ForeignKey("monitoring_imports.id"))
