"""Keeping the open-task table in step with a workflow.

One row per READY manual task, with everything the inbox filters on (role,
scope, assignee, due time), so listing tasks never loads a workflow.
"""
from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import delete, select
from sqlalchemy.orm import Session
from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.util.task import TaskState

from . import bpmn
from .errors import ProcessFailed
from .models import Instance, OpenTask
from .roles import ROLES
from .timers import task_due
from .tree import multi_instance_key, process_of


def ready_human_tasks(workflow) -> dict[str, object]:
    return {str(t.id): t for t in workflow.get_tasks(state=TaskState.READY, manual=True)}


def sync(session: Session, instance: Instance, workflow, now: dt.datetime) -> list[OpenTask]:
    """Make the instance's open-task rows match its READY manual tasks; return the rows removed."""
    ready = ready_human_tasks(workflow) if instance.status == "running" else {}
    rows = {row.id: row for row in session.scalars(select(OpenTask).where(OpenTask.instance_id == instance.id))}
    gone = [row for task_id, row in rows.items() if task_id not in ready]
    if gone:
        session.execute(delete(OpenTask).where(OpenTask.id.in_([row.id for row in gone])))
    lanes = json.loads(instance.definition.lanes_json)
    for task_id, task in ready.items():
        if task_id in rows:
            rows[task_id].due_at = task_due(task)
        else:
            session.add(new_row(instance, task, lanes, now))
    return gone


def new_row(instance: Instance, task, lanes: dict[str, str], now: dt.datetime) -> OpenTask:
    spec = task.task_spec
    props = spec.extensions.get("properties", {})
    role = lanes.get(spec.lane)
    mi_key = multi_instance_key(task)
    scope = _evaluate(task, props.get(bpmn.SCOPE_PROPERTY))
    if scope is None and role in ROLES and ROLES[role].scoped:
        scope = mi_key
    return OpenTask(
        id=str(task.id), instance_id=instance.id, definition_id=instance.definition_id,
        process_id=process_of(task), bpmn_id=spec.bpmn_id, name=spec.bpmn_name or spec.bpmn_id,
        lane=spec.lane, role=role, scope=scope, assignee=_evaluate(task, props.get(bpmn.ASSIGNEE_PROPERTY)),
        form=props.get(bpmn.FORM_PROPERTY), mi_key=mi_key, created_at=now, due_at=task_due(task),
    )


def _evaluate(task, expression: str | None) -> str | None:
    """Evaluate an assignee/scope property in the task's data; empty results mean "nobody in particular"."""
    if not expression:
        return None
    try:
        value = task.workflow.script_engine.evaluate(task, expression)
    except WorkflowTaskException as error:
        raise ProcessFailed(f"task \"{task.task_spec.bpmn_name or task.task_spec.bpmn_id}\": cannot work out "
                            f"'{expression}': {error}") from None
    return str(value) if value not in (None, "") else None
