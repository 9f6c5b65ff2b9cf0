"""A process's diagram as its BPMN DI lays it out, with the path an instance took marked.

Plain geometry for a front end to draw: shapes where the modeller put them,
each with its kind, name and state (done, open, or neither), and edges with
their waypoints and whether the instance followed them.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from engine.definitions import bpmn
from engine.definitions.safexml import parse_xml
from engine.proof.paths import Path


@dataclass(frozen=True)
class Shape:
    kind: str  # the BPMN element's local name: userTask, lane, exclusiveGateway, …
    id: str
    name: str
    x: float
    y: float
    width: float
    height: float
    state: str  # "done", "open" or ""
    name_ru: str = ""  # the element's Russian name (its nameRu property), if it has one
    label: tuple[float, float, float, float] | None = None  # where the modeller put an outside label (x, y, w, h)


@dataclass(frozen=True)
class Edge:
    points: tuple[tuple[float, float], ...]
    taken: bool


@dataclass(frozen=True)
class Diagram:
    process_id: str
    shapes: tuple[Shape, ...]
    edges: tuple[Edge, ...]
    width: float
    height: float
    key: str | None = None  # the CSB (multi-instance key) a per-CSB call's diagram is drawn for
    xml: str = ""  # the version's BPMN, for a viewer that draws it itself (bpmn-js)
    done: tuple[str, ...] = ()  # element ids completed
    open: tuple[str, ...] = ()  # element ids open now
    taken: tuple[str, ...] = ()  # sequence-flow ids followed


def drawings(files: dict[str, str], main_process: str, path: Path) -> list[Diagram]:
    """The main process, then each process it called that the path reached (sorted); a process called once
    per key (each CSB's agreeing, 7.3) is drawn once per key, with that call's own path."""
    ran = [main_process, *sorted((set(path.done) | set(path.open)) - {main_process})]
    found: list[Diagram] = []
    for process_id in (p for p in ran if p in files):
        keys = sorted(key for process, key in path.calls if process == process_id)
        if keys:
            found += [replace(layout(files[process_id], process_id, path.calls[(process_id, key)]), key=key)
                      for key in keys]
        else:
            found.append(layout(files[process_id], process_id, path))
    return found


def layout(xml: str, process_id: str, path: Path) -> Diagram:
    root = parse_xml(xml.encode()).getroot()
    elements = {el.get("id"): el for el in root.iter() if isinstance(el.tag, str) and el.get("id")}
    done, open_ = path.done.get(process_id, set()), path.open.get(process_id, set())
    followed = {flow.get("id") for flow in root.iter(f"{{{bpmn.BPMN_NS}}}sequenceFlow")
                if (process_id, flow.get("sourceRef"), flow.get("targetRef")) in path.steps}
    shapes: list[Shape] = []
    width = height = 0.0
    for shape in root.iter(f"{{{bpmn.NS['bpmndi']}}}BPMNShape"):
        bounds = shape.find(f"{{{bpmn.NS_DC}}}Bounds")
        if bounds is None:
            continue
        x, y, w, h = (float(bounds.get(k) or 0) for k in ("x", "y", "width", "height"))
        width, height = max(width, x + w), max(height, y + h)
        element = elements.get(shape.get("bpmnElement"))
        if element is not None:
            ident = element.get("id") or ""
            state = "done" if ident in done else "open" if ident in open_ else ""
            shapes.append(Shape(bpmn.local(element), ident, element.get("name") or "", x, y, w, h, state,
                                bpmn.properties(element).get(bpmn.NAME_RU_PROPERTY, ""), _label(shape)))
    edges = tuple(
        Edge(tuple((float(p.get("x") or 0), float(p.get("y") or 0)) for p in edge.findall(f"{{{bpmn.NS_DI}}}waypoint")),
             edge.get("bpmnElement") in followed)
        for edge in root.iter(f"{{{bpmn.NS['bpmndi']}}}BPMNEdge"))
    return Diagram(process_id, tuple(shapes), edges, width, height, None, xml, tuple(sorted(done)),
                   tuple(sorted(open_)), tuple(sorted(i for i in followed if i)))


def _label(shape: Any) -> tuple[float, float, float, float] | None:
    bounds = shape.find(f"{{{bpmn.NS['bpmndi']}}}BPMNLabel/{{{bpmn.NS_DC}}}Bounds")
    if bounds is None:
        return None
    x, y, w, h = (float(bounds.get(k) or 0) for k in ("x", "y", "width", "height"))
    return (x, y, w, h)
