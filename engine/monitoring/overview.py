"""The sector's picture for a period (9.3): every course side by side, and TC 4's indicator Ind-e.1.6.

Ind-e.1.6 (COOMET Development Program, TC 4): at least 2 e-learning modules available to COOMET
participants. A course counts when it was in the catalogue (8.2) during the period: published on or
before the period's end and not cancelled before its start.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.base.models import Course
from engine.monitoring.models import MonitoringImport
from engine.monitoring.period import Period
from engine.monitoring.summary import summary

INDICATOR_MINIMUM = 2


@dataclass(frozen=True)
class CourseFigures:
    course_id: int
    name: str
    name_ru: str | None
    status: str
    available: bool
    participants: int
    completed_course: int
    completion_rate: float | None
    activities: int
    views: int


@dataclass(frozen=True)
class Overview:
    period: str
    courses: list[CourseFigures]
    available: int
    indicator_met: bool


def overview(session: Session, period: Period) -> Overview:
    monitored = set(session.scalars(select(MonitoringImport.course_id).distinct()))
    rows = session.scalars(select(Course).order_by(Course.name, Course.id))
    figures = [_figures(session, course, period) for course in rows
               if course.id in monitored or course.published_at is not None]
    available = sum(1 for f in figures if f.available)
    return Overview(str(period), figures, available, available >= INDICATOR_MINIMUM)


def _available(course: Course, period: Period) -> bool:
    if course.published_at is None:
        return False
    if period.end is not None and course.published_at.date() > period.end:
        return False
    return not (course.cancelled_at is not None and period.start is not None
                and course.cancelled_at.date() < period.start) and not (
        course.cancelled_at is not None and period.start is None)


def _figures(session: Session, course: Course, period: Period) -> CourseFigures:
    found = summary(session, course.id, period)
    return CourseFigures(course.id, course.name, course.name_ru, course.status, _available(course, period),
                         found.participants, found.completed_course, found.completion_rate, len(found.activities),
                         sum(a.views for a in found.activities))
