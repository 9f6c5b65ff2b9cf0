"""The course registry: the List of created COOMET courses (6.2), the catalogue
(8.2) and the cancelled courses (13.5), kept in step with the processes.

A start event with the property ``courseRecord = create`` opens a course
record. Afterwards the record follows two things only: the course fields of
forms submitted in its instance (``COURSE_FIELDS``) and the ``courseStatus``
property of tasks the process completes (an expression, e.g. ``"published"``).
"""
from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import Any

from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.base import clock
from engine.base.errors import NotFound, ProcessFailed
from engine.base.models import Course, CourseStatusChange, Definition, Event, Instance
from engine.base.vocabulary import CATALOGUE_STATUSES, LIST_STATUSES, STATUSES, CourseStatus, EventKind  # noqa: F401

STATUS_PROPERTY = "courseStatus"
RECORD_PROPERTY = "courseRecord"
# form field -> course column
COURSE_FIELDS = {"course_name": "name", "course_name_ru": "name_ru", "initiator": "initiator",
                 "languages": "languages", "format": "format", "access": "access", "creator": "creator",
                 "coordinator": "coordinator", "implementer": "implementer", "summary": "summary",
                 "course_url": "course_url", "planned_year": "planned_year",
                 "decision_reference": "cancel_decision"}
INSPECTION_FIELD = "inspected_on"  # a submitted inspection sheet (13.2) restarts the three years (13.1)



def opens_course(task: Any) -> bool:
    return task.task_spec.extensions.get("properties", {}).get(RECORD_PROPERTY) == "create" \
        if hasattr(task.task_spec, "extensions") else False


def open_record(session: Session, instance_id: str, data: dict[str, Any]) -> int:
    """Open the course record of a new course instance; return its id."""
    now = clock.now()
    course = Course(instance_id=instance_id, name=str(data.get("course_name") or "(unnamed course)"),
                    status=CourseStatus.PLANNED, created_at=now, updated_at=now)
    session.add(course)
    session.flush()
    session.add(CourseStatusChange(course_id=course.id, status=course.status, previous=None, at=now))
    return course.id


def follow(session: Session, instance: Any, completed_tasks: list[Any], forms: list[dict[str, Any]]) -> None:
    """Update the instance's course from the forms just submitted and the status markers just passed."""
    if instance.course_id is None:
        return
    course = session.get(Course, instance.course_id)
    if course is None or course.instance_id != instance.id:
        return  # e.g. a questionnaire answer: it refers to the course, it does not drive it
    for form in forms:
        for field, column in COURSE_FIELDS.items():
            if field in form:
                setattr(course, column, form[field])
        if "csbs" in form:
            course.csbs_json = json.dumps(form["csbs"])
        if INSPECTION_FIELD in form:
            course.last_inspected_at = clock.now()
    for task in completed_tasks:
        status = _status_of(task)
        if status is not None and status != course.status:
            session.add(CourseStatusChange(course_id=course.id, status=status, previous=course.status,
                                           at=clock.now()))
            _set_status(course, status)
    course.updated_at = clock.now()


def _status_of(task: Any) -> str | None:
    expression = getattr(task.task_spec, "extensions", {}).get("properties", {}).get(STATUS_PROPERTY)
    if not expression:
        return None
    try:
        status = task.workflow.script_engine.evaluate(task, expression)
    except WorkflowTaskException as error:
        raise ProcessFailed(f"the course status of \"{task.task_spec.bpmn_name}\" cannot be worked out: {error}", reason="process_failed")
    if status not in STATUSES:
        raise ProcessFailed(f"\"{task.task_spec.bpmn_name}\" sets the unknown course status {status!r}; "
                            f"use one of {', '.join(STATUSES)}", reason="process_failed")
    return str(status)


def _set_status(course: Course, status: str) -> None:
    course.status = status
    if status == CourseStatus.PUBLISHED and course.published_at is None:
        course.published_at = clock.now()
    if status == CourseStatus.CANCELLED:
        course.cancelled_at = clock.now()


@dataclass(frozen=True)
class CourseView:
    id: int
    name: str
    name_ru: str | None
    status: str
    instance: str
    initiator: str | None
    languages: str | None
    format: str | None
    access: str | None
    csbs: list[str]
    creator: str | None
    coordinator: str | None
    summary: str | None
    course_url: str | None
    published_at: dt.datetime | None
    cancelled_at: dt.datetime | None
    platform_course_id: str | None = None  # the course on the BIPM platform (9.1)
    platform_url: str | None = None
    created_at: dt.datetime | None = None
    withdrawn_at: dt.datetime | None = None
    withdrawn_by: str | None = None
    withdrawn_reason: str | None = None
    planned_year: int | None = None
    last_inspected_at: dt.datetime | None = None
    cancel_decision: str | None = None

    @property
    def next_inspection_due(self) -> dt.datetime | None:
        """Three years after publication or the last inspection (13.1); None before publication."""
        since = self.last_inspected_at or self.published_at
        if since is None or self.status == "cancelled":
            return None
        try:
            return since.replace(year=since.year + 3)
        except ValueError:  # 29 February
            return since.replace(year=since.year + 3, day=28)

    @classmethod
    def of(cls, c: Course) -> CourseView:
        return cls(id=c.id, name=c.name, name_ru=c.name_ru, status=c.status, instance=c.instance_id,
                   initiator=c.initiator, languages=c.languages, format=c.format, access=c.access,
                   csbs=json.loads(c.csbs_json or "[]"), creator=c.creator, coordinator=c.coordinator,
                   summary=c.summary, course_url=c.course_url, published_at=c.published_at,
                   cancelled_at=c.cancelled_at, platform_course_id=c.platform_course_id, platform_url=c.platform_url,
                   created_at=c.created_at, withdrawn_at=c.withdrawn_at, withdrawn_by=c.withdrawn_by,
                   withdrawn_reason=c.withdrawn_reason, planned_year=c.planned_year,
                   last_inspected_at=c.last_inspected_at, cancel_decision=c.cancel_decision)


def courses(session: Session, statuses: Iterable[str] = STATUSES) -> list[CourseView]:
    rows = session.scalars(select(Course).where(Course.status.in_(statuses), Course.withdrawn_at.is_(None))
                           .order_by(Course.name, Course.id))
    return [CourseView.of(c) for c in rows]


@dataclass(frozen=True)
class SheetView:
    """A completed form of a course, as recorded in the event log (read-only)."""

    seq: int
    at: object
    definition_id: int | None
    actor: str | None
    role: str | None
    scope: str | None
    task_id: str | None
    bpmn_id: str | None
    name: str
    sheet: str | None
    data: dict[str, Any]
    schema: dict[str, Any] | None = None  # the form it was filled in on (labels for display)
    countersign: SheetView | None = None  # the chair's countersignature or return of this sheet (7.4, 7.5)


def course(session: Session, course_id: int) -> CourseView:
    row = session.get(Course, course_id)
    if row is None:
        raise NotFound(f"There is no course {course_id}.")
    return CourseView.of(row)


def sheets(session: Session, course_id: int) -> list[SheetView]:
    """Every form submitted in the course's own process and in the processes about it (e.g. the quarterly
    analyses of 11.2), oldest first. Questionnaire answers are no sheets: they complete no task."""
    row = session.get(Course, course_id)
    if row is None:
        raise NotFound(f"There is no course {course_id}.")
    instance_ids = select(Instance.id).where((Instance.id == row.instance_id) | (Instance.course_id == course_id))
    events = session.scalars(select(Event).where(Event.instance_id.in_(instance_ids),
                                                 Event.kind == EventKind.TASK_COMPLETED).order_by(Event.seq))
    result = []
    for event in events:
        data = json.loads(event.data_json)
        result.append(SheetView(event.seq, event.at, event.definition_id, event.actor, event.role, event.scope,
                                event.task_id, event.bpmn_id, data.get("name", ""), data.get("sheet"),
                                data.get("form", {})))
    return result


COUNTERSIGNS = "x-countersigns"  # a form countersigning sheets of the forms it lists (7.4, 7.5)


def with_countersigns(sheets: list[SheetView]) -> list[SheetView]:
    """The sheets (oldest first, forms attached) with each countersignature joined to the sheet it decided on
    (7.4, 7.5): the latest earlier sheet of the same scope on one of the forms the countersigning form lists."""
    result = list(sheets)
    for index, sheet in enumerate(sheets):
        forms = (sheet.schema or {}).get(COUNTERSIGNS) or []
        signed = next((i for i in range(index - 1, -1, -1) if result[i].sheet in forms
                       and result[i].scope == sheet.scope and result[i].countersign is None), None)
        if signed is not None:
            result[signed] = replace(result[signed], countersign=sheet)
    return result


@dataclass(frozen=True)
class HistoryEntry:
    """One event of a course's history, as an auditor reads it."""

    seq: int
    at: object
    kind: str
    instance_id: str | None
    process_id: str | None
    version: int | None
    actor: str | None
    role: str | None
    scope: str | None
    bpmn_id: str | None
    name: str
    sheet: str | None
    data: dict[str, Any]
    name_ru: str | None = None  # the element's ``nameRu`` in the event's definition version


NameRu = Callable[[int | None, str | None, str | None], str | None]  # (definition id, process, BPMN id) → nameRu


def history(session: Session, course_id: int, process: str | None = None, role: str | None = None,
            actor: str | None = None, since: dt.datetime | None = None,
            until: dt.datetime | None = None, name_ru: NameRu | None = None) -> list[HistoryEntry]:
    """Every event of the course's instances (its own process and the questionnaires), oldest first, filtered."""
    row = session.get(Course, course_id)
    if row is None:
        raise NotFound(f"There is no course {course_id}.")
    instance_ids = select(Instance.id).where((Instance.id == row.instance_id) | (Instance.course_id == course_id))
    query = (select(Event, Definition.version).outerjoin(Definition, Definition.id == Event.definition_id)
             .where(Event.instance_id.in_(instance_ids)).order_by(Event.seq))
    for column, value in ((Event.process_id, process), (Event.role, role), (Event.actor, actor)):
        if value:
            query = query.where(column == value)
    if since is not None:
        query = query.where(Event.at >= since)
    if until is not None:
        query = query.where(Event.at < until)
    entries = []
    for event, version in session.execute(query):
        data = json.loads(event.data_json)
        russian = name_ru(event.definition_id, event.process_id, event.bpmn_id) if name_ru and data.get("name") else None
        entries.append(HistoryEntry(event.seq, event.at, event.kind, event.instance_id, event.process_id, version,
                                    event.actor, event.role, event.scope, event.bpmn_id, _name(event.kind, data),
                                    data.get("sheet"), data, russian))
    return entries


def _name(kind: str, data: dict[str, Any]) -> str:
    """What an event is about, in a word: its task's name, or the versions a migration moved between."""
    if kind == EventKind.INSTANCE_MIGRATED:
        return f"v{data.get('from_version')} → v{data.get('to_version')}"
    return data.get("name") or ""
