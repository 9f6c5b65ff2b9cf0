"""Timer facts read off a workflow: when each waiting timer is due, which fired.

SpiffWorkflow fires timers only when asked (``refresh_timers``); the engine
stores each instance's earliest due timer so the ticker loads only instances
that are due.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from SpiffWorkflow.bpmn.specs.control import BoundaryEventSplit
from SpiffWorkflow.bpmn.specs.event_definitions.multiple import MultipleEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.events.intermediate_event import BoundaryEvent
from SpiffWorkflow.util.task import TaskState

from engine.base.clock import as_utc
from engine.instances.tree import Scan, find_task


def is_timer(task: Any) -> bool:
    """A timer event, or an event-based gateway waiting on a timer among other events."""
    definition = getattr(task.task_spec, "event_definition", None)
    if isinstance(definition, MultipleEventDefinition):
        return any(isinstance(d, TimerEventDefinition) for d in definition.event_definitions)
    return isinstance(definition, TimerEventDefinition)


def waiting_timers(scan: Scan) -> dict[str, Any]:
    """{task id: task} of every timer event waiting to fire, subprocesses included."""
    return {t.id: t for t in scan.waiting if is_timer(t)}


def due_time(timer_task: Any) -> dt.datetime | None:
    """When a waiting timer fires (known once SpiffWorkflow has evaluated it)."""
    value = timer_task.internal_data.get("event_value")
    if isinstance(value, dict):  # cycle timers keep {"next": ...}
        value = value.get("next")
    if not isinstance(value, str):
        return None
    try:
        parsed = TimerEventDefinition.parse_time_or_duration(value)
    except Exception:  # SpiffWorkflow raises plain Exception for bad values
        return None
    return as_utc(parsed) if isinstance(parsed, dt.datetime) else None


def next_due(scan: Scan) -> dt.datetime | None:
    times = [t for t in map(due_time, waiting_timers(scan).values()) if t is not None]
    return min(times, default=None)


def fired_since(before: dict[str, Any], workflow: Any) -> list[Any]:
    """Timer tasks that were waiting in ``before`` and have fired since (not cancelled)."""
    fired = []
    for task_id in before:
        task = find_task(workflow, task_id)
        if task is not None and not task.has_state(TaskState.WAITING | TaskState.CANCELLED):
            fired.append(task)
    return fired


def task_due(task: Any) -> dt.datetime | None:
    """The earliest boundary timer watching ``task`` or an activity enclosing it."""
    times, node = [], task
    while node.parent is not None:
        if isinstance(node.parent.task_spec, BoundaryEventSplit):
            for sibling in node.parent.children:
                if (sibling is not node and isinstance(sibling.task_spec, BoundaryEvent)
                        and sibling.has_state(TaskState.WAITING) and is_timer(sibling)):
                    times.append(due_time(sibling))
        node = node.parent
    return min((t for t in times if t is not None), default=None)
