"""Changing process instances: load, check, run, persist — in one transaction.

Every function here runs inside the caller's write transaction and either
leaves the instance state, its open-task rows and its new events all written,
or raises and leaves everything as it was. Lock order in every write
transaction: open-task rows, then the instance row, then the chain head
last: ``persist`` queues its events (audit.defer) and they are numbered,
hashed and written when the transaction commits, so the one lock every writer
shares is held only for that — never while a workflow runs or a state is
serialized. A workflow just saved stays hot in memory (engine.instances.hot)
for this instance's next change, if the row is still at its version then.
"""
from __future__ import annotations

import copy
import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, NoReturn

from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import MultiInstanceTask
from SpiffWorkflow.bpmn.util.event import BpmnEvent
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from engine.base import clock
from engine.base.errors import ChangedMeanwhile, CourseFlowError, NotAllowed, NotFound, ProcessFailed, TaskNotOpen
from engine.base.models import Course, Event, Instance, OpenTask
from engine.base.vocabulary import EventKind, InstanceStatus
from engine.definitions import script_limits
from engine.definitions.cache import DefinitionCache, Parsed
from engine.definitions.form_schema import validate_submission, with_read_only
from engine.instances import choices, continuation, derived, hot, open_tasks, store, timers
from engine.instances.store import InstanceRow, OpenTaskRow
from engine.instances.tree import find_task, multi_instance_key, process_of
from engine.proof import audit
from engine.registry import courses
from engine.registry.roles import Actor

TIMER_LEASE = dt.timedelta(minutes=5)
TIMER_RETRY = dt.timedelta(hours=1)
CHANGED_MEANWHILE = ("Someone changed this course's process after you opened the form. "
                     "Reload the task to see the current state, then submit again.")


class TimersDue(Exception):
    """The instance has overdue timers: fire them (own transaction) before acting on it."""


@dataclass
class Loaded:
    """An instance row with its workflow, as it was when loaded, and the tasks run since."""

    instance: InstanceRow
    workflow: Any  # SpiffWorkflow's BpmnWorkflow
    before: derived.Before
    completed: list[Any] = field(default_factory=list)


def load(session: Session, definitions: DefinitionCache, instance_id: str,
         prefetched: tuple[InstanceRow, str] | None = None) -> Loaded:
    """Restore an instance's workflow (from ``prefetched`` row and state, if the caller has them)."""
    found = prefetched or store.instance(session.connection(), instance_id)
    if found is None:
        raise NotFound(f"There is no process instance {instance_id}.", reason="no_instance", instance=instance_id)
    row, state_json = found
    kept = hot.take(session, row.id, row.version, row.definition_id)
    if kept is not None:
        return Loaded(row, kept.workflow, kept.before)
    workflow = definitions.load_workflow(session, row.definition_id, state_json)
    return Loaded(row, workflow, derived.before(workflow))


def refuse_if_timers_due(instance: InstanceRow) -> None:
    if instance.next_timer_at is not None and instance.next_timer_at < clock.now():
        raise TimersDue(instance.id)


def persist(session: Session, definitions: DefinitionCache, loaded: Loaded, events: list[audit.NewEvent]) -> None:
    """Write open tasks, events and state — the state only if nobody changed the instance since it was loaded."""
    row, workflow, now = loaded.instance, loaded.workflow, clock.now()
    completed = {e.task_id for e in events if e.kind == EventKind.TASK_COMPLETED and e.task_id}
    follows = derived.derive(loaded.before, workflow, completed)
    events = events + [_timer_event(row, task) for task in follows.timers_fired]
    following = continuation.successor(workflow, loaded.completed, row.course_id) if follows.instance_completed else None
    if follows.instance_completed:
        row.status, row.completed_at = InstanceStatus.COMPLETED, now
        events.append(audit.NewEvent(EventKind.INSTANCE_COMPLETED, instance_id=row.id, definition_id=row.definition_id,
                                     process_id=row.process_id, data=continuation.completed_data(following)))
    courses.follow(session, row, loaded.completed, [_form_of(e) for e in events])
    lanes = definitions.parsed(session, row.definition_id).lanes
    for gone in open_tasks.sync(session.connection(), row, follows, loaded.before.ready, now, lanes):
        events.append(_row_event(gone, EventKind.TASK_CANCELLED, None))
    row.next_timer_at = timers.next_due(follows.after) if row.status == InstanceStatus.RUNNING else None
    if not store.save_state(session.connection(), row, _dump(definitions, workflow), now):
        raise ChangedMeanwhile("Someone else changed this process at the same moment; nothing of yours was "
                               "saved. Reload and try again.", reason="changed_meanwhile")
    row.version += 1
    hot.saved(session, row.id, hot.Hot(row.version, row.definition_id, workflow, derived.following(follows, workflow)))
    audit.defer(session, events, now, row.last_event_hash)  # chained at commit, with the instance's newest hash
    if following is not None:
        continuation.start(session, definitions, row, following)


def _form_of(event: audit.NewEvent) -> dict[str, Any]:
    return event.data.get("form") or event.data.get("data") or {}


def _timer_event(row: InstanceRow, task: Any) -> audit.NewEvent:
    due = timers.due_time(task)
    return audit.NewEvent(EventKind.TIMER_FIRED, instance_id=row.id, definition_id=row.definition_id,
                          task_id=str(task.id), process_id=process_of(task), bpmn_id=task.task_spec.bpmn_id,
                          mi_key=multi_instance_key(task),
                          data={"name": task.task_spec.bpmn_name, "due": due.isoformat() if due else None})


def run_engine(loaded: Loaded, step: Callable[[], object] | None = None) -> None:
    """Run ``step`` (if any) and then every automatic task, noting each task completed; wrap process errors."""
    try:
        with script_limits.budget():  # one CPU-time and memory budget for every script this step runs
            if step is not None:
                step()
            loaded.workflow.do_engine_steps(did_complete_task=loaded.completed.append)
    except CourseFlowError:
        raise
    except Exception as error:  # scripts and expressions can fail in any way; none may escape as a traceback
        raise ProcessFailed(f"The process could not continue: {_describe(error)}. Nothing was saved; "
                            f"a process owner must fix the process definition.", reason="process_failed") from None


def _describe(error: Exception) -> str:
    if isinstance(error, SpiffWorkflowException):
        return str(error)
    return f"{type(error).__name__}: {error}"


def _dump(definitions: DefinitionCache, workflow: Any) -> str:
    try:
        return definitions.codec.dump_state(workflow)
    except (TypeError, ValueError) as error:
        raise ProcessFailed(f"The process data cannot be saved ({_describe(error)}): a script stored a value "
                            f"that is not plain data. Nothing was saved.", reason="process_failed") from None


def start(session: Session, definitions: DefinitionCache, definition: Parsed, data: dict[str, Any], actor: Actor,
          instance_id: str | None = None, noted: dict[str, Any] | None = None) -> str:
    """Start an instance: whoever holds the role of a start event's lane may; start data must fit its form.

    ``instance_id`` and ``noted`` (recorded in the start event) are given when a finished instance continues.
    """
    if definition.start_roles and not any(actor.holds(role) for role in definition.start_roles):
        raise NotAllowed(f"Starting \"{definition.name}\" needs the role {' or '.join(sorted(definition.start_roles))}.",
                         reason="start_needs_role", process=definition.process_id, roles=sorted(definition.start_roles))
    if definition.start_form:
        validate_submission(choices.resolve(session, definitions.form(session, definition.id,
                                                                      definition.start_form)), data)
    course_id = data.get("course_id")
    if course_id is not None and (not isinstance(course_id, int) or session.get(Course, course_id) is None):
        raise NotFound(f"There is no course {course_id!r}.", reason="no_course", course=course_id)
    now = clock.now()
    row = InstanceRow(id=instance_id or str(uuid.uuid4()), definition_id=definition.id, process_id=definition.process_id,
                      status=InstanceStatus.RUNNING, version=0, next_timer_at=None, completed_at=None, course_id=course_id,
                      last_event_hash=None)
    loaded = Loaded(row, definitions.new_workflow(session, definition.id), derived.NOTHING)
    for task in loaded.workflow.get_tasks(state=TaskState.READY):
        task.data.update(copy.deepcopy(data))  # the workflow may stay in memory (hot): it shares nothing
    run_engine(loaded)
    if any(courses.opens_course(task) for task in loaded.completed):
        row.course_id = courses.open_record(session, row.id, data)
    store.insert_instance(session.connection(), dict(
        id=row.id, definition_id=row.definition_id, process_id=row.process_id, status=row.status,
        state_json="{}", version=0, started_at=now, started_by=actor.login, updated_at=now,
        course_id=row.course_id))
    started = audit.NewEvent(EventKind.INSTANCE_STARTED, instance_id=row.id, definition_id=definition.id,
                             actor=actor.login, process_id=definition.process_id,
                             data={"version": definition.version, "data": data, **(noted or {})})
    persist(session, definitions, loaded, [started])
    return row.id


def refuse_closed_task(session: Session, task_id: str) -> NoReturn:
    """Explain why ``task_id`` has no open-task row: completed before, withdrawn, or never existed."""
    closed = session.scalars(select(Event).where(
        Event.task_id == task_id, Event.kind.in_((EventKind.TASK_COMPLETED, EventKind.TASK_CANCELLED)))).first()
    if closed is not None and closed.kind == EventKind.TASK_COMPLETED:
        raise TaskNotOpen(f"This task was already completed by {closed.actor} at {closed.at:%Y-%m-%d %H:%M} UTC.",
                          reason="task_completed_by", login=closed.actor or "", at=closed.at)
    if closed is not None:
        raise TaskNotOpen(f"This task was withdrawn at {closed.at:%Y-%m-%d %H:%M} UTC: the process moved on "
                          f"without it (for example, its deadline passed).", reason="task_withdrawn", at=closed.at)
    raise NotFound(f"There is no open task {task_id}.", reason="no_task")


def check_may_act(actor: Actor, row: OpenTaskRow) -> str:
    """Raise :class:`NotAllowed` unless ``actor`` may do the task; return how ("assignee" or "role")."""
    if row.assignee:
        if actor.login != row.assignee:
            raise NotAllowed(f"This task is assigned to {row.assignee}; only they can do it.", reason="task_assigned",
                             login=row.assignee)
        if row.role and not actor.holds(row.role):
            raise NotAllowed(f"This task is assigned to you as {row.role}, a role you no longer hold; "
                             f"a sector administrator must grant it again or reassign the task.",
                             reason="assigned_role_lost", role=row.role)
        return "assignee"
    if not actor.holds(row.role, row.scope):
        where = f" for {row.scope}" if row.scope else ""
        raise NotAllowed(f"This task needs the role {row.role}{where}, which you do not hold.",
                         reason="task_needs_role", role=row.role, scope=row.scope or "")
    if row.claimed_by and row.claimed_by != actor.login:
        raise NotAllowed(f"{row.claimed_by} has claimed this task; they must release it before you can act.",
                         reason="task_claimed", login=row.claimed_by)
    return "role"


def complete(session: Session, definitions: DefinitionCache, row: OpenTaskRow, submitted: Any, actor: Actor, via: str,
             expected_version: int | None = None, prefetched: tuple[InstanceRow, str] | None = None) -> None:
    """Validate the submission against the task's form (as handed out), run the task, persist the outcome."""
    loaded = load(session, definitions, row.instance_id, prefetched)
    refuse_if_timers_due(loaded.instance)
    if expected_version is not None and loaded.instance.version != expected_version:
        raise ChangedMeanwhile(CHANGED_MEANWHILE, reason="form_changed_meanwhile")
    task = find_task(loaded.workflow, row.id)
    if task is None or task.state != TaskState.READY or not task.task_spec.manual:
        raise TaskNotOpen("This task is no longer open (it was completed, cancelled or is not ready yet).",
                          reason="task_not_open")
    schema = choices.resolve(session, definitions.form(session, row.definition_id, row.form), row.scope)
    data = validate_submission(schema, with_read_only(schema, submitted, task.data), shape_checked=True)
    seen_before = occurrence(loaded.workflow, task)
    run_engine(loaded, lambda: apply_form(task, data, loaded.completed))
    event = _row_event(row, EventKind.TASK_COMPLETED, actor.login, form=data, sheet=row.form, occurrence=seen_before, via=via)
    persist(session, definitions, loaded, [event])


def apply_form(task: Any, data: dict[str, Any], completed: list[Any]) -> None:
    """Form data goes into the task data; a multi-instance child's becomes its output item."""
    data = copy.deepcopy(data)  # the workflow may stay in memory (hot): it shares nothing with the caller
    parent = task.parent.task_spec if task.parent is not None else None
    if isinstance(parent, MultiInstanceTask) and parent.output_item is not None:
        task.data[parent.output_item.bpmn_id] = data
    else:
        task.data.update(data)
    task.run()
    completed.append(task)


def occurrence(workflow: Any, task: Any) -> int:
    """How many times this (bpmn id, multi-instance key) ran before, plus one: replay matches on it."""
    key = multi_instance_key(task)
    return 1 + sum(1 for t in workflow.get_tasks(state=TaskState.COMPLETED)
                   if t.task_spec.bpmn_id == task.task_spec.bpmn_id and process_of(t) == process_of(task)
                   and multi_instance_key(t) == key)


def fire_due_timers(session: Session, definitions: DefinitionCache, instance_id: str) -> int:
    """Fire the instance's due timers; return how many fired."""
    loaded = load(session, definitions, instance_id)
    if loaded.instance.status != InstanceStatus.RUNNING:
        return 0
    run_engine(loaded, loaded.workflow.refresh_timers)
    fired = len(timers.fired_since(loaded.before.timers, loaded.workflow))
    persist(session, definitions, loaded, [])
    return fired


def deliver_message(session: Session, definitions: DefinitionCache, instance_id: str, name: str, payload: dict[str, Any],
                    actor: Actor) -> None:
    """Deliver a BPMN message to an instance, by whoever holds the role of the catching event's lane."""
    loaded = load(session, definitions, instance_id)
    refuse_if_timers_due(loaded.instance)
    waiting = catching(loaded.workflow, name)
    if not waiting:
        raise TaskNotOpen(f"This process is not waiting for the message \"{name}\" now.", reason="not_waiting",
                          event=name)
    lanes = definitions.parsed(session, loaded.instance.definition_id).lanes
    roles = {role for _, _, task_lanes in waiting for lane in task_lanes if (role := lanes.get(lane)) is not None}
    if not any(actor.holds(role) for role in roles):  # no lane, no sender: fail closed
        raise NotAllowed(f"Only {' or '.join(sorted(roles))} may send \"{name}\" to this process.",
                         reason="message_needs_role", roles=sorted(roles), event=name)
    task, definition, _ = waiting[0]
    run_engine(loaded, lambda: loaded.workflow.send_event(BpmnEvent(definition, copy.deepcopy(payload))))
    persist(session, definitions, loaded, [audit.NewEvent(
        EventKind.MESSAGE_RECEIVED, instance_id=instance_id, definition_id=loaded.instance.definition_id, actor=actor.login,
        task_id=str(task.id), process_id=process_of(task), bpmn_id=task.task_spec.bpmn_id,
        data={"message": name, "payload": payload})])


def catching(workflow: Any, name: str) -> list[Any]:
    """(waiting task, its message definition, its lanes) for every event waiting for message ``name``.

    An event-based gateway waits on behalf of its events: both its lane and the
    catching event's lane count.
    """
    found = []
    for task in workflow.get_tasks(state=TaskState.WAITING):
        definition = getattr(task.task_spec, "event_definition", None)
        candidates = getattr(definition, "event_definitions", None)
        pairs = zip(task.task_spec.outputs, candidates) if candidates is not None else [(task.task_spec, definition)]
        for spec, candidate in pairs:
            if isinstance(candidate, MessageEventDefinition) and candidate.name == name:
                found.append((task, candidate, {task.task_spec.lane, spec.lane}))
    return found


def claim(session: Session, row: OpenTaskRow, actor: Actor) -> None:
    if row.assignee:
        raise NotAllowed(f"This task is assigned to {row.assignee}; it cannot be claimed.", reason="assigned_no_claim",
                         login=row.assignee)
    check_may_act(actor, row)
    if row.claimed_by != actor.login:
        _set_claim(session, row, actor, actor.login, EventKind.TASK_CLAIMED)


def unclaim(session: Session, row: OpenTaskRow, actor: Actor) -> None:
    if row.claimed_by is None:
        return
    if row.claimed_by != actor.login and not actor.holds("sector_administrator"):
        raise NotAllowed(f"Only {row.claimed_by} (or a sector administrator) can release this task.",
                         reason="release_not_yours", login=row.claimed_by or "")
    _set_claim(session, row, actor, None, EventKind.TASK_UNCLAIMED)


def reassign_claim(session: Session, row: OpenTaskRow, actor: Actor, holder: Actor) -> None:
    """A sector administrator hands a group task to one person of its group (issue 13), audited."""
    if not actor.holds("sector_administrator"):
        raise NotAllowed("Only a sector administrator can hand a task to someone else.", reason="reassign_admin_only")
    if row.assignee:
        raise NotAllowed(f"This task is assigned to {row.assignee}; it cannot be claimed.", reason="assigned_no_claim",
                         login=row.assignee)
    if not holder.holds(row.role, row.scope):
        where = f" for {row.scope}" if row.scope else ""
        raise NotAllowed(f"{holder.login} does not hold the role {row.role}{where} this task needs.",
                         reason="holder_lacks_role", login=holder.login, role=row.role, scope=row.scope or "")
    if row.claimed_by != holder.login:
        _set_claim(session, row, actor, holder.login, EventKind.TASK_CLAIMED, claimed_for=holder.login)


def claimed_since(session: Session, row: OpenTaskRow) -> dt.datetime | None:
    """When the task's present claim was made: the last claim event of the task."""
    return session.scalar(select(Event.at).where(Event.task_id == row.id, Event.kind == EventKind.TASK_CLAIMED)
                          .order_by(Event.seq.desc()).limit(1))


def _set_claim(session: Session, row: OpenTaskRow, actor: Actor, holder: str | None, kind: str,
               **data: Any) -> None:
    """A claim changes who may act, so it moves the instance version on: a completion loaded before it fails."""
    claimed = session.execute(update(OpenTask).where(OpenTask.id == row.id, OpenTask.claimed_by == row.claimed_by)
                              .values(claimed_by=holder))
    if _rowcount(claimed) != 1:
        raise ChangedMeanwhile("Someone claimed or released this task at the same moment; reload and try again.",
                               reason="claim_changed")
    version, instance_hash = session.execute(select(Instance.version, Instance.last_event_hash)
                                             .where(Instance.id == row.instance_id)).one()
    moved = session.execute(update(Instance).where(Instance.id == row.instance_id, Instance.version == version)
                            .values(version=version + 1))
    if _rowcount(moved) != 1:
        raise ChangedMeanwhile("Someone changed this process at the same moment; reload and try again.",
                               reason="changed_meanwhile")
    last_hash = audit.append(session, [_row_event(row, kind, actor.login, **data)], clock.now(), instance_hash)
    store.set_last_event_hash(session.connection(), row.instance_id, last_hash)


def _rowcount(result: Any) -> int:
    return int(result.rowcount)  # an UPDATE's CursorResult


def _row_event(row: OpenTaskRow, kind: str, actor: str | None, **data: Any) -> audit.NewEvent:
    return audit.NewEvent(kind, instance_id=row.instance_id, definition_id=row.definition_id, actor=actor,
                          role=row.role, scope=row.scope, task_id=row.id, process_id=row.process_id,
                          bpmn_id=row.bpmn_id, mi_key=row.mi_key, data={"name": row.name, **data})


def lease_due_instances(session: Session, now: dt.datetime, limit: int, skip_locked: bool) -> list[str]:
    """Take a short lease on up to ``limit`` running instances with a timer due, and return their ids.

    The lease (committed at once, in a transaction that locks nothing else)
    keeps other tickers off these instances while each is fired in its own
    transaction; rows another ticker is leasing right now are skipped.
    """
    query = (select(Instance.id).where(Instance.status == InstanceStatus.RUNNING, Instance.next_timer_at < now,
                                       or_(Instance.timer_lease_until.is_(None), Instance.timer_lease_until < now))
             .order_by(Instance.next_timer_at).limit(limit))
    if skip_locked:
        query = query.with_for_update(skip_locked=True)
    ids = list(session.scalars(query))
    if ids:
        session.execute(update(Instance).where(Instance.id.in_(ids)).values(timer_lease_until=now + TIMER_LEASE))
    return ids


def record_timer_failure(session: Session, instance_id: str, error: CourseFlowError) -> None:
    """A timer that cannot fire is logged and retried later, so it never blocks the others."""
    row = store.instance(session.connection(), instance_id)
    if row is None:
        return
    instance, _ = row
    now = clock.now()
    session.execute(update(Instance).where(Instance.id == instance_id).values(
        next_timer_at=now + TIMER_RETRY, timer_lease_until=None))
    last_hash = audit.append(session, [audit.NewEvent(EventKind.TIMER_FAILED, instance_id=instance_id,
                                                      definition_id=instance.definition_id,
                                                      process_id=instance.process_id, data={"error": str(error)})],
                             now, instance.last_event_hash)
    store.set_last_event_hash(session.connection(), instance_id, last_hash)
