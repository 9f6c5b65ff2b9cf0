"""Comparing deployed versions: what changed from one version of a process to the next.

A version keeps the BPMN of its process and of every process it calls
(``files_json``). Two versions are compared element by element, by id, over
those processes: an element changed when what it does or says changed — its
attributes, documentation, condition, timer, script, CourseFlow properties or
flow references; a lane changed when the elements it holds did. Only the
process model is read, so whitespace and attribute order never count.
"""
from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from dataclasses import dataclass, field, replace
from typing import Any

from lxml import etree
from sqlalchemy import func, select, tuple_
from sqlalchemy.orm import Session, undefer

from engine.base.errors import NotFound
from engine.base.models import Definition, Instance
from engine.base.vocabulary import InstanceStatus
from engine.definitions import bpmn
from engine.definitions.safexml import parse_xml


@dataclass(frozen=True)
class Change:
    kind: str          # "added" | "removed" | "changed"
    process_id: str    # the process (this one or a called one) the element is in
    element_id: str
    element_type: str  # BPMN local name: "userTask", "sequenceFlow", "lane", ...
    name: str          # the element's name (the new one if changed), '' if none
    detail: str        # for "changed": what changed, e.g. 'name "A" → "B"; form a.json → b.json'
    parts: tuple[Part, ...] = field(default=(), compare=False)  # the detail as (kind of change, its values), for saying it in other languages


Part = tuple[str, dict[str, str]]


@dataclass(frozen=True)
class VersionView:
    definition_id: int
    process_id: str
    version: int
    name: str
    deployed_at: dt.datetime
    deployed_by: str | None
    sha256: str
    running: int                # instances on this version, status running
    finished: int               # completed or cancelled
    changes: list[Change]       # against the previous version of the same process (empty for version 1)
    form_changes: list[str]     # e.g. 'appendix1_initial.json changed', 'refinement.json added'
    filename: str = ""          # the BPMN file it was deployed from
    note: str | None = None     # the process owner's change note
    inside: int = 0             # running instances in this process now, on any version, started or called
    name_ru: str | None = None  # the process's name in Russian (its ``nameRu`` property)


@dataclass(frozen=True)
class Conflict:
    """A model opened at ``base_version`` while ``newest_version`` was deployed since: what deploying it would
    change against the newest (reverting the versions between shows up here)."""
    process_id: str
    base_version: int
    newest_version: int
    deployed_at: dt.datetime
    deployed_by: str | None
    note: str | None
    changes: list[Change]

    def as_dict(self) -> dict[str, Any]:
        return {"process": self.process_id, "base_version": self.base_version,
                "newest_version": self.newest_version, "deployed_at": self.deployed_at.isoformat(),
                "deployed_by": self.deployed_by, "note": self.note, "changes": [vars(c) for c in self.changes]}


# -- reading versions ------------------------------------------------------------------------

def newest(session: Session) -> list[VersionView]:
    """The newest version of every deployed process, ordered by process id."""
    latest = (select(Definition.process_id, func.max(Definition.version).label("version"))
              .group_by(Definition.process_id).subquery())
    rows = list(session.scalars(_with_content(select(Definition).join(
        latest, (Definition.process_id == latest.c.process_id) & (Definition.version == latest.c.version)))
        .order_by(Definition.process_id)))
    wanted = [(d.process_id, d.version - 1) for d in rows if d.version > 1]
    previous = list(session.scalars(_with_content(select(Definition).where(
        tuple_(Definition.process_id, Definition.version).in_(wanted))))) if wanted else []
    inside = running_inside(session)
    return [replace(view, inside=inside.get(view.process_id, 0)) for view in _views(session, rows, previous)]


def running_inside(session: Session) -> dict[str, int]:
    """{process id: running instances now in it}: its own instances, and those in a call to it not yet finished
    (the course_creation of a course in agreeing is also in course_agreeing and once per CSB in csb_agreeing)."""
    counts: Counter[str] = Counter()
    rows = session.execute(select(Instance.process_id, Instance.state_json)
                           .where(Instance.status == InstanceStatus.RUNNING).execution_options(yield_per=200))
    for process_id, state_json in rows:
        calls = json.loads(state_json).get("subprocesses", {}).values()
        counts.update({process_id} | {call.get("spec") for call in calls if not call.get("completed")} - {None})
    return dict(counts)


def history(session: Session, process_id: str) -> list[VersionView]:
    """Every version of ``process_id``, newest first."""
    rows = list(session.scalars(_with_content(select(Definition).where(Definition.process_id == process_id))
                                .order_by(Definition.version.desc())))
    if not rows:
        raise NotFound(f"No process {process_id!r} is deployed.", reason="not_deployed", process=process_id)
    return _views(session, rows, rows)


def bpmn_xml(session: Session, process_id: str, version: int) -> str:
    """The BPMN file of one version, as deployed."""
    found = session.scalar(select(Definition.bpmn_xml).where(Definition.process_id == process_id,
                                                             Definition.version == version))
    if found is None:
        raise NotFound(f"Process {process_id!r} has no version {version}.", reason="no_version", process=process_id, version=version)
    return found


def conflict(session: Session, content: bytes, base_version: int) -> Conflict | None:
    """Whether a process the file defines has a version newer than ``base_version`` (the one the owner opened).

    Then, unless the file is exactly the newest's, it is compared with the newest version (its called processes
    as the newest holds them); the changes are empty when only the layout or the collaboration differs.
    A file that does not parse has no conflict: deploy reports its problems.
    """
    try:
        defined = [p.get("id") for p in bpmn.processes(parse_xml(content))]
    except Exception:  # malformed or hostile XML: the deploy checks name the problem
        return None
    for process_id in defined:
        newest = session.scalar(_with_content(select(Definition).where(Definition.process_id == process_id))
                                .order_by(Definition.version.desc()).limit(1))
        text = content.decode(errors="replace")
        if newest is None or newest.version <= base_version or newest.bpmn_xml == text:
            continue
        files = json.loads(newest.files_json)
        offered = {pid: text for pid in defined} | {k: v for k, v in files.items() if k not in defined}
        return Conflict(process_id, base_version, newest.version, newest.deployed_at, newest.deployed_by,
                        newest.note, compare(_model(files), _model(offered), process_id))
    return None


def _with_content(query: Any) -> Any:
    return query.options(undefer(Definition.files_json), undefer(Definition.forms_json))


def _views(session: Session, rows: list[Definition], previous: list[Definition]) -> list[VersionView]:
    """Views of ``rows``, each compared with its predecessor (found among ``previous``)."""
    before = {(d.process_id, d.version): d for d in previous}
    counts = instance_counts(session, [d.id for d in rows])
    models: dict[int, _Model] = {}

    def model(definition: Definition) -> _Model:
        if definition.id not in models:
            models[definition.id] = _model(json.loads(definition.files_json))
        return models[definition.id]

    views = []
    for d in rows:
        old = before.get((d.process_id, d.version - 1))
        changes = compare(model(old), model(d), d.process_id) if old is not None else []
        forms = form_changes(json.loads(old.forms_json), json.loads(d.forms_json)) if old is not None else []
        running, finished = counts.get(d.id, (0, 0))
        views.append(VersionView(d.id, d.process_id, d.version, d.name, d.deployed_at, d.deployed_by, d.sha256,
                                 running, finished, changes, forms, d.filename, d.note, name_ru=d.name_ru))
    return views


def instance_counts(session: Session, definition_ids: list[int]) -> dict[int, tuple[int, int]]:
    """{definition id: (running, finished)} in one grouped query."""
    counts: dict[int, tuple[int, int]] = {}
    rows = session.execute(select(Instance.definition_id, Instance.status, func.count())
                           .where(Instance.definition_id.in_(definition_ids))
                           .group_by(Instance.definition_id, Instance.status))
    for definition_id, status, count in rows:
        running, finished = counts.get(definition_id, (0, 0))
        if status == InstanceStatus.RUNNING:
            running += count
        elif status in (InstanceStatus.COMPLETED, InstanceStatus.CANCELLED):
            finished += count
        counts[definition_id] = (running, finished)
    return counts


def form_changes(old: dict[str, dict[str, Any]], new: dict[str, dict[str, Any]]) -> list[str]:
    """'NAME added' / 'NAME removed' / 'NAME changed' for the forms two versions bind."""
    found = []
    for name in sorted(old.keys() | new.keys()):
        if name not in old:
            found.append(f"{name} added")
        elif name not in new:
            found.append(f"{name} removed")
        elif old[name] != new[name]:
            found.append(f"{name} changed")
    return found


# -- comparing models --------------------------------------------------------------------------

@dataclass(frozen=True)
class _Element:
    type: str
    name: str
    aspects: dict[str, str | frozenset[str]]


_Model = dict[str, dict[str, _Element]]  # process id -> element id -> element, in document order

_CONTAINERS = {"process", "subProcess", "transaction", "adHocSubProcess"}
# Children of a process or subprocess that belong to it rather than being elements of their own.
_PARTS = {"documentation", "extensionElements", "laneSet", "ioSpecification", "ioBinding", "auditing",
          "monitoring", "property", "multiInstanceLoopCharacteristics", "standardLoopCharacteristics",
          "incoming", "outgoing"}
_REFERENCE_LISTS = {"incoming": "incoming", "outgoing": "outgoing", "flowNodeRef": "flow nodes"}
_TEXTS = {"documentation": "documentation", "conditionExpression": "condition", "script": "script",
          "preScript": "pre-script", "postScript": "post-script"}
_TIMERS = {"timeDuration": "timer duration", "timeDate": "timer date", "timeCycle": "timer cycle"}
_PROPERTIES = {bpmn.FORM_PROPERTY: "form", bpmn.UI_FORM_PROPERTY: "UI form"}


def compare(old: _Model, new: _Model, process_id: str) -> list[Change]:
    """Changes from ``old`` to ``new``: this process first, then the processes it calls by id."""
    changes: list[Change] = []
    for pid in [process_id, *sorted((old.keys() | new.keys()) - {process_id})]:
        if pid not in old or pid not in new:
            kind, elements = ("added", new[pid]) if pid in new else ("removed", old[pid])
            changes.append(Change(kind, pid, pid, "process", elements[pid].name, ""))
        else:
            changes.extend(_compare_process(pid, old[pid], new[pid]))
    return changes


def _compare_process(pid: str, old: dict[str, _Element], new: dict[str, _Element]) -> list[Change]:
    changes = []
    for element_id, element in new.items():
        before = old.get(element_id)
        if before is None:
            changes.append(Change("added", pid, element_id, element.type, element.name, ""))
        elif before != element:
            parts = _parts(before, element)
            changes.append(Change("changed", pid, element_id, element.type, element.name,
                                  "; ".join(_said(part) for part in parts), tuple(parts)))
    changes.extend(Change("removed", pid, element_id, element.type, element.name, "")
                   for element_id, element in old.items() if element_id not in new)
    return changes


def _model(files: dict[str, str]) -> _Model:
    """Every process of a version's files, as its elements by id."""
    found: _Model = {}
    for xml in dict.fromkeys(files.values()):  # a file holding several processes is read once
        for process in bpmn.processes(parse_xml(xml.encode())):
            found.setdefault(process.get("id"), _elements(process))
    return found


def _elements(process: Any) -> dict[str, _Element]:
    """The process itself, its flow elements and artifacts (inside subprocesses too) and its lanes."""
    found: dict[str, _Element] = {}

    def visit(element: Any) -> None:
        found[element.get("id")] = _element(element)
        for child in _tags(element):
            kind = bpmn.local(child)
            if kind == "laneSet":
                for lane in child.iter(f"{{{bpmn.BPMN_NS}}}lane"):
                    if lane.get("id"):
                        found[lane.get("id")] = _element(lane)
            elif kind in _CONTAINERS and child.get("id"):
                visit(child)
            elif kind not in _PARTS and child.get("id"):
                found[child.get("id")] = _element(child)

    visit(process)
    return found


def _element(element: Any) -> _Element:
    aspects: dict[str, str | frozenset[str]] = {f"@{etree.QName(key).localname}": value
                                                for key, value in element.attrib.items() if key != "id"}
    lists: dict[str, set[str]] = {}
    for child in _own_children(element):
        kind = bpmn.local(child)
        if kind in _REFERENCE_LISTS:
            lists.setdefault(kind, set()).add((child.text or "").strip())
        else:
            _read(child, kind, aspects)
    aspects.update((kind, frozenset(refs)) for kind, refs in lists.items())
    return _Element(bpmn.local(element), element.get("name") or "", aspects)


def _own_children(element: Any) -> Any:
    """What an element says about itself: not the elements it contains (they are compared on their own)."""
    kind = bpmn.local(element)
    children = _tags(element)
    if kind in _CONTAINERS:
        return [c for c in children if bpmn.local(c) in _PARTS and bpmn.local(c) != "laneSet"]
    if kind == "lane":
        return [c for c in children if bpmn.local(c) != "childLaneSet"]
    return children


def _read(child: Any, kind: str, aspects: dict[str, Any]) -> None:
    """Put one child's content into ``aspects``: the parts a person reads by name, the rest as a whole."""
    if kind in _TEXTS:
        aspects[kind] = (aspects.get(kind, "") + "\n" + _text(child)).strip()
    elif kind in ("extensionElements", "timerEventDefinition"):
        for part in _tags(child):
            _read(part, bpmn.local(part), aspects)
    elif kind in _TIMERS:
        aspects[kind] = (child.text or "").strip()
    elif kind == "properties" and child.tag == f"{{{bpmn.SPIFF_NS}}}properties":
        for prop in _tags(child):
            aspects[f"property:{prop.get('name')}"] = prop.get("value", "")
    else:
        aspects[f"+{kind}"] = aspects.get(f"+{kind}", "") + _canonical(child)


def _canonical(element: Any) -> str:
    """An element's content with attribute order, whitespace and generated ids left out."""
    attributes = sorted((key, value) for key, value in element.attrib.items() if key != "id")
    children = [_canonical(child) for child in _tags(element)]
    return repr((element.tag, attributes, (element.text or "").strip(), children))


def _text(element: Any) -> str:
    """An element's text as it matters: prose by its words; Python as it runs (indentation counts)."""
    text = element.text or ""
    if bpmn.local(element) == "documentation":
        return " ".join(text.split())
    lines = [line.rstrip() for line in text.splitlines()]
    return "\n".join(lines).strip("\n")


def _tags(element: Any) -> list[Any]:
    return [child for child in element if isinstance(child.tag, str)]


# -- describing a change -------------------------------------------------------------------------

def _parts(old: _Element, new: _Element) -> list[Part]:
    """What changed: the type, then each aspect that differs, as (kind, values)."""
    parts: list[Part] = [("type", {"before": old.type, "after": new.type})] if old.type != new.type else []
    for key in _ordered(old.aspects.keys() | new.aspects.keys()):
        before, after = old.aspects.get(key), new.aspects.get(key)
        if before != after:
            parts.append(_describe(key, before, after))
    return parts


def _ordered(keys: Any) -> list[str]:
    """Name first, then attributes, properties, texts and timers, references, the rest."""
    def rank(key: str) -> int:
        checks = (key == "@name", key.startswith("@"), key.startswith("property:"), key in _TEXTS or key in _TIMERS,
                  key in _REFERENCE_LISTS)
        return next((i for i, hit in enumerate(checks) if hit), len(checks))
    return sorted(keys, key=lambda key: (rank(key), key))


def _describe(key: str, before: Any, after: Any) -> Part:
    if key in _REFERENCE_LISTS:
        was, now = before or frozenset(), after or frozenset()
        return "refs", {"what": _REFERENCE_LISTS[key], "added": ", ".join(sorted(now - was)),
                        "removed": ", ".join(sorted(was - now))}
    if key in _TEXTS:
        return "text", {"what": _TEXTS[key], "how": _how(before, after)}
    if key in _TIMERS:
        return "value", {"what": _TIMERS[key], "before": before or "", "after": after or ""}
    if key.startswith("property:") and key[9:] in _PROPERTIES:
        return "value", {"what": _PROPERTIES[key[9:]], "before": before or "", "after": after or ""}
    if key.startswith(("@", "property:")):
        label = key[1:] if key.startswith("@") else key[9:]
        return "attribute", {"what": label, "before": "" if before is None else str(before),
                             "after": "" if after is None else str(after)}
    return "text", {"what": key[1:], "how": _how(before, after)}


def _said(part: Part) -> str:
    """One part of a change in English: 'name "A" → "B"', 'form a.json → b.json', 'condition changed'."""
    kind, values = part
    what, before, after = values.get("what", ""), values.get("before", ""), values.get("after", "")
    if kind == "type":
        return f"type {before} → {after}"
    if kind == "refs":
        return f"{what}: " + ", ".join([f"{ref} added" for ref in values["added"].split(", ") if ref]
                                       + [f"{ref} removed" for ref in values["removed"].split(", ") if ref])
    if kind == "text":
        return f"{what} {values['how']}"
    if kind == "value":
        return f"{what} {before or 'none'} → {after or 'none'}"
    return f"{what} {_quoted(before or None)} → {_quoted(after or None)}"


def _how(before: Any, after: Any) -> str:
    return "added" if before is None else "removed" if after is None else "changed"


def _quoted(value: Any) -> str:
    return "none" if value is None else f'"{value}"'
