"""The annual report's figures for one year (11.3, 9.3): what happened to the courses, each course's
monitoring, satisfaction and quarterly analyses, certificates, Ind-e.1.6, and the open and overdue tasks."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.base.models import Course, CourseStatusChange, OpenTask
from engine.base.vocabulary import CourseStatus
from engine.mail.models import TaskDue
from engine.monitoring import overview as monitoring_overview
from engine.monitoring.period import Period
from engine.reports.certificates import certificates_issued
from engine.satisfaction import answers as satisfaction_answers
from engine.satisfaction import quarterly
from engine.satisfaction.quarters import parse_period
from engine.satisfaction.results import Criterion, SatisfactionResults, aggregate

# what happened to a course, with the clause of the recommendation it follows
CREATED, AGREED, PUBLISHED, UPDATED, CANCELLED = "created", "agreed", "published", "updated", "cancelled"
CLAUSES = {CREATED: "6.2", AGREED: "7", PUBLISHED: "8.2", UPDATED: "13.3/13.4", CANCELLED: "13.5"}
MILESTONES = tuple(CLAUSES)


@dataclass(frozen=True)
class Milestone:
    course_id: int
    name: str
    name_ru: str | None
    kind: str  # one of MILESTONES
    at: dt.datetime

    @property
    def clause(self) -> str:
        return CLAUSES[self.kind]


@dataclass(frozen=True)
class CourseReport:
    """One course's year: monitoring (§9), satisfaction and its quarterly analyses (§11), certificates (§10)."""

    course_id: int
    name: str
    name_ru: str | None
    status: str
    available: bool
    participants: int
    completed_course: int
    completion_rate: float | None
    views: int
    satisfaction: SatisfactionResults
    analyses: tuple[quarterly.QuarterlyAnalysisView, ...]
    certificates: int


@dataclass(frozen=True)
class OpenItem:
    """A task still open at the report's date; overdue when its due date has passed."""

    course_id: int | None
    course_name: str | None
    course_name_ru: str | None
    name: str
    name_ru: str | None
    role: str
    assignee: str | None
    opened_at: dt.datetime
    due_at: dt.datetime | None
    overdue: bool


@dataclass(frozen=True)
class AnnualReport:
    year: int
    made_at: dt.datetime
    milestones: tuple[Milestone, ...]
    courses: tuple[CourseReport, ...]
    available: int  # courses in the catalogue during the year: Ind-e.1.6 asks at least 2 (9.3)
    indicator_met: bool
    open_items: tuple[OpenItem, ...]
    comments: str = ""

    def count(self, kind: str) -> int:
        return sum(1 for m in self.milestones if m.kind == kind)

    @property
    def overdue(self) -> int:
        return sum(1 for item in self.open_items if item.overdue)


def year_period(year: int) -> Period:
    return Period(dt.date(year, 1, 1), dt.date(year, 12, 31))


def assemble(session: Session, year: int, now: dt.datetime, criteria: list[Criterion], min_answers: int
             ) -> AnnualReport:
    period = year_period(year)
    overview = monitoring_overview.overview(session, period)
    figures = {f.course_id: f for f in overview.courses}
    rows = [c for c in session.scalars(select(Course).order_by(Course.name, Course.id)) if _active_in(c, period)]
    reports = tuple(_course(session, c, figures.get(c.id), year, criteria, min_answers) for c in rows)
    return AnnualReport(year, now, tuple(milestones(session, period)), reports, overview.available,
                        overview.indicator_met, tuple(open_items(session, now)))


def _active_in(course: Course, period: Period) -> bool:
    """Created by the year's end and not cancelled before it began."""
    assert period.start is not None and period.end is not None
    return course.created_at.date() <= period.end and not (
        course.cancelled_at is not None and course.cancelled_at.date() < period.start)


def _course(session: Session, course: Course, figures: monitoring_overview.CourseFigures | None, year: int,
            criteria: list[Criterion], min_answers: int) -> CourseReport:
    label = f"{year}-Q1..{year}-Q4"
    found = satisfaction_answers.answers(session, course.id, parse_period(label))
    return CourseReport(
        course.id, course.name, course.name_ru, course.status, bool(figures and figures.available),
        figures.participants if figures else 0, figures.completed_course if figures else 0,
        figures.completion_rate if figures else None, figures.views if figures else 0,
        aggregate(course.id, label, found, criteria, min_answers),
        tuple(quarterly.analyses(session, course.id, year)), certificates_issued(session, course.id, year))


def milestones(session: Session, period: Period) -> list[Milestone]:
    """Created (6.2), agreed (7), published (8.2), updated (13.3/13.4) and cancelled (13.5) within the period,
    from the statuses each course took; courses recorded before statuses were kept fall back on their dates."""
    courses = {c.id: c for c in session.scalars(select(Course))}
    changes = list(session.scalars(select(CourseStatusChange).order_by(CourseStatusChange.id)))
    found: list[Milestone] = []
    logged = {change.course_id for change in changes}
    updating: set[int] = set()
    for change in changes:
        kind = _kind(change, change.course_id in updating)
        if change.status == CourseStatus.UPDATING:
            updating.add(change.course_id)
        elif kind == UPDATED:
            updating.discard(change.course_id)
        course = courses[change.course_id]
        if kind and period.holds(change.at):
            found.append(Milestone(course.id, course.name, course.name_ru, kind, change.at))
    for course in courses.values():
        if course.id not in logged:
            found.extend(_from_dates(course, period))
    return sorted(found, key=lambda m: (m.at, m.course_id, MILESTONES.index(m.kind)))


def _kind(change: CourseStatusChange, updating: bool) -> str | None:
    if change.previous is None:
        return CREATED
    if change.status == CourseStatus.CANCELLED:
        return CANCELLED
    if change.status == CourseStatus.PUBLISHED and change.previous != CourseStatus.UNDER_INSPECTION:
        return UPDATED if updating else PUBLISHED
    if change.previous == CourseStatus.AGREEING:
        return AGREED
    return None


def _from_dates(course: Course, period: Period) -> list[Milestone]:
    dates = {CREATED: course.created_at, PUBLISHED: course.published_at, CANCELLED: course.cancelled_at}
    return [Milestone(course.id, course.name, course.name_ru, kind, at)
            for kind, at in dates.items() if at is not None and period.holds(at)]


def open_items(session: Session, now: dt.datetime) -> list[OpenItem]:
    """Every open task of the courses' processes, with its due date (the one it opened with, where a deadline
    timer has cleared it) — overdue first."""
    due = func.coalesce(OpenTask.due_at, TaskDue.due_at)
    query = (select(OpenTask, Course.name, Course.name_ru, due).outerjoin(TaskDue, TaskDue.task_id == OpenTask.id)
             .outerjoin(Course, Course.id == OpenTask.course_id)
             # tasks opened together are listed alike in every run (task ids are random): the report is reproducible
             .order_by(OpenTask.created_at, Course.name, OpenTask.name, OpenTask.role, OpenTask.assignee, OpenTask.id))
    items = [OpenItem(task.course_id, course_name, course_name_ru, task.name, task.name_ru, task.role, task.assignee,
                      task.created_at, due_at, due_at is not None and _aware(due_at) < now)
             for task, course_name, course_name_ru, due_at in session.execute(query)]
    return sorted(items, key=lambda item: not item.overdue)


def _aware(at: dt.datetime) -> dt.datetime:
    return at if at.tzinfo else at.replace(tzinfo=dt.UTC)
