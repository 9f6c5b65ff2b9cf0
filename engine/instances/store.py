"""Instance and open-task rows on the hot path, with prebuilt Core statements.

Every completion reads one open task and one instance and writes a handful of
rows; building ORM statements and objects for that costs more than running
the process. These statements are built once, at import, and executed on the
session's connection (same transaction as everything else).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields
from typing import Any, cast

from sqlalchemy import Table, bindparam, delete, insert, select, update
from sqlalchemy.engine import Connection

from engine.base.models import Instance, OpenTask

instances = cast(Table, Instance.__table__)
open_tasks = cast(Table, OpenTask.__table__)


@dataclass
class InstanceRow:
    """What running an instance needs of its row (the state text is read separately)."""

    id: str
    definition_id: int
    process_id: str
    status: str
    version: int
    next_timer_at: dt.datetime | None
    completed_at: dt.datetime | None
    course_id: int | None
    last_event_hash: str | None


@dataclass
class OpenTaskRow:
    """One task people can do now: the one shape of an open-task row, always built by keyword."""

    id: str
    instance_id: str
    definition_id: int
    course_id: int | None
    process_id: str
    bpmn_id: str
    name: str
    name_ru: str | None
    lane: str | None
    role: str
    scope: str | None
    assignee: str | None
    claimed_by: str | None
    form: str | None
    mi_key: str | None
    created_at: dt.datetime
    due_at: dt.datetime | None


_INSTANCE_FIELDS = tuple(f.name for f in fields(InstanceRow))
TASK_FIELDS = tuple(f.name for f in fields(OpenTaskRow))
_INSTANCE_COLUMNS = [instances.c[name] for name in _INSTANCE_FIELDS]
TASK_COLUMNS = [open_tasks.c[name] for name in TASK_FIELDS]

_SELECT_INSTANCE = select(*_INSTANCE_COLUMNS, instances.c.state_json).where(instances.c.id == bindparam("id"))
_SELECT_TASK = select(*TASK_COLUMNS).where(open_tasks.c.id == bindparam("id"))
_SELECT_TASK_AND_INSTANCE = (select(*TASK_COLUMNS, *_INSTANCE_COLUMNS, instances.c.state_json)
                             .join_from(open_tasks, instances, open_tasks.c.instance_id == instances.c.id)
                             .where(open_tasks.c.id == bindparam("id")))
_SELECT_TASKS = select(*TASK_COLUMNS).where(open_tasks.c.id.in_(bindparam("ids", expanding=True)))
_DELETE_TASKS = delete(open_tasks).where(open_tasks.c.id.in_(bindparam("ids", expanding=True)))
_INSERT_TASK = insert(open_tasks)
_RELABELLED = ("definition_id", "name", "name_ru", "lane", "role", "scope", "assignee", "form", "due_at")
_RELABEL_TASK = (update(open_tasks).where(open_tasks.c.id == bindparam("task_id"))
                 .values({name: bindparam(f"new_{name}") for name in _RELABELLED}))
_SET_DUE = update(open_tasks).where(open_tasks.c.id == bindparam("task_id")).values(due_at=bindparam("due"))
_INSERT_INSTANCE = insert(instances)
_SET_LAST_HASH = (update(instances).where(instances.c.id == bindparam("instance_id"))
                  .values(last_event_hash=bindparam("last_hash")))
_SAVE_STATE = (update(instances)
               .where(instances.c.id == bindparam("instance_id"), instances.c.version == bindparam("loaded_version"))
               .values(state_json=bindparam("state_json"), version=bindparam("new_version"),
                       definition_id=bindparam("definition"),
                       status=bindparam("status"), completed_at=bindparam("completed_at"),
                       updated_at=bindparam("updated_at"), last_event_hash=bindparam("last_hash"),
                       next_timer_at=bindparam("next_timer_at"), timer_lease_until=None))


def instance(connection: Connection, instance_id: str) -> tuple[InstanceRow, str] | None:
    """The instance row and its state text, or None."""
    found = connection.execute(_SELECT_INSTANCE, {"id": instance_id}).first()
    if found is None:
        return None
    return _instance_row(found[:-1]), found[-1]


def open_task(connection: Connection, task_id: str) -> OpenTaskRow | None:
    found = connection.execute(_SELECT_TASK, {"id": task_id}).first()
    return None if found is None else task_row(found)


def open_task_with_instance(connection: Connection, task_id: str) -> tuple[OpenTaskRow, InstanceRow, str] | None:
    """An open task, its instance row and the instance's state text, in one query (the completion path)."""
    found = connection.execute(_SELECT_TASK_AND_INSTANCE, {"id": task_id}).first()
    if found is None:
        return None
    split = len(TASK_FIELDS)
    return task_row(found[:split]), _instance_row(found[split:-1]), found[-1]


def open_tasks_by_id(connection: Connection, task_ids: list[str]) -> list[OpenTaskRow]:
    return [task_row(row) for row in connection.execute(_SELECT_TASKS, {"ids": task_ids})]


def task_row(values: Any) -> OpenTaskRow:
    """An open-task row from the values of ``TASK_COLUMNS``, in that order."""
    return OpenTaskRow(**dict(zip(TASK_FIELDS, values)))


def _instance_row(values: Any) -> InstanceRow:
    return InstanceRow(**dict(zip(_INSTANCE_FIELDS, values)))


def delete_open_tasks(connection: Connection, task_ids: list[str]) -> int:
    """Delete the rows; return how many there were (fewer than asked: someone else deleted them meanwhile)."""
    return connection.execute(_DELETE_TASKS, {"ids": task_ids}).rowcount


def insert_open_tasks(connection: Connection, rows: list[OpenTaskRow]) -> None:
    connection.execute(_INSERT_TASK, [vars(row) for row in rows])


def relabel_open_tasks(connection: Connection, rows: list[OpenTaskRow]) -> None:
    """Rewrite what a task row says of its definition (name, form, role…); its claim and creation time stay."""
    connection.execute(_RELABEL_TASK, [{"task_id": row.id, **{f"new_{name}": getattr(row, name)
                                                              for name in _RELABELLED}} for row in rows])


def set_due(connection: Connection, task_id: str, due: dt.datetime | None) -> None:
    connection.execute(_SET_DUE, {"task_id": task_id, "due": due})


def insert_instance(connection: Connection, values: dict[str, Any]) -> None:
    connection.execute(_INSERT_INSTANCE, values)


def set_last_event_hash(connection: Connection, instance_id: str, last_hash: str | None) -> None:
    """Record the instance's newest event hash (its row is already locked by this transaction)."""
    connection.execute(_SET_LAST_HASH, {"instance_id": instance_id, "last_hash": last_hash})


def save_state(connection: Connection, row: InstanceRow, state_json: str, now: dt.datetime) -> bool:
    """Write the state if the row is still at the version it was loaded with; False if someone changed it."""
    written = connection.execute(_SAVE_STATE, {
        "instance_id": row.id, "loaded_version": row.version, "state_json": state_json,
        "definition": row.definition_id,
        "new_version": row.version + 1, "status": row.status, "completed_at": row.completed_at,
        "updated_at": now, "last_hash": row.last_event_hash, "next_timer_at": row.next_timer_at})
    return written.rowcount == 1
