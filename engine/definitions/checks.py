"""Deploy checks: everything wrong with a BPMN file, reported together.

SpiffWorkflow's parser stops at the first problem, sometimes with a misleading
message and no line number, and finds broken expressions only when they run.
These checks read the XML first and report every problem with its file,
element id, line and what to fix; only files with no problem go on to the
SpiffWorkflow parser (whose own errors are then reported the same way).
"""
from __future__ import annotations

import ast
import functools
import hashlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from lxml import etree
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.spiff.parser.process import VALIDATOR

from engine.announcement.form_values import record_problem
from engine.base.errors import Problem
from engine.definitions import bpmn, scripts
from engine.definitions.form_schema import load_schema
from engine.definitions.safexml import XmlRejected, parse_xml
from engine.instances.choices import choice_problem
from engine.registry.roles import ROLES, role_for_lane

MAX_NAME = 300  # the database columns that keep names
MAX_FILE_NAME = 200  # the form library's name column
_FILE_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*")

# Attributes whose value must be the id of another element in the same file.
_REFERENCE_ATTRIBUTES = ("sourceRef", "targetRef", "attachedToRef", "default", "processRef", "bpmnElement",
                         "messageRef", "signalRef", "errorRef", "escalationRef")
# Elements whose text must be the id of another element in the same file.
_REFERENCE_ELEMENTS = ("flowNodeRef", "incoming", "outgoing")


@dataclass
class SourceFile:
    """A BPMN file offered for deploy; ``tree`` is set once it parses."""

    name: str
    content: bytes
    tree: etree._ElementTree | None = None
    problems: list[Problem] = field(default_factory=list)

    @property
    def text(self) -> str:
        return self.content.decode("utf-8")

    def add(self, message: str, element: Any = None, line: int | None = None, code: str = "", **params: Any) -> None:
        element_id = element.get("id") if element is not None else None
        if line is None and element is not None:
            line = element.sourceline
        self.problems.append(Problem(self.name, message, element_id, line, code, params))

    @property
    def process_ids(self) -> list[str]:
        return [p.get("id") for p in bpmn.processes(self.tree)] if self.tree is not None else []


def check_file(source: SourceFile, forms: dict[str, str], callable_ids: set[str]) -> None:
    """Run every check on ``source``, appending to ``source.problems``.

    ``forms`` maps form file names to their text; ``callable_ids`` holds the
    ids of processes a call activity may name (this batch and deployed ones).
    """
    try:
        _checks(source, forms, callable_ids)
    except (RecursionError, MemoryError, TypeError, ValueError) as error:  # hostile input must not crash deploy
        source.add(f"the file could not be checked ({type(error).__name__}: {error}); simplify or fix it")


def _checks(source: SourceFile, forms: dict[str, str], callable_ids: set[str]) -> None:
    try:
        source.content.decode("utf-8")
    except UnicodeDecodeError as error:
        source.add(f"the file is not UTF-8 (byte {error.start}): save it as UTF-8", code="not_utf8", byte=error.start)
        return
    try:
        source.tree = parse_xml(source.content)
    except XmlRejected as error:
        source.add(str(error), line=error.line)
        return
    _check_xsd(source)
    ids = {el.get("id"): el for el in source.tree.iter() if isinstance(el.tag, str) and el.get("id")}
    _check_references(source, ids)
    if not bpmn.processes(source.tree):
        source.add("the file has no <bpmn:process>: nothing to deploy", code="no_process")
    for process in bpmn.processes(source.tree):
        if not process.get("id"):
            source.add("a process has no id: give it one", process, code="process_no_id")
            continue
        _check_names(source, process)
        _check_lanes(source, process)
        _check_message_lanes(source, process)
        _check_unsupported(source, process)
        _check_forms(source, process, forms)
        _check_expressions(source, process)
        _check_calls(source, process, callable_ids)
        _check_continuations(source, process, callable_ids)


def _check_xsd(source: SourceFile) -> None:
    if source.tree is None:
        return
    VALIDATOR.preprocess(source.tree)
    digest = hashlib.sha256(source.content).digest()
    if digest in _SCHEMA_VALID:  # the same bytes passed before (a caller offered again with a changed callee)
        return
    if VALIDATOR.validator.validate(source.tree):
        if len(_SCHEMA_VALID) >= 256:
            _SCHEMA_VALID.clear()  # bounded; checking a file again costs only time
        _SCHEMA_VALID[digest] = None
        return
    by_line: dict[int, Any] = {}  # the element each error's line starts, so the modeller can mark it
    for element in source.tree.iter():
        if isinstance(element.tag, str) and element.get("id"):
            by_line.setdefault(element.sourceline, element)
    for error in VALIDATOR.validator.error_log:
        message = error.message.replace(f"{{{bpmn.BPMN_NS}}}", "bpmn:")
        source.add(f"does not follow the BPMN 2.0 schema: {message}", by_line.get(error.line), error.line, code="xsd", detail=message)


_SCHEMA_VALID: dict[bytes, None] = {}  # digests of files that followed the BPMN schema when checked


def _check_references(source: SourceFile, ids: dict[str, Any]) -> None:
    """Dangling references; only BPMN's own elements are read (a vendor's ``default`` attribute is no reference)."""
    if source.tree is None:
        return
    for element in source.tree.iter():
        if not isinstance(element.tag, str) or etree.QName(element).namespace not in _BPMN_NAMESPACES:
            continue
        for attribute in _REFERENCE_ATTRIBUTES:
            target = element.get(attribute)
            if target is not None and target not in ids and _unprefixed(target) in ids:
                element.set(attribute, _unprefixed(target))  # SpiffWorkflow matches plain ids only
            elif target is not None and target not in ids:
                source.add(f"{bpmn.local(element)} refers with {attribute}=\"{target}\" to an element that does "
                           f"not exist in this file: point it at an existing element or remove it", element, code="dangling", target=target)
        if bpmn.local(element) in _REFERENCE_ELEMENTS and element.getparent() is not None:
            target = (element.text or "").strip()
            if _unprefixed(target) not in ids:
                owner = element.getparent()
                source.add(f"<{bpmn.local(element)}>{target}</{bpmn.local(element)}> names an element that does "
                           f"not exist in this file: fix or remove the reference", owner, element.sourceline, code="dangling", target=target)


_BPMN_NAMESPACES = {bpmn.BPMN_NS, bpmn.NS["bpmndi"]}


def _unprefixed(reference: str) -> str:
    """A reference written as a QName (``bpmn2:Flow_1``, as some modellers do) names the element ``Flow_1``."""
    prefix, _, name = reference.rpartition(":")
    return name if prefix and _NAME.fullmatch(prefix) else reference


_NAME = re.compile(r"[A-Za-z_][\w.-]*")


def _check_names(source: SourceFile, process: Any) -> None:
    for element in process.iter():
        if isinstance(element.tag, str) and len(element.get("name") or "") > MAX_NAME:
            source.add(f"the name is {len(element.get('name'))} characters; the limit is {MAX_NAME}: shorten it "
                       f"(long explanations belong in the documentation)", element, code="name_too_long", length=len(element.get('name')), limit=MAX_NAME)


def _check_message_lanes(source: SourceFile, process: Any) -> None:
    """Whoever may send a message is the role of the catching element's lane: a lane-less catcher would let anyone."""
    placed = bpmn.lanes(process)
    for element in process.iter(f"{{{bpmn.BPMN_NS}}}messageEventDefinition"):
        catcher = element.getparent()
        if bpmn.local(catcher) not in _THROWING and bpmn.lane_of(catcher, placed) is None:
            source.add("this event waits for a message but is in no lane: put it in the lane of the role that "
                       "may send the message", catcher, code="catcher_no_lane")
    for task in process.iter(f"{{{bpmn.BPMN_NS}}}receiveTask"):
        if bpmn.lane_of(task, placed) is None:
            source.add(f"receive task \"{task.get('name') or task.get('id')}\" waits for a message but is in no "
                       f"lane, so nobody could ever send it: put it in the lane of the role that sends it", task, code="catcher_no_lane")


_THROWING = ("intermediateThrowEvent", "endEvent")


def _check_unsupported(source: SourceFile, process: Any) -> None:
    """Constructs that would deploy but silently do nothing, or fail with SpiffWorkflow's words."""
    for store in process.iter(f"{{{bpmn.BPMN_NS}}}dataStoreReference"):
        source.add("data stores are not supported: CourseFlow keeps a process's data with the process itself; "
                   "remove the data store (or replace it by a data object)", store, code="data_store")
    if process.get("isExecutable") == "false":
        source.add(f"process \"{process.get('name') or process.get('id')}\" is marked not executable "
                   f"(isExecutable=\"false\"): tick \"Executable\" in your modeller to run it here", process, code="not_executable")
    for reference in process.iter(f"{{{bpmn.BPMN_NS}}}eventDefinitionRef"):
        source.add("this event names its event definition by reference (eventDefinitionRef), which CourseFlow "
                   "cannot run: put a message, timer or signal definition inside the event itself",
                   reference.getparent(), reference.sourceline, code="event_definition_ref")
    for task in process.iter(f"{{{bpmn.BPMN_NS}}}serviceTask"):
        if task.find("bpmn:extensionElements/spiffworkflow:serviceTaskOperator", bpmn.NS) is None:
            source.add(f"service task \"{task.get('name') or task.get('id')}\" calls no service CourseFlow knows: "
                       f"use a script task for a computation or a user task for a person's work", task, code="service_task")


def _check_lanes(source: SourceFile, process: Any) -> None:
    for lane in process.iter(f"{{{bpmn.BPMN_NS}}}lane"):
        if not lane.get("name"):
            source.add("the lane has no name: name it with a role key", lane, code="lane_unnamed")
    for name, lane in bpmn.lane_names(process):
        if lane.get("name") and role_for_lane(name) is None:
            source.add(f"lane \"{name}\" is not a role: name it with a role key ({', '.join(ROLES)})", lane, code="lane_not_role", name=name)
    placed = bpmn.lanes(process)
    for task in bpmn.human_tasks(process):
        if bpmn.lane_of(task, placed) is None:
            source.add(f"{_kind(task)} \"{task.get('name') or task.get('id')}\" is in no lane: "
                       f"put it in the lane of the role that does it", task, code="task_no_lane", kind=bpmn.local(task))


def _kind(task: Any) -> str:
    """What a modeller calls the element: a plain ``bpmn:task`` is a "task" (run here as a person's task)."""
    return {"userTask": "user task", "manualTask": "manual task"}.get(bpmn.local(task), "task (run as a person's task)")


def _check_forms(source: SourceFile, process: Any, forms: dict[str, str]) -> None:
    for task in bpmn.human_tasks(process):
        props = bpmn.properties(task)
        form = props.get(bpmn.FORM_PROPERTY)
        if not form:
            source.add(f"{_kind(task)} \"{task.get('name') or task.get('id')}\" has no form: set the "
                       f"{bpmn.FORM_PROPERTY} property to a file of forms/", task, code="task_no_form", kind=bpmn.local(task), property=bpmn.FORM_PROPERTY)
            continue
        _check_form_file(source, task, form, forms, schema=True)
        if props.get(bpmn.UI_FORM_PROPERTY):
            _check_form_file(source, task, props[bpmn.UI_FORM_PROPERTY], forms, schema=False)
    for start in bpmn.start_events_with_forms(process):
        _check_form_file(source, start, bpmn.properties(start)[bpmn.FORM_PROPERTY], forms, schema=True)


def _check_form_file(source: SourceFile, task: Any, name: str, forms: dict[str, str], schema: bool) -> None:
    if name not in forms:
        source.add(f"the form file \"{name}\" does not exist in forms/: create it or bind an existing form", task, code="form_missing", name=name)
        return
    problem = form_problem(forms[name]) if schema else _json_problem(forms[name])
    if problem:
        source.add(f"the form file \"{name}\" is unusable: {problem}", task, code="form_unusable", name=name, detail=problem)


@functools.lru_cache(maxsize=64)  # a library holds a few dozen forms
def form_problem(text: str) -> str | None:
    """Why a form file's text is not a usable form, or None: one rule for deploy and the form editor.

    Cached by text: checking a schema against the 2020-12 metaschema is most of a deploy's time,
    and every deploy checks the same library forms again.
    """
    try:
        schema = load_schema(text)
        return choice_problem(schema) or record_problem(schema)
    except ValueError as error:
        return str(error)
    except RecursionError:
        return "nested too deeply to read"


def _json_problem(text: str) -> str | None:
    try:
        json.loads(text)
    except ValueError as error:
        return str(error)
    return None


def file_name_problem(name: str, suffix: str) -> str | None:
    """Why ``name`` is not a plain file name ending in ``suffix`` (it is stored and shown, never a path)."""
    if not _FILE_NAME.fullmatch(name) or not name.endswith(suffix) or len(name) > MAX_FILE_NAME:
        return (f"the file name {name!r} is not allowed: use letters, digits, '_', '-' and '.', end it in "
                f"{suffix} and keep it under {MAX_FILE_NAME} characters")
    return None


def _expressions(process: Any) -> Iterator[tuple[Any, str, str, str, int | None]]:
    """Yield (element, text, mode, what) for every piece of Python in the process."""
    for element in process.iter():
        if not isinstance(element.tag, str):
            continue
        kind = bpmn.local(element)
        text = (element.text or "").strip()
        if kind in ("conditionExpression", "completionCondition", "loopCardinality", "loopCondition") and text:
            yield element.getparent(), text, "eval", kind, element.sourceline
        elif kind == "script" and text:
            yield element.getparent(), text, "exec", "script", element.sourceline
        elif kind in ("preScript", "postScript") and text:
            yield element.getparent().getparent(), text, "exec", kind, element.sourceline
        elif kind in ("timeDuration", "timeDate", "timeCycle"):
            yield _event_of(element), text, "eval", kind, element.sourceline
        elif kind == "extensionElements":
            owner = element.getparent()
            for name in (bpmn.ASSIGNEE_PROPERTY, bpmn.SCOPE_PROPERTY, bpmn.STATUS_PROPERTY):
                value = bpmn.properties(owner).get(name)
                if value:
                    yield owner, value, "eval", f"{name} property", element.sourceline


def _event_of(timer_element: Any) -> Any:
    node = timer_element
    while node is not None and not node.get("id"):
        node = node.getparent()
    return node


def _check_expressions(source: SourceFile, process: Any) -> None:
    for element, text, mode, what, line in _expressions(process):
        if not text:
            source.add(f"the {what} is empty: give a quoted ISO 8601 value such as \"P3D\"", element, line, code="timer_empty", what=what)
            continue
        if what in ("timeDuration", "timeDate", "timeCycle") and _UNQUOTED_ISO.match(text):
            source.add(f"the {what} {text} is an ISO 8601 value written without quotes; timer values are "
                       f"expressions here: quote it, e.g. \"{text}\"", element, line, code="timer_unquoted", what=what, text=text)
            continue
        try:
            scripts.check(text, mode)
        except scripts.ScriptRuleError as error:
            offset = (error.line - 1) if error.line else 0
            hint = _FOREIGN_HINT if text.startswith(("${", "#{", "=")) else ""
            source.add(f"the {what} {text!r} is refused: {error}{hint}", element, (line or 0) + offset or None, code="expression_refused", what=what, detail=str(error))
            continue
        if what in ("timeDuration", "timeDate", "timeCycle"):
            _check_timer_literal(source, element, text, what, line)


_FOREIGN_HINT = (" — this looks like a JUEL/FEEL expression (Camunda, Flowable); CourseFlow's expressions are "
                 "Python over the form fields: write e.g. approved == True")
_UNQUOTED_ISO = re.compile(r"(R\d*/)?(P[\dTYMWDHS.,]+|\d{4}-\d{2}(-\d{2})?(T[\d:.]+)?(Z|[+-]\d{2}:?\d{2})?)$")


def _check_timer_literal(source: SourceFile, element: Any, text: str, what: str, line: int | None) -> None:
    """A constant timer expression must be a valid ISO 8601 duration/date/cycle."""
    expression = ast.parse(text, mode="eval").body
    if isinstance(expression, ast.Name) and expression.id[:1] in ("P", "R"):
        source.add(f"the {what} {text} is read as a variable name: quote it, e.g. \"{text}\"", element, line, code="timer_unquoted", what=what, text=text)
        return
    try:
        value = ast.literal_eval(expression)
    except (ValueError, TypeError):
        return  # computed at run time from process data
    if not isinstance(value, str):
        source.add(f"the {what} {text!r} must be a string: write it in quotes, e.g. \"P3D\"", element, line, code="timer_unquoted", what=what, text=text)
        return
    parse = {
        "timeDuration": TimerEventDefinition.parse_iso_duration,
        "timeDate": TimerEventDefinition.get_datetime,
        "timeCycle": TimerEventDefinition.parse_iso_recurring_interval,
    }[what]
    try:
        parse(value)
    except Exception:  # SpiffWorkflow raises bare Exception/ValueError/AttributeError here
        example = {"timeDuration": "P3D", "timeDate": "2027-01-31T09:00:00+00:00", "timeCycle": "R3/P1M"}[what]
        source.add(f"the {what} {value!r} is not ISO 8601: use e.g. \"{example}\"", element, line, code="timer_not_iso", what=what, example=example)


def _check_calls(source: SourceFile, process: Any, callable_ids: set[str]) -> None:
    for call in bpmn.called_elements(process):
        called = call.get("calledElement")
        if not called:
            source.add("call activity has no calledElement: name the process it calls", call, code="call_no_element")
        elif _global_task(source, called) is not None:
            source.add(f"call activity calls the global task \"{called}\", which CourseFlow cannot run: model the "
                       f"task inside the process (a user task in the lane of its role)", call, code="call_global_task", called=called)
        elif called not in callable_ids:
            source.add(f"call activity calls process \"{called}\", which is neither in this deploy nor deployed "
                       f"before: deploy its file too or fix the id", call, code="call_unknown", called=called)


def _check_continuations(source: SourceFile, process: Any, callable_ids: set[str]) -> None:
    """``continueWith`` (13.1) sits on end events only and names a process of this deploy or a deployed one."""
    for element in process.iter():
        named = bpmn.properties(element).get(bpmn.CONTINUE_PROPERTY) if isinstance(element.tag, str) else None
        if named is None:
            continue
        if bpmn.local(element) != "endEvent":
            source.add(f"\"{bpmn.CONTINUE_PROPERTY}\" is set on a {bpmn.local(element)}: only an end event can "
                       f"say which process continues after it", element)
        elif named.strip() not in callable_ids:
            source.add(f"the end event continues with process \"{named}\", which is neither in this deploy nor "
                       f"deployed before: deploy its file too or fix the id", element)


def _global_task(source: SourceFile, element_id: str) -> Any:
    if source.tree is None:
        return None
    for element in source.tree.getroot():
        if isinstance(element.tag, str) and bpmn.local(element).startswith("global") and element.get("id") == element_id:
            return element
    return None
