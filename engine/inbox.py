"""Reading the open-task table: what a person may do now.

Queries only ``open_tasks`` (indexed on role/scope and assignee); workflows
are never loaded to list tasks.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from . import store
from .models import OpenTask
from .roles import Actor


@dataclass(frozen=True)
class TaskView:
    id: str
    instance: str
    process: str
    bpmn_id: str
    name: str
    lane: str | None
    role: str
    scope: str | None
    assignee: str | None
    claimed_by: str | None
    form: str | None
    created: dt.datetime
    due: dt.datetime | None

    @classmethod
    def of(cls, row: store.OpenTaskRow) -> "TaskView":
        return cls(row.id, row.instance_id, row.process_id, row.bpmn_id, row.name, row.lane, row.role, row.scope,
                   row.assignee, row.claimed_by, row.form, row.created_at, row.due_at)

    def as_dict(self) -> dict:
        values = asdict(self)
        values["created"] = self.created.isoformat()
        values["due"] = self.due.isoformat() if self.due else None
        return values


def visible_to(actor: Actor):
    """SQL condition: the open tasks ``actor`` may do (their own, or their roles' unassigned ones).

    Written as flat OR branches, each matching one partial index (assignee;
    or role + scope among unassigned tasks), so the database looks up only the
    rows it returns however many tasks others have.
    """
    branches = [OpenTask.assignee == actor.login]
    group = OpenTask.assignee.is_(None)
    for role in sorted(actor.roles):
        scopes = {scope for held, scope in actor.grants if held == role}
        if None in scopes:
            branches.append(and_(group, OpenTask.role == role))
        else:
            branches.append(and_(group, OpenTask.role == role, OpenTask.scope.is_(None)))
            branches.append(and_(group, OpenTask.role == role, OpenTask.scope.in_(sorted(scopes))))
    return or_(*branches)


def tasks_for(session: Session, actor: Actor | None, limit: int = 500) -> list[TaskView]:
    """Open tasks ``actor`` may do, soonest due first; every open task when ``actor`` is None."""
    query = select(*store.TASK_COLUMNS)
    if actor is not None:
        query = query.where(visible_to(actor))
    query = query.order_by(OpenTask.due_at.is_(None), OpenTask.due_at, OpenTask.created_at, OpenTask.id).limit(limit)
    return [TaskView.of(store.OpenTaskRow(*row)) for row in session.connection().execute(query)]


@dataclass(frozen=True)
class TaskDetail:
    """An open task as handed out: its form with choices filled in and values prefilled."""

    task: TaskView
    schema: dict
    instance_version: int
    values: dict
    course_id: int | None

    def as_dict(self) -> dict:
        return {**self.task.as_dict(), "schema": self.schema, "values": self.values,
                "instance_version": self.instance_version, "course_id": self.course_id}
