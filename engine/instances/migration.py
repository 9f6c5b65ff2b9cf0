"""Moving a running instance to a newer deployed version of its process — only where that is safe.

An instance's stored state holds its tasks and data but no spec: every task
names its task spec, and loading the state against a spec looks each name up
in it (see ``serialization``). Migrating an instance is therefore exactly
this: load its state against the new version's spec (and the specs of the
processes it calls), dump it again, and from then on run it on the new
version. Replay does the same at the ``instance_migrated`` event.

The safety rule (a migration is refused, naming the first element that breaks it):

1. Every task spec the state refers to — completed tasks included, in the top
   workflow and in every subprocess in ``workflow.subprocesses`` — exists in
   the new version under the same name in the same (called) process, so the
   state loads against it.
2. Every task spec at or reachable from the instance's current positions
   behaves the same in the new version. The positions are the tasks not yet
   finished (READY, WAITING, STARTED, FUTURE, LIKELY, MAYBE, in every
   workflow); from each, outputs are followed transitively, with a
   multi-instance or loop task's child spec, and into the process a call
   activity calls, from its start. A call activity or parallel multi-instance
   task that is itself a position already under way (STARTED) is not entered
   again: its subprocess's tasks and its children are positions of their own.

   "Behaves the same" means the serialized task spec (as the serializer
   registry converts it, i.e. as stored in ``spec_json``) is equal once purely
   descriptive fields are dropped, and the JSON Schema of every form it binds
   (``forms_json``) is equal too. Descriptive: the name shown to people
   (``bpmn_name`` wherever it occurs — the element's, its data objects' and
   data references'; SpiffWorkflow runs on ids only), the ``documentation``,
   the ``nameRu`` property, the ``instructionsForEndUser`` extension, and a
   timer's name (its event definition repeats the element's name; a message's
   or signal's name is not descriptive and counts). Two structural fields are
   left out because nothing runs on them: the incoming flows of a process's
   generated end join (it waits for every open task of its process, not for
   its inputs, so adding an end event elsewhere changes nothing ahead of the
   instance) and a process's list of start events (its start spec's outputs,
   which are compared, say the same). Of each process reached, the data
   inputs/outputs, data objects and correlation keys must be equal as well.
3. The target is a newer version of the same process, and the instance is running.

A change to parts the instance has already passed (and cannot reach again)
is therefore safe; anything the instance may still run must be as it was.
"""
from __future__ import annotations

import datetime as dt
import json
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from SpiffWorkflow.util.task import TaskState
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.base import clock
from engine.base.errors import CourseFlowError, NotFound, ProcessFailed
from engine.base.models import Course, Definition, Instance
from engine.base.serialization import WorkflowCodec
from engine.base.vocabulary import EventKind, InstanceStatus
from engine.definitions import bpmn
from engine.definitions.cache import DefinitionCache
from engine.instances import open_tasks, runtime, store, timers
from engine.instances.tree import process_of, scan
from engine.proof import audit
from engine.registry.roles import Actor

DESCRIPTIVE = ("documentation",)  # besides bpmn_name, dropped everywhere
DESCRIPTIVE_PROPERTIES = (bpmn.NAME_RU_PROPERTY,)
DESCRIPTIVE_EXTENSIONS = ("instructionsForEndUser",)
PROCESS_UNCOMPARED = ("name", "description", "file", "task_specs", "bpmn_start_events")
END_JOIN = "_EndJoin"
PARALLEL_MULTI_INSTANCE = "ParallelMultiInstanceTask"  # creates all its children when it starts
# What a differing field of a serialized task spec means, for the reason given to people.
CHANGES = {
    "typename": "it is a different kind of element",
    "outputs": "its outgoing flows differ",
    "inputs": "its incoming flows differ",
    "cond_task_specs": "its conditions differ",
    "default_task_spec": "its default flow differs",
    "script": "its script differs",
    "prescript": "its pre-script differs",
    "postscript": "its post-script differs",
    "lane": "its lane differs",
    "event_definition": "its event definition (timer, message or signal) differs",
    "spec": "the process it calls differs",
    "condition": "its completion condition differs",
    "cardinality": "its multi-instance settings differ",
    "data_input": "its multi-instance settings differ",
    "data_output": "its multi-instance settings differ",
    "input_item": "its multi-instance settings differ",
    "output_item": "its multi-instance settings differ",
    "io_specification": "its data inputs and outputs differ",
    "data_objects": "its data objects differ",
    "correlation_keys": "its correlation keys differ",
}


class Why(str):
    """A reason in English that also carries ``code`` and ``params``, so a front end can say it in its reader's
    language (the same pattern as the engine's errors)."""

    code: str
    params: dict[str, Any]

    def __new__(cls, text: str, code: str, **params: Any) -> Why:
        made = super().__new__(cls, text)
        made.code, made.params = code, params
        return made


@dataclass(frozen=True)
class MigrationCheck:
    """Whether one instance would move safely to ``to_version``, and if not, why."""

    instance_id: str
    course_id: int | None
    course_name: str | None
    from_version: int
    to_version: int
    safe: bool
    reason: str  # '' when safe; else a sentence naming the element that breaks the rule
    open_tasks: list[str]  # names of the tasks open now that would continue on the new version
    waiting: list[Waiting] = field(default_factory=list)  # timers it waits for (e.g. the inspection, 13.1)
    open_tasks_ru: list[str] = field(default_factory=list)  # the same names in Russian (``nameRu``, else as above)


@dataclass(frozen=True)
class Waiting:
    """A timer an instance waits for: its name and when it fires (None if not known yet)."""
    name: str
    due: dt.datetime | None
    name_ru: str | None = None  # its ``nameRu``


@dataclass(frozen=True)
class MigrationResult:
    instance_id: str
    migrated: bool
    reason: str  # '' when migrated
    course_id: int | None = None
    course_name: str | None = None


@dataclass(frozen=True)
class Version:
    """A deployed definition as migration reads it: its processes' serialized specs and its forms."""

    id: int
    process_id: str
    version: int
    processes: dict[str, dict[str, Any]]  # process id -> serialized process spec (this one and every one it calls)
    forms: dict[str, dict[str, Any]]
    spec_json: str

    @classmethod
    def of(cls, row: Definition) -> Version:
        spec = json.loads(row.spec_json)
        processes = {spec["spec"]["name"]: spec["spec"], **spec["subprocess_specs"]}
        return cls(row.id, row.process_id, row.version, processes, json.loads(row.forms_json), row.spec_json)

    def task_spec(self, process: str, name: str) -> dict[str, Any] | None:
        found: dict[str, Any] | None = self.processes.get(process, {}).get("task_specs", {}).get(name)
        return found


class Versions:
    """Versions read once per operation (a plan for many instances reads each definition once)."""

    def __init__(self, session: Session):
        self.session = session
        self._read: dict[int, Version] = {}

    def get(self, definition_id: int) -> Version:
        if definition_id not in self._read:
            row = self.session.get(Definition, definition_id)
            if row is None:
                raise NotFound(f"There is no process definition {definition_id}.", reason="no_definition")
            self._read[definition_id] = Version.of(row)
        return self._read[definition_id]

    def target(self, process_id: str, to_version: int) -> Version:
        """The deployed ``to_version`` of ``process_id``; :class:`NotFound` if there is none."""
        definition_id = self.session.scalar(select(Definition.id).where(
            Definition.process_id == process_id, Definition.version == to_version))
        if definition_id is None:
            raise NotFound(f"Version {to_version} of process {process_id!r} is not deployed.", reason="no_version", process=process_id, version=to_version)
        return self.get(definition_id)


def running_on_older(session: Session, target: Version) -> list[str]:
    """The running instances of the target's process on a version older than the target, oldest first."""
    return list(session.scalars(
        select(Instance.id).join(Definition, Definition.id == Instance.definition_id)
        .where(Instance.process_id == target.process_id, Instance.status == InstanceStatus.RUNNING,
               Definition.version < target.version).order_by(Instance.started_at, Instance.id)))


def plan(session: Session, definitions: DefinitionCache, versions: Versions, target: Version,
         instance_ids: list[str]) -> list[MigrationCheck]:
    """What would happen to each instance (nothing is changed)."""
    return [check(session, definitions, versions, target, instance_id)[0] for instance_id in instance_ids]


def check(session: Session, definitions: DefinitionCache, versions: Versions, target: Version,
          instance_id: str) -> tuple[MigrationCheck, runtime.Loaded | None]:
    """The verdict on one instance, with the instance as loaded if it may move (None if not)."""
    found = store.instance(session.connection(), instance_id)
    if found is None:
        missing = Why(f"there is no process instance {instance_id}", "no_instance")
        return MigrationCheck(instance_id, None, None, 0, target.version, False, missing, []), None
    row = found[0]
    current = versions.get(row.definition_id)
    reason: str = _refuse_instance(row, current, target)
    loaded, names, names_ru = None, [], []
    if not reason:
        try:
            loaded = runtime.load(session, definitions, instance_id, found)
        except CourseFlowError as error:  # a damaged state: say so, as for any other refusal
            reason = Why(str(error), "failed")
    waiting: list[Waiting] = []
    if loaded is not None:
        reason = unsafe_reason(loaded.workflow, current, target)
        names = open_task_names(loaded.workflow, current if reason else target)
        names_ru = open_task_names(loaded.workflow, current if reason else target, russian=True)
        waiting = waiting_for(loaded.workflow)
    course_name = session.scalar(select(Course.name).where(Course.id == row.course_id)) if row.course_id else None
    return (MigrationCheck(row.id, row.course_id, course_name, current.version, target.version, not reason, reason,
                           names, waiting, names_ru), None if reason else loaded)


def course_of(session: Session, instance_id: str) -> tuple[int | None, str | None]:
    """(course id, course name) of an instance, (None, None) if it has none."""
    found = session.execute(select(Course.id, Course.name).join(Instance, Instance.course_id == Course.id)
                            .where(Instance.id == instance_id)).first()
    return (found[0], found[1]) if found else (None, None)


def waiting_for(workflow: Any) -> list[Waiting]:
    """The timers the workflow waits for, soonest first."""
    found = [Waiting(task.task_spec.bpmn_name or task.task_spec.bpmn_id, timers.due_time(task), _name_ru(task.task_spec))
             for task in timers.waiting_timers(scan(workflow)).values()]
    return sorted(found, key=lambda w: (w.due is None, w.due or dt.datetime.min.replace(tzinfo=dt.UTC), w.name))


def _refuse_instance(row: store.InstanceRow, current: Version, target: Version) -> str:
    """Rule 3: the same process, a newer version, a running instance ('' if all hold)."""
    if row.process_id != target.process_id:
        return Why(f"it is an instance of {row.process_id}, not of {target.process_id}", "other_process",
                   process=row.process_id, target=target.process_id)
    if row.status != InstanceStatus.RUNNING:
        return Why(f"it is {row.status}; only running instances can move to another version", "not_running",
                   status=row.status)
    if current.version >= target.version:
        return Why(f"it runs version {current.version}, which is not older than version {target.version}: "
                   f"instances move only to newer versions", "not_older", version=current.version,
                   target=target.version)
    return ""


def open_task_names(workflow: Any, version: Version, russian: bool = False) -> list[str]:
    """The names people see of the open tasks, as ``version`` gives them (their ``nameRu`` if ``russian``)."""
    names = []
    for task in scan(workflow).ready.values():
        spec = version.task_spec(process_of(task), task.task_spec.name) or {}
        name_ru = _name_ru(spec) if russian else None
        names.append(name_ru or spec.get("bpmn_name") or task.task_spec.bpmn_name or task.task_spec.bpmn_id)
    return names


def unsafe_reason(workflow: Any, current: Version, target: Version) -> str:
    """Why the workflow cannot move from ``current`` to ``target`` (rules 1 and 2); '' if it can."""
    return _missing(workflow, target) or _changed_ahead(workflow, current, target)


def _workflows(workflow: Any) -> list[Any]:
    return [workflow, *workflow.subprocesses.values()]


def _missing(workflow: Any, target: Version) -> str:
    """Rule 1: the first task whose spec the new version lacks ('' if none)."""
    for wf in _workflows(workflow):
        process = wf.spec.name
        if process not in target.processes:
            return Why(f"the called process {process}, which this instance has run, is missing from version "
                       f"{target.version}", "called_missing", process=process, version=target.version)
        for task in wf.tasks.values():
            if target.task_spec(process, task.task_spec.name) is None:
                return Why(f"{_role(task)} {_label_of_task(task, workflow)} is missing from version {target.version}",
                           "element_missing", version=target.version, **_place(_role(task), task.task_spec.bpmn_name,
                           task.task_spec.bpmn_id or task.task_spec.name, process_of(task), workflow.spec.name,
                           _name_ru(task.task_spec)))
    return ""


def _role(task: Any) -> str:
    """How the reason refers to a task the instance has: by where the instance stands with it."""
    if task.has_state(TaskState.FINISHED_MASK):
        return "the passed task" if task.task_spec.manual else "the passed element"
    if task.state == TaskState.READY and task.task_spec.manual:
        return "the open task"
    if task.has_state(TaskState.READY | TaskState.WAITING | TaskState.STARTED):
        return "the current element"
    return _ahead(task.task_spec.manual)


def _ahead(manual: bool) -> str:
    return "the future task" if manual else "the future element"


def _label_of_task(task: Any, workflow: Any) -> str:
    return _label(task.task_spec.bpmn_name, task.task_spec.bpmn_id or task.task_spec.name, process_of(task),
                  workflow.spec.name)


def _place(role: str, name: str | None, ident: str, process: str, top: str, name_ru: str | None = None
           ) -> dict[str, Any]:
    """The values a reason names an element by: where the instance stands with it, its name and id, its process."""
    return {"place": role.removeprefix("the ").replace(" ", "_"), "name": name or "", "ident": ident,
            "process": process if process != top else "", "name_ru": name_ru or ""}


def _name_ru(spec: Any) -> str | None:
    """A task spec's (or its serialized dict's) ``nameRu`` property."""
    extensions = spec.get("extensions", {}) if isinstance(spec, dict) else getattr(spec, "extensions", {})
    found = (extensions or {}).get("properties", {}).get(bpmn.NAME_RU_PROPERTY)
    return str(found) if found else None


def _label(name: str | None, ident: str, process: str, top: str) -> str:
    where = f" of {process}" if process != top else ""
    return (f'"{name}" ({ident})' if name else ident) + where


@dataclass(frozen=True)
class _Stop:
    """A place on the way ahead: a task spec, how the reason names it, and whether what it starts is ahead too."""

    process: str
    name: str
    role: str | None  # None: a place ahead, named by its kind
    enter: bool


def _positions(workflow: Any) -> Iterator[_Stop]:
    for wf in _workflows(workflow):
        for task in wf.tasks.values():
            if task.has_state(TaskState.NOT_FINISHED_MASK):
                yield _Stop(process_of(task), task.task_spec.name, _role(task), task.state != TaskState.STARTED)


def _changed_ahead(workflow: Any, current: Version, target: Version) -> str:
    """Rule 2: the first task spec at or ahead of a position that the new version changes ('' if none)."""
    top, queue, seen, processes = workflow.spec.name, deque(_positions(workflow)), set(), set()
    while queue:
        stop = queue.popleft()
        if (stop.process, stop.name, stop.enter) in seen:
            continue
        seen.add((stop.process, stop.name, stop.enter))
        if stop.process not in processes:
            processes.add(stop.process)
            change = _process_change(stop.process, current, target)
            if change:
                return change
        old = current.task_spec(stop.process, stop.name)
        if old is None:  # the state names a task spec its own version lacks: the state is not of this version
            return Why(f"the element {stop.name} is not in version {current.version}", "not_in_version",
                       ident=stop.name, version=current.version)
        change = _spec_change(old, target.task_spec(stop.process, stop.name), current, target)
        if change:
            ident = old["bpmn_id"] or old["name"]
            role = stop.role or _ahead(old["manual"])
            return Why(f"{role} {_label(old['bpmn_name'], ident, stop.process, top)} {change}",
                       f"element_{getattr(change, 'code', 'changed')}", **getattr(change, "params", {}),
                       **_place(role, old["bpmn_name"], ident, stop.process, top, _name_ru(old)))
        queue.extend(_next_stops(stop, old))
    return ""


def _next_stops(stop: _Stop, spec: dict[str, Any]) -> list[_Stop]:
    """Where the instance can go from ``stop``: outputs, a loop's child, the start of a called process."""
    names = list(spec["outputs"])
    if isinstance(spec.get("task_spec"), str) and (stop.enter or spec["typename"] != PARALLEL_MULTI_INSTANCE):
        names.append(spec["task_spec"])
    stops = [_Stop(stop.process, name, None, True) for name in names]
    if stop.enter and isinstance(spec.get("spec"), str):
        stops.append(_Stop(spec["spec"], "Start", None, True))
    return stops


def _process_change(process: str, current: Version, target: Version) -> str:
    new = target.processes.get(process)
    if new is None:
        return Why(f"the called process {process} is missing from version {target.version}", "called_missing",
                   process=process, version=target.version)
    old, new = _unlabelled(current.processes[process]), _unlabelled(new)
    for key in sorted(set(old) | set(new)):
        if key not in PROCESS_UNCOMPARED and old.get(key) != new.get(key):
            what = CHANGES.get(key, f"its {key.replace('_', ' ')} differs")
            return Why(f"the process {process} is changed in version {target.version}: {what}", "process_changed",
                       process=process, version=target.version, what=key, detail="")
    return ""


def _spec_change(old: dict[str, Any], new: dict[str, Any] | None, current: Version, target: Version) -> str:
    """'is … in version N: what differs' for a task spec that does not behave the same, else ''."""
    if new is None:
        return Why(f"is missing from version {target.version}", "missing", version=target.version)
    mine, theirs = _behaviour(old), _behaviour(new)
    if mine.get("typename") != theirs.get("typename"):
        return Why(f"is changed in version {target.version}: {CHANGES['typename']}", "changed",
                   version=target.version, what="typename", detail="")
    for key in [*mine, *(k for k in theirs if k not in mine)]:
        if mine.get(key) != theirs.get(key):
            what = _what_differs(key, mine, theirs)
            return Why(f"is changed in version {target.version}: {what}", "changed", version=target.version,
                       what=getattr(what, "code", key), detail=getattr(what, "params", {}).get("detail", ""))
    for form in _forms_bound(mine):
        if current.forms.get(form) != target.forms.get(form):
            return Why(f"is changed in version {target.version}: its form ({form}) differs", "changed",
                       version=target.version, what="form_content", detail=form)
    return ""


def _what_differs(key: str, mine: dict[str, Any], theirs: dict[str, Any]) -> str:
    if key != "extensions":
        return CHANGES.get(key, f"its {key.replace('_', ' ')} differs")
    ours, new = mine["extensions"]["properties"], theirs["extensions"]["properties"]
    for name in [*ours, *(n for n in new if n not in ours)]:
        if ours.get(name) != new.get(name):
            return Why("its form differs", "form_binding") if name in (bpmn.FORM_PROPERTY, bpmn.UI_FORM_PROPERTY) \
                else Why(f"its property {name} differs", "property", detail=name)
    return Why("its extensions differ", "extensions")


def _behaviour(spec: dict[str, Any]) -> dict[str, Any]:
    """A serialized task spec without what only people read (see the module docstring)."""
    kept: dict[str, Any] = _unlabelled({key: value for key, value in spec.items() if key not in DESCRIPTIVE})
    if kept.get("typename") == END_JOIN:
        kept.pop("inputs", None)
    extensions = kept.get("extensions")
    if extensions is not None:
        properties = {k: v for k, v in extensions.get("properties", {}).items() if k not in DESCRIPTIVE_PROPERTIES}
        kept["extensions"] = {**{k: v for k, v in extensions.items() if k not in DESCRIPTIVE_EXTENSIONS},
                              "properties": properties}
    event = kept.get("event_definition")
    if isinstance(event, dict) and event.get("typename", "").endswith("TimerEventDefinition"):
        kept["event_definition"] = {k: v for k, v in event.items() if k != "name"}  # a timer's name is its label
    return kept


def _unlabelled(value: Any) -> Any:
    """``value`` without any ``bpmn_name``: a label for people, never what SpiffWorkflow runs on."""
    if isinstance(value, dict):
        return {key: _unlabelled(item) for key, item in value.items() if key != "bpmn_name"}
    if isinstance(value, list):
        return [_unlabelled(item) for item in value]
    return value


def _forms_bound(spec: dict[str, Any]) -> list[str]:
    properties = spec.get("extensions", {}).get("properties", {})
    return [properties[key] for key in (bpmn.FORM_PROPERTY, bpmn.UI_FORM_PROPERTY) if properties.get(key)]


# -- doing it ---------------------------------------------------------------------------------------------


def carried_over(codec: WorkflowCodec, workflow: Any, definition_id: int, spec_json: Callable[[], str]) -> Any:
    """The workflow's state restored against another version's spec: what migrating (and its replay) does."""
    return codec.load_state(definition_id, spec_json, codec.dump_state(workflow))


def migrate(session: Session, definitions: DefinitionCache, process_id: str, to_version: int, instance_id: str,
            actor: Actor) -> MigrationResult:
    """Move one instance to ``to_version`` if it is safe, in the caller's transaction; else change nothing."""
    versions = Versions(session)
    target = versions.target(process_id, to_version)
    checked, loaded = check(session, definitions, versions, target, instance_id)
    if loaded is None:
        return MigrationResult(instance_id, False, checked.reason, checked.course_id, checked.course_name)
    _move(session, definitions, loaded, versions.get(loaded.instance.definition_id), target, actor)
    return MigrationResult(instance_id, True, "", checked.course_id, checked.course_name)


def _move(session: Session, definitions: DefinitionCache, loaded: runtime.Loaded, current: Version,
          target: Version, actor: Actor) -> None:
    """Restore on the new spec, relabel the open tasks, record the event, persist (lock order as runtime's)."""
    try:
        loaded.workflow = carried_over(definitions.codec, loaded.workflow, target.id, lambda: target.spec_json)
    except Exception as error:  # the rules say it loads; should it not, nothing may be half-done
        raise ProcessFailed(f"the instance could not be restored on version {target.version} "
                            f"({type(error).__name__}: {error}); nothing was changed", reason="process_failed") from None
    row = loaded.instance
    row.definition_id = target.id
    open_tasks.relabel(session.connection(), row, scan(loaded.workflow), definitions.parsed(session, target.id).lanes,
                       clock.now())
    event = audit.NewEvent(EventKind.INSTANCE_MIGRATED, instance_id=row.id, definition_id=target.id, actor=actor.login,
                           process_id=row.process_id,
                           data={"from_definition": current.id, "to_definition": target.id,
                                 "from_version": current.version, "to_version": target.version})
    runtime.persist(session, definitions, loaded, [event])
