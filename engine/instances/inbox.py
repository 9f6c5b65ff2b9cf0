"""Reading the open-task table: what a person may do now.

Queries only ``open_tasks`` (indexed on role/scope and assignee); workflows
are never loaded to list tasks.
"""
from __future__ import annotations

import datetime as dt
import functools
from dataclasses import asdict, dataclass, replace
from typing import Any

from sqlalchemy import and_, func, or_, select, union, union_all
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
    """The disjoint conditions whose union is what ``actor`` may do, one index range (or a few) each."""
    return ranges_of(actor, one_per_scope=False)


def ranges_of(actor: Actor, one_per_scope: bool = True) -> list[Any]:
    """Like ``branches_of``, but each scope its own branch: an equality prefix of one partial index.

    Inside such a range the index is already in the inbox's order (due date, created, id) and in course
    order, so a page or the list of courses is read off its first entries instead of sorting them all.
    """
    ranges = [OpenTask.assignee == actor.login]
    group = OpenTask.assignee.is_(None)
    for role in sorted(actor.roles):
        scopes = {scope for held, scope in actor.grants if held == role}
        if None in scopes:
            ranges.append(and_(group, OpenTask.role == role))
            continue
        ranges.append(and_(group, OpenTask.role == role, OpenTask.scope.is_(None)))
        named = sorted(scope for scope in scopes if scope is not None)
        if one_per_scope:
            ranges.extend(and_(group, OpenTask.role == role, OpenTask.scope == scope) for scope in named)
        else:
            ranges.append(and_(group, OpenTask.role == role, OpenTask.scope.in_(named)))
    return ranges


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


def _page_by_due(actor: Actor, filters: TaskFilter) -> Any:
    """The ids of one page in due-date order: the first ``offset + limit`` of each index range, merged.

    Each range gives its dated tasks (by due date) and its undated ones (by creation) straight from the
    index, so a page of a 10,000-task inbox costs about what a page of a 10-task one does.
    """
    enough = filters.offset + filters.limit
    keys = (OpenTask.id, OpenTask.due_at, OpenTask.created_at)
    parts: list[Any] = []
    for index_range in ranges_of(actor):
        dated = (_where(select(*keys), None, filters).where(index_range, OpenTask.due_at.is_not(None))
                 .order_by(OpenTask.due_at, OpenTask.created_at, OpenTask.id).limit(enough))
        undated = (_where(select(*keys), None, filters).where(index_range, OpenTask.due_at.is_(None))
                   .order_by(OpenTask.created_at, OpenTask.id).limit(enough))
        parts.extend(select(*part.subquery().c) for part in (dated, undated))
    merged = union_all(*parts).subquery()
    return (select(merged.c.id)
            .order_by(merged.c.due_at.is_(None), merged.c.due_at, merged.c.created_at, merged.c.id)
            .offset(filters.offset).limit(filters.limit))


def tasks_for(session: Session, actor: Actor | None, filters: TaskFilter = TaskFilter()) -> list[TaskView]:
    """Open tasks ``actor`` may do (every open task when ``actor`` is None), soonest due first.

    The page is chosen on ids alone (from the covering indexes), then only its
    rows are read: a long inbox costs a sort of small keys, not of whole rows.
    """
    width = len(store.TASK_COLUMNS)
    rows = session.connection().execute(_tasks_query(actor, filters))
    return [TaskView.of(store.task_row(row[:width]), *row[width:]) for row in rows]


@functools.lru_cache(maxsize=1024)
def _tasks_query(actor: Actor | None, filters: TaskFilter) -> Any:
    """The inbox query for one person and filter, built once (building it costs more than running it)."""
    order = ((OpenTask.due_at.is_(None), OpenTask.due_at, OpenTask.created_at, OpenTask.id)
             if filters.sort == "due" else (OpenTask.created_at.desc(), OpenTask.id))
    if actor is not None and filters.sort == "due":
        page = _page_by_due(actor, filters)
    else:
        page = _where(select(OpenTask.id), actor, filters).order_by(*order).offset(filters.offset).limit(filters.limit)
    return (select(*store.TASK_COLUMNS, Course.name, Course.name_ru)
            .outerjoin(Course, Course.id == OpenTask.course_id)
            .where(OpenTask.id.in_(page.scalar_subquery())).order_by(*order))


def count_for(session: Session, actor: Actor | None, filters: TaskFilter = TaskFilter()) -> int:
    """How many open tasks ``actor`` may do: one count per branch (each read off its index alone), summed."""
    return session.scalar(_count_query(actor, replace(filters, offset=0, limit=0))) or 0


@functools.lru_cache(maxsize=1024)
def _count_query(actor: Actor | None, filters: TaskFilter) -> Any:
    if actor is None:
        return _where(select(func.count()).select_from(OpenTask), None, filters)
    counts = [_where(select(func.count()).select_from(OpenTask).where(branch), None, filters).scalar_subquery()
              for branch in branches_of(actor)]
    return select(sum(counts[1:], counts[0]))


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
    """The courses of the open tasks ``actor`` may do, by name (issue 13: the filter lists no other course).

    Each index range is walked course by course (a recursive query that asks the index for the next
    course id after the last one), so the cost follows the number of courses, not of tasks.
    """
    rows = session.connection().execute(_courses_query(actor))
    return sorted((InboxCourse(*row) for row in rows), key=lambda c: (c.name.casefold(), c.id))


@functools.lru_cache(maxsize=1024)
def _courses_query(actor: Actor) -> Any:
    walks = [_courses_in(index_range, number) for number, index_range in enumerate(ranges_of(actor))]
    ids = union(*walks).subquery()
    return select(Course.id, Course.name, Course.name_ru).where(Course.id.in_(select(ids.c.id)))


def _courses_in(index_range: Any, number: int) -> Any:
    """The distinct course ids in one index range, one index probe per course (a loose index scan)."""
    def after(floor: Any) -> Any:
        condition = OpenTask.course_id.is_not(None) if floor is None else OpenTask.course_id > floor
        return (select(OpenTask.course_id).where(index_range, condition)
                .order_by(OpenTask.course_id).limit(1).scalar_subquery())

    walk = select(after(None).label("id")).cte(f"courses_{number}", recursive=True)
    walk = walk.union_all(select(after(walk.c.id)).where(walk.c.id.is_not(None)))
    return select(walk.c.id).where(walk.c.id.is_not(None))


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
