"""The path an instance has taken: the elements it passed, the ones open now, the flows it followed.

Read off the task tree (SpiffWorkflow keeps no flow history): a step is a
task with a BPMN id and its nearest ancestor with another BPMN id. Used to
mark diagrams for auditors, and by the test that every flow is exercised.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from SpiffWorkflow.specs.Join import Join
from SpiffWorkflow.util.task import TaskState

from engine.instances.tree import find_task, multi_instance_key

REACHED = TaskState.COMPLETED | TaskState.READY | TaskState.WAITING | TaskState.STARTED


@dataclass
class Path:
    """Per process id: what an instance passed and where it stands."""

    done: dict[str, set[str]] = field(default_factory=dict)      # completed elements
    open: dict[str, set[str]] = field(default_factory=dict)      # ready or waiting now
    steps: set[tuple[str, str, str]] = field(default_factory=set)  # (process, source id, target id)
    # A process called once per key (each CSB's agreeing, 7.3): (process id, key) -> that call's own path
    calls: dict[tuple[str, str], Path] = field(default_factory=dict)


def taken(workflow: Any) -> Path:
    path = Path()
    for wf in [workflow, *workflow.subprocesses.values()]:
        _add(path, wf)
        key = _called_for(wf)
        if key is not None:
            _add(path.calls.setdefault((wf.spec.name, key), Path()), wf)
    return path


def _called_for(wf: Any) -> str | None:
    """The multi-instance key (e.g. the CSB code) a called process runs for; None for the top process."""
    parent_id = getattr(wf, "parent_task_id", None)
    parent = find_task(wf.top_workflow, parent_id) if parent_id is not None else None
    return multi_instance_key(parent) if parent is not None else None


def _add(path: Path, wf: Any) -> None:
    process = wf.spec.name
    for task in wf.tasks.values():
        bpmn_id = task.task_spec.bpmn_id
        if bpmn_id is None or not (task.has_state(REACHED) or _merged_join(task)):
            continue
        if task.has_state(TaskState.COMPLETED):
            path.done.setdefault(process, set()).add(bpmn_id)
        elif task.has_state(TaskState.READY | TaskState.WAITING | TaskState.STARTED):
            path.open.setdefault(process, set()).add(bpmn_id)
        parent = task.parent
        while parent is not None and (parent.task_spec.bpmn_id is None or parent.task_spec.bpmn_id == bpmn_id):
            parent = parent.parent
        if parent is not None:
            path.steps.add((process, parent.task_spec.bpmn_id, bpmn_id))


def _merged_join(task: Any) -> bool:
    """A parallel join keeps one task; the branches that arrived first leave theirs cancelled."""
    return isinstance(task.task_spec, Join) and task.parent is not None and task.parent.has_state(TaskState.COMPLETED)
