"""Proof by re-execution: rebuild an instance from its recorded events and compare with what is stored.

Each instance is rebuilt from the definition version it started on, by applying
its recorded events in order with the engine clock set to each event's time;
at an ``instance_migrated`` event the rebuilt state moves to the new version
exactly as the migration moved it (see ``migration``), and the end result is
compared on the version the instance runs on now.
Task ids are random, so an event is matched to a task by (process, bpmn id,
multi-instance key, occurrence). The events the engine derives itself (timers
fired, tasks withdrawn, the instance completing) must come out of the replay
exactly as recorded. The outcome is one of: reproduced; diverged at event N
(with what differed); chain broken at event N.

Works on plain dicts, so an exported dossier can be checked with no database.
"""
from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from types import SimpleNamespace
from typing import Any

from SpiffWorkflow.bpmn.util.event import BpmnEvent
from SpiffWorkflow.util.task import TaskState

from engine.base.clock import FixedClock, parse_instant, use_clock
from engine.base.serialization import WorkflowCodec
from engine.base.vocabulary import DERIVED_EVENTS, DRIVING_EVENTS, EventKind
from engine.definitions import bpmn
from engine.instances import derived
from engine.instances.migration import carried_over
from engine.instances.runtime import apply_form, catching, occurrence
from engine.instances.tree import find_task, multi_instance_key, process_of, scan
from engine.proof import audit, paths

DRIVING, DERIVED = DRIVING_EVENTS, DERIVED_EVENTS
REPRODUCED, DIVERGED, CHAIN_BROKEN = "reproduced", "diverged", "chain broken"


@dataclass(frozen=True)
class Outcome:
    instance_id: str
    status: str
    event: int | None = None
    detail: str = ""
    events: int = 0  # how many events of the instance were checked
    process_id: str = ""

    @property
    def ok(self) -> bool:
        return self.status == REPRODUCED

    def __str__(self) -> str:
        if self.ok:
            return f"{self.instance_id}: reproduced"
        where = f" at event {self.event}" if self.event is not None else " at the end"
        return f"{self.instance_id}: {self.status}{where}: {self.detail}"


class _Diverged(Exception):
    pass


def event_dict(row: Any) -> dict[str, Any]:
    """An event row as the plain dict replay (and a dossier) uses."""
    return {name: getattr(row, name) for name in audit.STORED_FIELDS} | {"at": row.at.isoformat()}


def check_chain(events: list[dict[str, Any]]) -> Outcome | None:
    """The instance's own chain: every event hashes to what it says and links to the one before."""
    previous = None
    for event in events:
        stored = _as_row(event)
        if event.get("instance_prev_hash") != previous:
            return Outcome(event["instance_id"], CHAIN_BROKEN, event["seq"],
                           "it does not link to the instance's event before it (deleted, inserted or reordered)")
        if audit.event_hash(stored) != event["hash"]:
            return Outcome(event["instance_id"], CHAIN_BROKEN, event["seq"],
                           f"its content does not match its hash ({event['kind']} was edited)")
        previous = event["hash"]
    return None


def _as_row(event: dict[str, Any]) -> Any:
    return SimpleNamespace(**{**event, "at": parse_instant(event["at"])})


def reexecute(events: list[dict[str, Any]], spec_json: Callable[[int], str], codec: WorkflowCodec, stored_state: str | None,
              definition_id: int | None = None) -> Outcome:
    """Replay one instance's events (oldest first) and compare with ``stored_state``.

    ``definition_id`` is the version the instance is stored on now: its history must leave it there.
    """
    outcome = _reexecute(events, spec_json, codec, stored_state, definition_id)
    return replace(outcome, events=len(events), process_id=str(events[0].get("process_id") or "") if events else "")


def _reexecute(events: list[dict[str, Any]], spec_json: Callable[[int], str], codec: WorkflowCodec,
               stored_state: str | None, definition_id: int | None) -> Outcome:
    instance_id = events[0]["instance_id"] if events else "?"
    broken = check_chain(events)
    if broken:
        return broken
    replayer = _Replayer(codec, spec_json)
    try:
        workflow = replayer.run(events)
    except _Diverged as error:
        seq, detail = error.args
        return Outcome(instance_id, DIVERGED, seq, detail)
    if definition_id is not None and definition_id != replayer.definition_id:
        return Outcome(instance_id, DIVERGED, None, f"the instance is stored on definition {definition_id}, but its "
                       f"history leaves it on definition {replayer.definition_id}")
    if stored_state is None:
        return Outcome(instance_id, REPRODUCED)
    current = replayer.definition_id
    if current is None:
        return Outcome(instance_id, DIVERGED, None, "the history never started the instance")
    difference = compare(workflow, codec.load_state(current, lambda: spec_json(current), stored_state))
    return Outcome(instance_id, DIVERGED, None, difference) if difference else Outcome(instance_id, REPRODUCED)


@dataclass(frozen=True)
class Step:
    """The process as it stood after one recorded event, rebuilt by replay (for stepping through a history)."""

    seq: int
    at: str
    kind: str
    actor: str | None
    name: str
    open: list[Any]  # (task name, lane, multi-instance key) of the tasks people could do then
    data: dict[str, Any]
    path: object  # paths.Path
    instance_id: str = ""  # the instance the event belongs to (a course runs several)
    process_id: str = ""  # that instance's process
    definition_id: int | None = None  # the version it ran on at this event (it moves at a migration)
    names_ru: dict[str, str] = field(default_factory=dict)  # element name → its ``nameRu``, for the names above


@dataclass
class _Replayer:
    codec: WorkflowCodec
    spec_json: Callable[[int], str]
    on_step: Callable[..., Any] | None = None
    detailed: Callable[[int], bool] = lambda seq: True  # which steps carry the process state (it costs)
    workflow: Any = None  # the SpiffWorkflow BpmnWorkflow being rebuilt
    definition_id: int | None = None  # the version the replayed workflow runs on (changes at a migration)
    expected: list[Any] = field(default_factory=list)  # derived events the replay produced, not yet matched
    names_ru: dict[int | None, dict[str, str]] = field(default_factory=dict)  # per version, its elements' nameRu

    def run(self, events: list[dict[str, Any]]) -> Any:
        if not events or events[0]["kind"] != EventKind.INSTANCE_STARTED:
            raise _Diverged(events[0]["seq"] if events else None, "the history does not begin with instance_started")
        for event in events:
            kind, data = event["kind"], json.loads(event["data_json"])
            if kind in DRIVING:
                self._all_matched(event["seq"])
                self._step(event, data)
            elif kind in DERIVED:
                if not self.expected and kind == EventKind.TIMER_FIRED:
                    self._tick(event)  # a ticker fired timers: replay the refresh at that moment
                self._match(event)
            if self.on_step is not None and self.workflow is not None:
                self.on_step(self._snapshot(event, data))
        self._all_matched(None)
        return self.workflow

    def _step(self, event: dict[str, Any], data: dict[str, Any]) -> None:
        with use_clock(FixedClock(parse_instant(event["at"]))):
            if event["kind"] == EventKind.INSTANCE_STARTED:
                self.definition_id = event["definition_id"]
                self.workflow = self.codec.new_workflow(event["definition_id"],
                                                       lambda: self.spec_json(event["definition_id"]))
                self._run(event["seq"], lambda: [t.data.update(data["data"])
                                                 for t in self.workflow.get_tasks(state=TaskState.READY)])
            elif event["kind"] == EventKind.TASK_COMPLETED:
                task = self._task_for(event, data)
                self._run(event["seq"], lambda: apply_form(task, data["form"], []), completed=task)
            elif event["kind"] == EventKind.INSTANCE_MIGRATED:
                self._migrate(event["seq"], data)
            else:
                waiting = catching(self.workflow, data["message"])
                if not waiting:
                    raise _Diverged(event["seq"], f"the replay is not waiting for the message {data['message']!r}")
                self._run(event["seq"], lambda: self.workflow.send_event(BpmnEvent(waiting[0][1], data["payload"])))

    def _migrate(self, seq: int, data: dict[str, Any]) -> None:
        """Move the replayed state to the new version as the migration did (nothing runs)."""
        if data.get("from_definition") != self.definition_id:
            raise _Diverged(seq, f"the migration is recorded from definition {data.get('from_definition')}, but "
                                 f"the replay runs on definition {self.definition_id}")
        target = data["to_definition"]
        try:
            self.workflow = carried_over(self.codec, self.workflow, target, lambda: self.spec_json(target))
        except Exception as error:
            raise _Diverged(seq, f"the replayed state does not load on definition {target}: "
                                 f"{type(error).__name__}: {error}") from None
        self.definition_id = target

    def _snapshot(self, event: dict[str, Any], data: dict[str, Any]) -> Step:
        if not self.detailed(event["seq"]):
            return Step(event["seq"], event["at"], event["kind"], event.get("actor"), data.get("name") or "", [], {},
                        paths.Path(), event["instance_id"], self.workflow.spec.name, self.definition_id,
                        self._names_ru())
        ready = scan(self.workflow).ready.values()
        shown = data.get("form") or data.get("data") or (next(iter(ready)).data if ready else self.workflow.data)
        return Step(event["seq"], event["at"], event["kind"], event.get("actor"), data.get("name") or "",
                    [(t.task_spec.bpmn_name, t.task_spec.lane, multi_instance_key(t)) for t in ready],
                    json.loads(audit.canonical(shown)), paths.taken(self.workflow), event["instance_id"],
                    self.workflow.spec.name, self.definition_id, self._names_ru())

    def _names_ru(self) -> dict[str, str]:
        """The Russian names of the version replayed now (every step lists its task's name in Russian too)."""
        if self.definition_id not in self.names_ru:
            self.names_ru[self.definition_id] = _names_ru(self.workflow)
        return self.names_ru[self.definition_id]

    def _tick(self, event: dict[str, Any]) -> None:
        with use_clock(FixedClock(parse_instant(event["at"]))):
            self._run(event["seq"], self.workflow.refresh_timers)

    def _run(self, seq: int, step: Any, completed: Any = None) -> None:
        was = derived.before(self.workflow)
        try:
            step()
            self.workflow.do_engine_steps()
        except Exception as error:
            raise _Diverged(seq, f"the process failed in the replay: {type(error).__name__}: {error}") from None
        follows = derived.derive(was, self.workflow, {str(completed.id)} if completed else set())
        for task in follows.timers_fired:
            self.expected.append(_key(EventKind.TIMER_FIRED, task))
        if follows.instance_completed:
            self.expected.append((EventKind.INSTANCE_COMPLETED, None, None, None))
        for task_id in follows.withdrawn:
            self.expected.append(_key(EventKind.TASK_CANCELLED, find_task(self.workflow, task_id)))

    def _task_for(self, event: dict[str, Any], data: dict[str, Any]) -> Any:
        for task in self.workflow.get_tasks(state=TaskState.READY, manual=True):
            if (process_of(task), task.task_spec.bpmn_id, multi_instance_key(task)) == \
                    (event["process_id"], event["bpmn_id"], event["mi_key"]) \
                    and occurrence(self.workflow, task) == data.get("occurrence", 1):
                return task
        raise _Diverged(event["seq"], f"no open task {event['bpmn_id']!r}"
                        f"{' for ' + event['mi_key'] if event['mi_key'] else ''} (occurrence "
                        f"{data.get('occurrence', 1)}) in the replay: the recorded completion cannot have happened")

    def _match(self, event: dict[str, Any]) -> None:
        key = (event["kind"], event["process_id"] if event["kind"] != EventKind.INSTANCE_COMPLETED else None,
               event["bpmn_id"], event["mi_key"])
        if key not in self.expected:
            raise _Diverged(event["seq"], f"recorded {event['kind']} {event['bpmn_id'] or ''} that the replay "
                            f"does not produce")
        self.expected.remove(key)

    def _all_matched(self, seq: int | None) -> None:
        if self.expected:
            kind, _, bpmn_id, key = self.expected[0]
            raise _Diverged(seq, f"the replay produces {kind} {bpmn_id or ''}{' ' + key if key else ''} "
                            f"that the history does not record")


def _key(kind: EventKind, task: Any) -> tuple[Any, ...]:
    """How a derived event is matched: by kind, process, BPMN id and multi-instance key (task ids are random)."""
    return kind, process_of(task), task.task_spec.bpmn_id, multi_instance_key(task)


def compare(replayed: Any, stored: Any) -> str:
    """The first difference between two workflows of the same process, by task keys (not ids); '' if none."""
    mine, theirs = _summary(replayed), _summary(stored)
    for key in sorted(set(mine) | set(theirs), key=str):
        if mine.get(key) != theirs.get(key):
            where = f"{key[0]}/{key[1]}{' ' + key[2] if key[2] else ''}"
            return f"{where}: {_difference(mine.get(key) or [], theirs.get(key) or [])}"
    if _workflow_data(replayed) != _workflow_data(stored):  # a finished process keeps its end data here
        return "the data the process ended with differs"
    return ""


def _workflow_data(workflow: Any) -> list[tuple[str, str]]:
    return sorted((wf.spec.name, audit.canonical(wf.data)) for wf in [workflow, *workflow.subprocesses.values()])


def _difference(mine: list[Any], theirs: list[Any]) -> str:
    states = ([entry[0] for entry in mine], [entry[0] for entry in theirs])
    if states[0] != states[1]:
        return f"task states differ (replay {states[0]}, stored {states[1]})"
    for (_, data, due), (_, stored_data, stored_due) in zip(mine, theirs):
        if due != stored_due:
            return f"timer due differs (replay {due}, stored {stored_due})"
        if data != stored_data:
            a, b = json.loads(data or "{}"), json.loads(stored_data or "{}")
            field = next(k for k in sorted(set(a) | set(b)) if a.get(k) != b.get(k))
            return f"the data differs in {field!r} (replay {a.get(field)!r}, stored {b.get(field)!r})"
    return "differs"


_Summary = dict[tuple[str, str, str | None], list[tuple[str, str, str]]]


def _summary(workflow: Any) -> _Summary:
    """(process, bpmn id, key) -> sorted (state, data, timer due) of every task with a BPMN id.

    Data counts for every task that ran or is waiting to; predicted tasks (not reached yet) carry none.
    """
    summary: _Summary = {}
    for wf in [workflow, *workflow.subprocesses.values()]:
        for task in wf.tasks.values():
            if task.task_spec.bpmn_id is None:
                continue
            live = task.has_state(TaskState.READY | TaskState.WAITING)
            entry = (TaskState.get_name(task.state),
                     audit.canonical(task.data) if task.has_state(TaskState.FINISHED_MASK) or live else "",
                     str(task.internal_data.get("event_value", "")) if live else "")
            summary.setdefault((process_of(task), task.task_spec.bpmn_id, multi_instance_key(task)), []).append(entry)
    return {key: sorted(entries) for key, entries in summary.items()}


def steps(events: list[dict[str, Any]], spec_json: Callable[[int], str], codec: WorkflowCodec,
          detailed: Callable[[int], bool] = lambda seq: True) -> list[Step]:
    """The process after each recorded event (replayed as far as the history allows); only the steps whose
    seq is ``detailed`` carry what was open, the data and the path."""
    taken: list[Step] = []
    try:
        _Replayer(codec, spec_json, taken.append, detailed).run(events)
    except _Diverged:
        pass  # the steps up to the divergence are still worth showing; replay_course says what went wrong
    return taken


def _names_ru(workflow: Any) -> dict[str, str]:
    """The Russian name (``nameRu``) of every named element of the workflow's process and the processes it calls."""
    specs = [workflow.spec, *workflow.subprocess_specs.values()]
    return {ts.bpmn_name: name for spec in specs for ts in spec.task_specs.values()
            if ts.bpmn_name and (name := getattr(ts, "extensions", {}).get("properties", {}).get(bpmn.NAME_RU_PROPERTY))}
