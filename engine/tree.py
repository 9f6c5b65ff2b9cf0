"""Finding tasks in a workflow's task tree, subprocesses included."""
from __future__ import annotations

from uuid import UUID


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
