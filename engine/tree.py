"""Finding tasks in a workflow's task tree, subprocesses included."""
from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from SpiffWorkflow.util.task import TaskState


def find_task(workflow, task_id: UUID | str):
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


def multi_instance_key(task) -> str | None:
    """The key (or index) of a multi-instance child, e.g. the CSB code it reviews."""
    key = task.internal_data.get("key_or_index")
    return None if key is None else str(key)


def process_of(task) -> str:
    """The id of the process (or called process) the task belongs to."""
    return task.workflow.spec.name


@dataclass(frozen=True)
class Scan:
    """One pass over a workflow's tasks: what the engine tracks between operations."""

    ready: dict  # {task id (str): READY manual task}
    waiting: list  # WAITING tasks (timers and message catchers among them)


def scan(workflow) -> Scan:
    ready, waiting = {}, []
    for task in workflow.get_tasks(state=TaskState.READY | TaskState.WAITING):
        if task.state == TaskState.WAITING:
            waiting.append(task)
        elif task.task_spec.manual:
            ready[str(task.id)] = task
    return Scan(ready, waiting)
