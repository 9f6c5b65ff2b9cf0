"""Keeping the open-task table in step with a workflow.

One row per READY manual task, with everything the inbox filters on (role,
scope, assignee, due time), so listing tasks never loads a workflow.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from sqlalchemy.engine import Connection

from engine.base.errors import ChangedMeanwhile, ProcessFailed
from engine.base.vocabulary import InstanceStatus
from engine.definitions import bpmn
from engine.instances import store
from engine.instances.derived import Derived
from engine.instances.store import InstanceRow, OpenTaskRow
from engine.instances.timers import task_due
from engine.instances.tree import Scan, multi_instance_key, process_of
from engine.mail import notify
from engine.registry.roles import ROLES

CHANGED_MEANWHILE = ("Someone else completed or changed this task at the same moment; nothing of yours was saved. "
                     "Reload and try again.")


def sync(connection: Connection, instance: InstanceRow, follows: Derived, before: dict[str, dt.datetime | None],
         now: dt.datetime, lanes: dict[str, str]) -> list[OpenTaskRow]:
    """Make the open-task rows match the READY manual tasks, changing only what changed.

    ``before`` is {task id: due} of the rows at load time (``derived.Before.ready``).
    Returns the rows of the tasks the run withdrew.
    """
    ready = follows.after.ready if instance.status == InstanceStatus.RUNNING else {}
    gone = [task_id for task_id in before if task_id not in ready]
    withdrawn = follows.withdrawn
    withdrawn_rows = store.open_tasks_by_id(connection, withdrawn) if withdrawn else []
    if gone and store.delete_open_tasks(connection, gone) != len(gone):
        raise ChangedMeanwhile(CHANGED_MEANWHILE, reason="task_changed_meanwhile")
    new = [new_row(instance, task, lanes, now) for task_id, task in ready.items() if task_id not in before]
    if new:
        store.insert_open_tasks(connection, new)
        notify.task_opened(connection, new)
    for task_id, task in ready.items():
        if task_id in before and task_due(task) != before[task_id]:
            store.set_due(connection, task_id, task_due(task))
    return withdrawn_rows


def relabel(connection: Connection, instance: InstanceRow, scan: Scan, lanes: dict[str, str],
            now: dt.datetime) -> None:
    """Point the open-task rows at the instance's (new) definition, named and bound as it says; claims stay."""
    rows = [new_row(instance, task, lanes, now) for task in scan.ready.values()]
    if rows:
        store.relabel_open_tasks(connection, rows)


def new_row(instance: InstanceRow, task: Any, lanes: dict[str, str], now: dt.datetime) -> OpenTaskRow:
    spec = task.task_spec
    props = spec.extensions.get("properties", {})
    role = lanes.get(spec.lane)
    if role is None:
        raise ProcessFailed(f"The task \"{spec.bpmn_name or spec.bpmn_id}\" is in lane {spec.lane!r}, which is no role: "
                            "put it in a lane named with a role key and deploy the process again.")
    mi_key = multi_instance_key(task)
    scope = _evaluate(task, props.get(bpmn.SCOPE_PROPERTY))
    if scope is None and role in ROLES and ROLES[role].scoped:
        scope = mi_key
    return OpenTaskRow(
        id=str(task.id), instance_id=instance.id, definition_id=instance.definition_id, course_id=instance.course_id,
        process_id=process_of(task), bpmn_id=spec.bpmn_id, name=spec.bpmn_name or spec.bpmn_id,
        name_ru=props.get(bpmn.NAME_RU_PROPERTY),
        lane=spec.lane, role=role, scope=scope, assignee=_evaluate(task, props.get(bpmn.ASSIGNEE_PROPERTY)),
        claimed_by=None, form=props.get(bpmn.FORM_PROPERTY), mi_key=mi_key, created_at=now, due_at=task_due(task),
    )


def _evaluate(task: Any, expression: str | None) -> str | None:
    """Evaluate an assignee/scope property in the task's data; empty results mean "nobody in particular"."""
    if not expression:
        return None
    try:
        value = task.workflow.script_engine.evaluate(task, expression)
    except WorkflowTaskException as error:
        raise ProcessFailed(f"task \"{task.task_spec.bpmn_name or task.task_spec.bpmn_id}\": cannot work out "
                            f"'{expression}': {error}") from None
    return str(value) if value not in (None, "") else None
