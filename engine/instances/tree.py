"""Finding tasks in a workflow's task tree, subprocesses included."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from SpiffWorkflow.util.task import TaskState


def find_task(workflow: Any, task_id: UUID | str) -> Any:
    """The task with this id in the workflow or any of its subprocesses, or ``None``."""
    if isinstance(task_id, str):
        try:
            task_id = UUID(task_id)
        except ValueError:
            return None
    if task_id in workflow.tasks:
        return workflow.tasks[task_id]
    for subprocess in workflow.subprocesses.values():
        if task_id in subprocess.tasks:
            return subprocess.tasks[task_id]
    return None


def multi_instance_key(task: Any) -> str | None:
    """The key (or index) of the multi-instance child a task is, or runs inside (e.g. the CSB code).

    A task in a process called once per CSB takes the key of the call it runs
    in, so the same task of two parallel agreeings is told apart.
    """
    key = task.internal_data.get("key_or_index")
    if key is not None:
        return str(key)
    parent_id = getattr(task.workflow, "parent_task_id", None)
    if parent_id is None:
        return None
    parent = find_task(task.workflow.top_workflow, parent_id)
    return multi_instance_key(parent) if parent is not None else None


def process_of(task: Any) -> str:
    """The id of the process (or called process) the task belongs to."""
    return str(task.workflow.spec.name)


@dataclass(frozen=True)
class Scan:
    """One pass over a workflow's tasks: what the engine tracks between operations."""

    ready: dict[str, Any]  # {task id (str): READY manual task}
    waiting: list[Any]  # WAITING tasks (timers and message catchers among them)


def scan(workflow: Any) -> Scan:
    ready, waiting = {}, []
    for task in workflow.get_tasks(state=TaskState.READY | TaskState.WAITING):
        if task.state == TaskState.WAITING:
            waiting.append(task)
        elif task.task_spec.manual:
            ready[str(task.id)] = task
    return Scan(ready, waiting)
