"""Changing process instances: load, check, run, persist — in one transaction.

Every function here runs inside the caller's write transaction and either
leaves the instance state, its open-task rows and its new events all written,
or raises and leaves everything as it was.
"""
from __future__ import annotations

import datetime as dt
import json
import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session
from SpiffWorkflow.bpmn.specs.mixins.events.start_event import StartEvent
from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import MultiInstanceTask
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.util.task import TaskState

from . import audit, clock, open_tasks, timers
from .errors import ChangedMeanwhile, NotAllowed, NotFound, ProcessFailed, TaskNotOpen
from .models import Definition, Event, Instance, OpenTask
from .roles import Actor
from .serialization import WorkflowCodec
from .tree import find_task, multi_instance_key, process_of


@dataclass
class Loaded:
    """An instance row with its workflow, as it was when loaded."""

    instance: Instance
    workflow: object
    timers_before: dict


def load(session: Session, codec: WorkflowCodec, instance_id: str) -> Loaded:
    instance = session.get(Instance, instance_id)
    if instance is None:
        raise NotFound(f"There is no process instance {instance_id}.")
    definition = instance.definition
    workflow = codec.load_state(definition.id, definition.spec_json, instance.state_json)
    return Loaded(instance, workflow, timers.waiting_timers(workflow))


def persist(session: Session, codec: WorkflowCodec, loaded: Loaded, events: list[audit.NewEvent]) -> None:
    """Write state, open tasks and events; the version column refuses a concurrent writer."""
    instance, workflow, now = loaded.instance, loaded.workflow, clock.now()
    events = events + [_timer_event(instance, task) for task in timers.fired_since(loaded.timers_before, workflow)]
    if workflow.is_completed() and instance.status == "running":
        instance.status, instance.completed_at = "completed", now
        events.append(audit.NewEvent("instance_completed", instance_id=instance.id,
                                     definition_id=instance.definition_id, process_id=instance.process_id))
    instance.state_json = codec.dump_state(workflow)
    instance.next_timer_at = timers.next_due(workflow) if instance.status == "running" else None
    instance.updated_at = now
    completed = {e.task_id for e in events if e.kind == "task_completed"}
    for row in open_tasks.sync(session, instance, workflow, now):
        if row.id not in completed:
            events.append(_row_event(row, "task_cancelled", None))
    audit.append(session, events, now)


def _timer_event(instance: Instance, task) -> audit.NewEvent:
    return audit.NewEvent("timer_fired", instance_id=instance.id, definition_id=instance.definition_id,
                          task_id=str(task.id), process_id=process_of(task), bpmn_id=task.task_spec.bpmn_id,
                          mi_key=multi_instance_key(task),
                          data={"name": task.task_spec.bpmn_name, "due": timers.due_time(task) and
                                timers.due_time(task).isoformat()})


def run_engine(workflow, step=None) -> None:
    """Run ``step`` (if any) and then every automatic task; wrap process errors."""
    try:
        if step is not None:
            step()
        workflow.do_engine_steps()
    except SpiffWorkflowException as error:
        raise ProcessFailed(f"The process could not continue: {error}. Nothing was saved; "
                            f"a process owner must fix the process definition.") from None


def start_roles(codec: WorkflowCodec, definition: Definition) -> set[str]:
    spec, _ = codec.specs(definition.id, definition.spec_json)
    lanes = json.loads(definition.lanes_json)
    return {lanes.get(ts.lane) for ts in spec.task_specs.values()
            if isinstance(ts, StartEvent) and ts.lane and lanes.get(ts.lane)}


def start(session: Session, codec: WorkflowCodec, definition: Definition, data: dict, actor: Actor) -> Instance:
    roles = start_roles(codec, definition)
    if roles and not any(actor.holds(role) for role in roles):
        raise NotAllowed(f"Starting \"{definition.name}\" needs the role {' or '.join(sorted(roles))}.")
    now = clock.now()
    workflow = codec.new_workflow(definition.id, definition.spec_json)
    for task in workflow.get_tasks(state=TaskState.READY):
        task.data.update(data)
    run_engine(workflow)
    instance = Instance(id=str(uuid.uuid4()), definition=definition, definition_id=definition.id,
                        process_id=definition.process_id, status="running", state_json="",
                        started_at=now, started_by=actor.login, updated_at=now)
    session.add(instance)
    started = audit.NewEvent("instance_started", instance_id=instance.id, definition_id=definition.id,
                             actor=actor.login, process_id=definition.process_id,
                             data={"version": definition.version, "data": data})
    persist(session, codec, Loaded(instance, workflow, {}), [started])
    return instance


def refuse_closed_task(session: Session, task_id: str) -> None:
    """Explain why ``task_id`` has no open-task row: completed before, or never existed."""
    closed = session.scalars(select(Event).where(
        Event.task_id == task_id, Event.kind.in_(("task_completed", "task_cancelled")))).first()
    if closed is not None and closed.kind == "task_completed":
        raise TaskNotOpen(f"This task was already completed by {closed.actor} at {closed.at:%Y-%m-%d %H:%M} UTC.")
    if closed is not None:
        raise TaskNotOpen(f"This task was withdrawn at {closed.at:%Y-%m-%d %H:%M} UTC: the process moved on "
                          f"without it (for example, its deadline passed).")
    raise NotFound(f"There is no open task {task_id}.")


def check_may_act(actor: Actor, row: OpenTask) -> str:
    """Raise :class:`NotAllowed` unless ``actor`` may do the task; return how ("assignee" or "role")."""
    if row.assignee:
        if actor.login != row.assignee:
            raise NotAllowed(f"This task is assigned to {row.assignee}; only they can do it.")
        return "assignee"
    if not actor.holds(row.role, row.scope):
        where = f" for {row.scope}" if row.scope else ""
        raise NotAllowed(f"This task needs the role {row.role}{where}, which you do not hold.")
    if row.claimed_by and row.claimed_by != actor.login:
        raise NotAllowed(f"{row.claimed_by} has claimed this task; they must release it before you can act.")
    return "role"


def complete(session: Session, codec: WorkflowCodec, row: OpenTask, data: dict, actor: Actor, via: str,
             expected_version: int | None = None) -> Instance:
    """Run the task with the (already validated) form data and persist the outcome."""
    loaded = load(session, codec, row.instance_id)
    if expected_version is not None and loaded.instance.version != expected_version:
        raise ChangedMeanwhile("Someone changed this course's process after you opened the form. "
                               "Reload the task to see the current state, then submit again.")
    task = find_task(loaded.workflow, row.id)
    if task is None or task.state != TaskState.READY or not task.task_spec.manual:
        raise TaskNotOpen("This task is no longer open (it was completed, cancelled or is not ready yet).")
    occurrence = _occurrence(loaded.workflow, task)
    run_engine(loaded.workflow, lambda: _apply_and_run(task, data))
    event = _row_event(row, "task_completed", actor.login, form=data, occurrence=occurrence, via=via)
    persist(session, codec, loaded, [event])
    return loaded.instance


def _apply_and_run(task, data: dict) -> None:
    """Form data goes into the task data; a multi-instance child's becomes its output item."""
    parent = task.parent.task_spec if task.parent is not None else None
    if isinstance(parent, MultiInstanceTask) and parent.output_item is not None:
        task.data[parent.output_item.bpmn_id] = data
    else:
        task.data.update(data)
    task.run()


def _occurrence(workflow, task) -> int:
    """How many times this (bpmn id, multi-instance key) ran before, plus one: replay matches on it."""
    key = multi_instance_key(task)
    return 1 + sum(1 for t in workflow.get_tasks(state=TaskState.COMPLETED)
                   if t.task_spec.bpmn_id == task.task_spec.bpmn_id and process_of(t) == process_of(task)
                   and multi_instance_key(t) == key)


def fire_due_timers(session: Session, codec: WorkflowCodec, instance_id: str) -> int:
    """Fire the instance's due timers; return how many fired."""
    loaded = load(session, codec, instance_id)
    if loaded.instance.status != "running":
        return 0
    run_engine(loaded.workflow, loaded.workflow.refresh_timers)
    fired = len(timers.fired_since(loaded.timers_before, loaded.workflow))
    persist(session, codec, loaded, [])
    return fired


def claim(session: Session, row: OpenTask, actor: Actor) -> None:
    if row.assignee:
        raise NotAllowed(f"This task is assigned to {row.assignee}; it cannot be claimed.")
    check_may_act(actor, row)
    if row.claimed_by == actor.login:
        return
    row.claimed_by = actor.login
    _task_event(session, row, actor, "task_claimed")


def unclaim(session: Session, row: OpenTask, actor: Actor) -> None:
    if row.claimed_by is None:
        return
    if row.claimed_by != actor.login and not actor.holds("sector_administrator"):
        raise NotAllowed(f"Only {row.claimed_by} (or a sector administrator) can release this task.")
    row.claimed_by = None
    _task_event(session, row, actor, "task_unclaimed")


def _task_event(session: Session, row: OpenTask, actor: Actor, kind: str) -> None:
    audit.append(session, [_row_event(row, kind, actor.login)], clock.now())


def _row_event(row: OpenTask, kind: str, actor: str | None, **data) -> audit.NewEvent:
    return audit.NewEvent(kind, instance_id=row.instance_id, definition_id=row.definition_id, actor=actor,
                          role=row.role, scope=row.scope, task_id=row.id, process_id=row.process_id,
                          bpmn_id=row.bpmn_id, mi_key=row.mi_key, data={"name": row.name, **data})


def due_instances(session: Session, now: dt.datetime, limit: int, skip_locked: bool) -> list[str]:
    """Ids of running instances with a timer due; locked rows are skipped on PostgreSQL."""
    query = (select(Instance.id).where(Instance.status == "running", Instance.next_timer_at <= now)
             .order_by(Instance.next_timer_at).limit(limit))
    if skip_locked:
        query = query.with_for_update(skip_locked=True)
    return list(session.scalars(query))
