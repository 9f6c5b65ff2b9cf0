"""Deploying BPMN files as versioned process definitions.

Each process is stored as a version keyed by the sha256 of its content (its
BPMN file, the files of the processes it calls, and the forms its tasks
bind). Identical content deploys nothing; changed content becomes version
N+1. Running instances keep the version they started on. A version holds the
specs of the processes it calls, so when a called process changes, its
deployed callers are deployed again with it.
"""
from __future__ import annotations

import collections
import functools
import json
import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, undefer

from engine.base import clock
from engine.base.errors import Problem
from engine.base.models import Definition
from engine.base.serialization import WorkflowCodec
from engine.base.vocabulary import EventKind
from engine.definitions import bpmn
from engine.definitions.checks import SourceFile, check_file
from engine.definitions.compare import Conflict
from engine.definitions.safexml import parse_xml
from engine.proof import audit
from engine.registry.roles import role_for_lane

_PROCESS_TAG = re.compile(rb'<(?:[\w-]+:)?process\b')
_ID_ATTRIBUTE = re.compile(rb'\bid="([^"]+)"')


@dataclass
class DeployReport:
    deployed: list[tuple[str, int]] = field(default_factory=list)   # (process id, new version)
    unchanged: list[tuple[str, int]] = field(default_factory=list)  # (process id, current version)
    problems: list[Problem] = field(default_factory=list)
    # Set when the model was opened at an older version than the newest: nothing was deployed.
    conflict: Conflict | None = None

    @property
    def ok(self) -> bool:
        return not self.problems and self.conflict is None

    def as_dict(self) -> dict[str, Any]:
        return {"deployed": [{"process": p, "version": v} for p, v in self.deployed],
                "unchanged": [{"process": p, "version": v} for p, v in self.unchanged],
                "problems": [vars(p) for p in self.problems],
                "conflict": self.conflict.as_dict() if self.conflict else None}


def _name_ru(tree: Any, process_id: str) -> str | None:
    """The process's name in Russian: its ``nameRu`` property, if it has one."""
    found = [p for p in bpmn.processes(tree) if p.get("id") == process_id]
    name = bpmn.properties(found[0]).get(bpmn.NAME_RU_PROPERTY) if found else None
    return name[:300] if name else None


def read_directory(directory: Path, forms_directory: Path | None = None) -> tuple[list[SourceFile], dict[str, str]]:
    """The ``.bpmn`` files of ``directory`` and the form files they may bind.

    Forms are looked up in ``forms_directory``, else in a ``forms/`` folder
    beside ``directory``, else in ``directory`` itself.
    """
    files = [SourceFile(path.name, path.read_bytes()) for path in sorted(directory.glob("*.bpmn"))]
    candidates = [forms_directory] if forms_directory else [directory.parent / "forms", directory]
    forms: dict[str, str] = {}
    for folder in candidates:
        if folder.is_dir():
            for path in sorted(folder.glob("*.json")):
                forms.setdefault(path.name, path.read_bytes().decode("utf-8", errors="replace"))
    return files, forms


def latest_definition(session: Session, process_id: str) -> Definition | None:
    """The newest deployed version of one process (one index lookup), or None."""
    return session.scalars(select(Definition).where(Definition.process_id == process_id)
                           .order_by(Definition.version.desc()).limit(1)).first()


def latest_definitions(session: Session, *columns: Any, where: Any = None) -> dict[str, Definition]:
    """The newest version of every deployed process, by process id (with the deferred ``columns`` loaded at once;
    only those matching ``where``, if given)."""
    newest = (select(Definition.process_id, func.max(Definition.version).label("version"))
              .group_by(Definition.process_id).subquery())
    query = select(Definition).join(
        newest, (Definition.process_id == newest.c.process_id) & (Definition.version == newest.c.version))
    if where is not None:
        query = query.where(where)
    query = query.order_by(Definition.process_id)  # the same order on every database (reports list them so)
    rows = session.execute(query.options(*(undefer(column) for column in columns))).scalars()
    return {d.process_id: d for d in rows}


def deploy(session: Session, codec: WorkflowCodec, files: list[SourceFile], forms: dict[str, str],
           actor: str | None = None, note: str | None = None) -> DeployReport:
    """Check every file, then store a new version of each changed process of the files without problems.

    The deployed callers (direct or not) of every process that changed are
    offered again in a second round, so that new instances of a caller run
    the new called version; the report lists them with the rest.
    """
    audit.lock_head(session)
    deployment = _Deployment(session, codec, forms, actor, note)
    report = deployment.run(files)
    changed = {process_id for process_id, _ in report.deployed}
    callers = _callers(session, changed, {pid for f in files for pid in _defined_ids(f.content)}) if changed else []
    if callers:  # the same parser: what the first round parsed is not parsed again
        deployment.current = latest_definitions(session)
        deployment.run(callers)
    return report


def source_files(definitions: Any) -> list[SourceFile]:
    """The BPMN files the given definitions were deployed from, once each: to offer them again."""
    files: dict[tuple[str, str], SourceFile] = {}
    for definition in definitions:
        key = (definition.filename, definition.bpmn_xml)
        files.setdefault(key, SourceFile(definition.filename, definition.bpmn_xml.encode()))
    return list(files.values())


def _callers(session: Session, changed: set[str], offered: set[str]) -> list[SourceFile]:
    """The files of the deployed processes that call one of ``changed`` (directly or not) and were not offered.

    A file that itself holds an older copy of a changed process is left out:
    offering it again would deploy that old copy over the new one.
    """
    keys = [Definition.files_json.contains(json.dumps(process_id) + ": ", autoescape=True) for process_id in changed]
    latest = latest_definitions(session, Definition.files_json, Definition.bpmn_xml, where=or_(*keys)).values()
    found = [d for d in latest
             if d.process_id not in offered and not changed.isdisjoint(json.loads(d.files_json))
             and changed.isdisjoint(_defined_ids(d.bpmn_xml.encode()))]
    return source_files(found)


def _defined_ids(content: bytes) -> set[str]:
    """The ids of the processes a BPMN file defines, read without parsing (the file may not parse).

    One pass in time linear in the file: each tag is scanned once, from its
    ``<process`` to its ``>``, and the next search starts after it.
    """
    found, position = set(), 0
    while (start := _PROCESS_TAG.search(content, position)) is not None:
        end = content.find(b">", start.end())
        if end < 0:
            break
        attribute = _ID_ATTRIBUTE.search(content, start.end(), end)
        if attribute:
            found.add(attribute.group(1).decode(errors="replace"))
        position = end + 1
    return found


def _deployed_forms(session: Session) -> dict[str, dict[str, Any]]:
    """The forms the newest deployed versions bind, by file name."""
    forms: dict[str, dict[str, Any]] = {}
    for definition in latest_definitions(session, Definition.forms_json).values():
        forms.update(json.loads(definition.forms_json))
    return forms


class _ParsedSpecs:
    """Specs SpiffWorkflow built, by (process id, the text of the file defining it): a deploy that offers a
    called process again parses its unchanged callers' files no more. Specs are only read once built."""

    def __init__(self, size: int = 64):
        self.size, self.specs = size, collections.OrderedDict[tuple[str, str], Any]()
        self.lock = threading.Lock()

    def get(self, key: tuple[str, str]) -> Any:
        with self.lock:
            found = self.specs.get(key)
            if found is not None:
                self.specs.move_to_end(key)
            return found

    def put(self, key: tuple[str, str], spec: Any) -> None:
        with self.lock:
            self.specs[key] = spec
            self.specs.move_to_end(key)
            while len(self.specs) > self.size:
                self.specs.popitem(last=False)


PARSED = _ParsedSpecs()


class _Deployment:
    def __init__(self, session: Session, codec: WorkflowCodec, forms: dict[str, str], actor: str | None,
                 note: str | None = None):
        self.session, self.codec, self.forms, self.actor, self.note = session, codec, forms, actor, note
        self.current = latest_definitions(session)
        self.parser = SpiffBpmnParser()  # check_file already ran the XSD, reporting every error
        self.sources: dict[str, tuple[str, str]] = {}  # process id -> (file name, xml text)
        self.trees: dict[str, object] = {}  # process id -> the parsed file that defines it
        self.report = DeployReport()
        self.events: list[audit.NewEvent] = []

    @functools.cached_property
    def deployed_forms(self) -> dict[str, dict[str, Any]]:
        """Forms of deployed versions: called processes not offered now keep the forms they were deployed with."""
        return _deployed_forms(self.session)

    def run(self, files: list[SourceFile]) -> DeployReport:
        offered = {pid for f in files for pid in _defined_ids(f.content)}
        owner_of: dict[str, str] = {}
        for source in files:
            check_file(source, self.forms, offered | set(self.current))
            for process_id in source.process_ids:
                if process_id in owner_of:
                    source.add(f"process id \"{process_id}\" is also defined in {owner_of[process_id]}: "
                               f"give one of them another id")
                owner_of.setdefault(process_id, source.name)
        good = [f for f in files if not f.problems]
        for source in good:
            self._add(source.tree, source.name, source.text)
        self._add_deployed_callees(good, offered)
        for source in good:
            for process_id in source.process_ids:
                problem = self._store_if_changed(source, process_id)
                if problem:
                    source.problems.append(problem)
        for source in files:
            self.report.problems.extend(source.problems)
        audit.append(self.session, self.events, clock.now())
        self.events = []
        return self.report

    def _add(self, tree: Any, filename: str, xml: str) -> None:
        try:
            self.parser.add_bpmn_xml(tree, filename=filename)
        except ValidationException:
            return  # the same process id is already added from an offered file
        for process in bpmn.processes(tree):
            self.sources.setdefault(process.get("id"), (filename, xml))
            self.trees.setdefault(process.get("id"), tree)
            known = PARSED.get((process.get("id"), xml))
            process_parser = self.parser.process_parsers.get(process.get("id"))
            if known is not None and process_parser is not None and process_parser.spec is None:
                process_parser.spec = known  # the same text parsed before: SpiffWorkflow's parser skips it

    def _add_deployed_callees(self, good: list[SourceFile], offered: set[str]) -> None:
        """Add the deployed processes the offered files call (directly or not), each parsed once and kept."""
        wanted = {pid for source in good for pid in _called_ids(source.tree)} - offered
        added: set[str] = set()
        while wanted:
            process_id = wanted.pop()
            definition = self.current.get(process_id)
            if definition is None or process_id in added:
                continue  # a call to nothing is check_file's finding
            added.add(process_id)
            tree = _deployed_tree(definition)
            self._add(tree, definition.filename, definition.bpmn_xml)
            wanted |= _called_ids(tree) - offered

    def _store_if_changed(self, source: SourceFile, process_id: str) -> Problem | None:
        try:
            spec = self.parser.get_spec(process_id)
            called = self.parser.get_subprocess_specs(process_id)
        except ValidationException as error:
            return Problem(source.name, f"SpiffWorkflow cannot build process \"{process_id}\": {error}",
                           error.id or process_id, error.line_number or None)
        except Exception as error:  # SpiffWorkflow's parser raises assorted errors on odd but valid XML
            return Problem(source.name, f"SpiffWorkflow cannot build process \"{process_id}\": "
                           f"{type(error).__name__}: {error}", process_id)
        # The BPMN this version depends on, by process id (file names may repeat across folders).
        files = {pid: self.sources[pid][1] for pid in [process_id, *called] if pid in self.sources}
        for pid, parsed in [(process_id, spec), *called.items()]:
            if pid in files and parsed is not None:
                PARSED.put((pid, files[pid]), parsed)
        used_forms, missing = _forms_used([spec, *called.values()], self.forms)
        if missing:  # forms this deploy does not offer are taken as the deployed versions bind them
            used_forms, missing = _forms_used([spec, *called.values()], {**self.deployed_forms, **self.forms})
        if missing:
            return Problem(source.name, f"process \"{process_id}\" (or a process it calls) binds the form(s) "
                           f"{', '.join(sorted(missing))}, found neither in forms/ nor in the deployed versions",
                           process_id)
        sha = audit.sha256(audit.canonical({"files": files, "forms": used_forms}))
        latest = self.current.get(process_id)
        if latest is not None and latest.sha256 == sha:
            self.report.unchanged.append((process_id, latest.version))
            return None
        definition = Definition(
            process_id=process_id, version=latest.version + 1 if latest else 1, name=spec.description or process_id,
            name_ru=_name_ru(self.trees[process_id], process_id),
            sha256=sha, filename=source.name, bpmn_xml=source.text, files_json=json.dumps(files, ensure_ascii=False),
            spec_json=self.codec.dump_spec(spec, called), forms_json=json.dumps(used_forms, ensure_ascii=False),
            lanes_json=audit.canonical(_lane_roles(self.trees[pid] for pid in files)), deployed_at=clock.now(),
            deployed_by=self.actor, note=self.note)
        self.session.add(definition)
        self.session.flush()
        self.report.deployed.append((process_id, definition.version))
        self.events.append(audit.NewEvent(
            EventKind.DEFINITION_DEPLOYED, definition_id=definition.id, actor=self.actor, process_id=process_id,
            data={"version": definition.version, "sha256": sha, "file": source.name,
                  "digest": audit.definition_digest(definition)} | ({"note": self.note} if self.note else {})))
        return None


def _forms_used(specs: Any, forms: Mapping[str, str | dict[str, Any]]) -> tuple[dict[str, dict[str, Any]], set[str]]:
    """The forms the specs bind (parsed), and the names of those that are nowhere to be found."""
    used: dict[str, dict[str, Any]] = {}
    missing: set[str] = set()
    for spec in specs:
        for task_spec in spec.task_specs.values():
            props = getattr(task_spec, "extensions", {}).get("properties", {})
            for key in (bpmn.FORM_PROPERTY, bpmn.UI_FORM_PROPERTY):
                name = props.get(key)
                if not name:
                    continue
                form = forms.get(name)
                if form is None:
                    missing.add(name)
                else:
                    used[name] = form if isinstance(form, dict) else json.loads(form)
    return used, missing


def _lane_roles(trees: Any) -> dict[str, str | None]:
    """{lane name: role key} over every lane of the given parsed files."""
    roles: dict[str, str | None] = {}
    for tree in trees:
        for process in bpmn.processes(tree):
            roles.update({name: role_for_lane(name) for name, _ in bpmn.lane_names(process)})
    return roles


def _called_ids(tree: Any) -> set[str]:
    return {call.get("calledElement") for process in bpmn.processes(tree)
            for call in bpmn.called_elements(process) if call.get("calledElement")}


_DEPLOYED_TREES: dict[str, object] = {}  # deployed BPMN text -> its parsed tree (read only once parsed)


def _deployed_tree(definition: Definition) -> Any:
    tree = _DEPLOYED_TREES.get(definition.bpmn_xml)
    if tree is None:
        if len(_DEPLOYED_TREES) > 256:
            _DEPLOYED_TREES.clear()
        tree = _DEPLOYED_TREES[definition.bpmn_xml] = parse_xml(definition.bpmn_xml.encode())
    return tree
