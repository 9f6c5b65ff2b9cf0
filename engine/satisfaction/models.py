"""The tables of §11: quarterly analyses started (one per course and quarter) and questionnaire access."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from engine.base.models import Base


class QuarterlyAnalysis(Base):
    """The 11.2 analysis of one course for one calendar quarter: its primary key makes the start idempotent."""

    __tablename__ = "quarterly_analyses"

    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id"), primary_key=True)
    quarter: Mapped[str] = mapped_column(String(7), primary_key=True)  # e.g. "2026-Q1"
    instance_id: Mapped[str] = mapped_column(String(36))
    started_at: Mapped[dt.datetime]


class QuestionnaireAccess(Base):
    """How a course's questionnaire link is open: to anyone ("open") or with single-use codes ("codes")."""

    __tablename__ = "questionnaire_access"

    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id"), primary_key=True)
    mode: Mapped[str] = mapped_column(String(10))


class QuestionnaireCode(Base):
    """A single-use code handed out by the coordinator: only its sha256 is kept, and nothing about who used it.

    A code that has been used is deleted, so neither the moment nor the answer can be tied to it.
    """

    __tablename__ = "questionnaire_codes"

    code_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id"), index=True)
