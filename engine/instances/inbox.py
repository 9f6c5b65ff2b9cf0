"""Reading the open-task table: what a person may do now.

Queries only ``open_tasks`` (indexed on role/scope and assignee); workflows
are never loaded to list tasks.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from engine.base.models import Course, OpenTask
from engine.instances import store
from engine.registry.roles import Actor


@dataclass(frozen=True)
class TaskView:
    id: str
    instance: str
    process: str
    bpmn_id: str
    name: str
    name_ru: str | None
    lane: str | None
    role: str
    scope: str | None
    assignee: str | None
    claimed_by: str | None
    form: str | None
    created: dt.datetime
    due: dt.datetime | None
    course_id: int | None = None
    course_name: str | None = None
    course_name_ru: str | None = None

    @classmethod
    def of(cls, row: store.OpenTaskRow, course_name: str | None = None,
           course_name_ru: str | None = None) -> TaskView:
        return cls(id=row.id, instance=row.instance_id, process=row.process_id, bpmn_id=row.bpmn_id, name=row.name,
                   name_ru=row.name_ru, lane=row.lane, role=row.role, scope=row.scope, assignee=row.assignee,
                   claimed_by=row.claimed_by, form=row.form, created=row.created_at, due=row.due_at,
                   course_id=row.course_id, course_name=course_name, course_name_ru=course_name_ru)

    def as_dict(self) -> dict[str, Any]:
        values = asdict(self)
        values["created"] = self.created.isoformat()
        values["due"] = self.due.isoformat() if self.due else None
        return values


@dataclass(frozen=True)
class TaskFilter:
    """What an inbox lists: optional role, course and process (section), the order and the page."""

    role: str | None = None
    course_id: int | None = None
    process: str | None = None
    sort: str = "due"  # due | created
    offset: int = 0
    limit: int = 500


def visible_to(actor: Actor) -> Any:
    """SQL condition: the open tasks ``actor`` may do (their own, or their roles' unassigned ones).

    Written as flat OR branches, each matching one partial index (assignee;
    or role + scope among unassigned tasks), so the database looks up only the
    rows it returns however many tasks others have.
    """
    return or_(*branches_of(actor))


def branches_of(actor: Actor) -> list[Any]:
    """The disjoint conditions whose union is what ``actor`` may do, one index range each."""
    branches = [OpenTask.assignee == actor.login]
    group = OpenTask.assignee.is_(None)
    for role in sorted(actor.roles):
        scopes = {scope for held, scope in actor.grants if held == role}
        if None in scopes:
            branches.append(and_(group, OpenTask.role == role))
        else:
            branches.append(and_(group, OpenTask.role == role, OpenTask.scope.is_(None)))
            branches.append(and_(group, OpenTask.role == role, OpenTask.scope.in_(sorted(scopes))))
    return branches


def _where(query: Any, actor: Actor | None, filters: TaskFilter) -> Any:
    if actor is not None:
        query = query.where(visible_to(actor))
    if filters.role:
        query = query.where(OpenTask.role == filters.role)
    if filters.course_id is not None:
        query = query.where(OpenTask.course_id == filters.course_id)
    if filters.process:
        query = query.where(OpenTask.process_id == filters.process)
    return query


def tasks_for(session: Session, actor: Actor | None, filters: TaskFilter = TaskFilter()) -> list[TaskView]:
    """Open tasks ``actor`` may do (every open task when ``actor`` is None), soonest due first.

    The page is chosen on ids alone (from the covering indexes), then only its
    rows are read: a long inbox costs a sort of small keys, not of whole rows.
    """
    order = ((OpenTask.due_at.is_(None), OpenTask.due_at, OpenTask.created_at, OpenTask.id)
             if filters.sort == "due" else (OpenTask.created_at.desc(), OpenTask.id))
    page = _where(select(OpenTask.id), actor, filters).order_by(*order).offset(filters.offset).limit(filters.limit)
    query = (select(*store.TASK_COLUMNS, Course.name, Course.name_ru)
             .outerjoin(Course, Course.id == OpenTask.course_id)
             .where(OpenTask.id.in_(page.scalar_subquery())).order_by(*order))
    width = len(store.TASK_COLUMNS)
    return [TaskView.of(store.task_row(row[:width]), *row[width:]) for row in session.connection().execute(query)]


def count_for(session: Session, actor: Actor | None, filters: TaskFilter = TaskFilter()) -> int:
    """How many open tasks ``actor`` may do: one count per branch (each read off its index alone), summed."""
    if actor is None:
        return session.scalar(_where(select(func.count()).select_from(OpenTask), None, filters)) or 0
    counts = [_where(select(func.count()).select_from(OpenTask).where(branch), None, filters).scalar_subquery()
              for branch in branches_of(actor)]
    return session.scalar(select(sum(counts[1:], counts[0]))) or 0


@dataclass(frozen=True)
class ClaimedTask:
    """A group task a colleague has claimed, as the rest of the group sees it (read-only, issue 13)."""

    task: TaskView
    claimed_by: str
    since: dt.datetime | None


@dataclass(frozen=True)
class InboxCourse:
    """A course in which a person has open tasks: what the inbox's course filter offers."""

    id: int
    name: str
    name_ru: str | None


def inbox_courses(session: Session, actor: Actor) -> list[InboxCourse]:
    """The courses of the open tasks ``actor`` may do, by name (issue 13: the filter lists no other course)."""
    ids = _where(select(OpenTask.course_id), actor, TaskFilter()).where(OpenTask.course_id.is_not(None))
    query = select(Course.id, Course.name, Course.name_ru).where(Course.id.in_(ids.scalar_subquery()))
    return sorted((InboxCourse(*row) for row in session.execute(query)), key=lambda c: (c.name.casefold(), c.id))


@dataclass(frozen=True)
class TaskDetail:
    """An open task as handed out: its form with choices filled in and values prefilled."""

    task: TaskView
    schema: dict[str, Any]
    instance_version: int
    values: dict[str, Any]
    course_id: int | None

    def as_dict(self) -> dict[str, Any]:
        return {**self.task.as_dict(), "schema": self.schema, "values": self.values,
                "instance_version": self.instance_version, "course_id": self.course_id}
