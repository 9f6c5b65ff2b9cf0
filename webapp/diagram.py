"""A BPMN diagram drawn as SVG from its own diagram information (BPMN DI), with the path taken marked.

Server-side and script-free: shapes and edges are placed where the modeller
put them; elements an instance completed, elements open now, and the flows it
followed get their own CSS classes (see courseflow.css).
"""
from __future__ import annotations

from markupsafe import Markup, escape

from engine import bpmn
from engine.paths import Path
from engine.safexml import parse_xml

_EVENTS = ("startEvent", "endEvent", "intermediateCatchEvent", "intermediateThrowEvent", "boundaryEvent")
_GATEWAYS = ("exclusiveGateway", "parallelGateway", "inclusiveGateway", "eventBasedGateway")
_GATEWAY_MARK = {"exclusiveGateway": "×", "parallelGateway": "+", "inclusiveGateway": "○", "eventBasedGateway": "⬠"}


def render(xml: str, process_id: str, path: Path) -> Markup:
    root = parse_xml(xml.encode()).getroot()
    elements = {el.get("id"): el for el in root.iter() if isinstance(el.tag, str) and el.get("id")}
    done, open_ = path.done.get(process_id, set()), path.open.get(process_id, set())
    followed = {flow.get("id") for flow in root.iter(f"{{{bpmn.BPMN_NS}}}sequenceFlow")
                if (process_id, flow.get("sourceRef"), flow.get("targetRef")) in path.steps}
    shapes, edges, width, height = [], [], 0.0, 0.0
    for shape in root.iter(f"{{{bpmn.NS['bpmndi']}}}BPMNShape"):
        bounds = shape.find(f"{{{bpmn.NS_DC}}}Bounds")
        x, y, w, h = (float(bounds.get(k)) for k in ("x", "y", "width", "height"))
        width, height = max(width, x + w), max(height, y + h)
        element = elements.get(shape.get("bpmnElement"))
        if element is not None:
            state = "done" if element.get("id") in done else "open" if element.get("id") in open_ else ""
            shapes.append(_shape(bpmn.local(element), element, x, y, w, h, state))
    for edge in root.iter(f"{{{bpmn.NS['bpmndi']}}}BPMNEdge"):
        points = [(float(p.get("x")), float(p.get("y"))) for p in edge.findall(f"{{{bpmn.NS_DI}}}waypoint")]
        css = "flow taken" if edge.get("bpmnElement") in followed else "flow"
        edges.append(f'<polyline class="{css}" points="{" ".join(f"{x:.0f},{y:.0f}" for x, y in points)}" '
                     f'marker-end="url(#arrow)"/>')
    svg = (f'<svg class="bpmn" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width + 20:.0f} {height + 40:.0f}" '
           f'data-process="{escape(process_id)}"><defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" '
           f'markerWidth="7" markerHeight="7" orient="auto"><path d="M0,0 L10,5 L0,10 z"/></marker></defs>'
           + "".join(shapes) + "".join(edges) + "</svg>")
    return Markup(svg)


def _shape(kind: str, element, x: float, y: float, w: float, h: float, state: str) -> str:
    name = escape(element.get("name") or "")
    ident = escape(element.get("id"))
    css = f"{kind} {state}".strip()
    if kind in ("participant", "lane"):
        return (f'<g class="{kind}"><rect x="{x:.0f}" y="{y:.0f}" width="{w:.0f}" height="{h:.0f}"/>'
                f'<text x="{x + 14:.0f}" y="{y + h / 2:.0f}" transform="rotate(-90 {x + 14:.0f} {y + h / 2:.0f})" '
                f'text-anchor="middle">{name}</text></g>')
    if kind in _EVENTS:
        cx, cy = x + w / 2, y + h / 2
        body = f'<circle cx="{cx:.0f}" cy="{cy:.0f}" r="{w / 2:.0f}"/>'
        label = f'<text x="{cx:.0f}" y="{y + h + 14:.0f}" text-anchor="middle">{name}</text>'
    elif kind in _GATEWAYS:
        cx, cy = x + w / 2, y + h / 2
        body = (f'<polygon points="{cx:.0f},{y:.0f} {x + w:.0f},{cy:.0f} {cx:.0f},{y + h:.0f} {x:.0f},{cy:.0f}"/>'
                f'<text x="{cx:.0f}" y="{cy + 6:.0f}" text-anchor="middle" class="mark">{_GATEWAY_MARK[kind]}</text>')
        label = f'<text x="{cx:.0f}" y="{y + h + 14:.0f}" text-anchor="middle">{name}</text>'
    else:
        body = f'<rect x="{x:.0f}" y="{y:.0f}" width="{w:.0f}" height="{h:.0f}" rx="8"/>'
        label = f'<foreignObject x="{x + 4:.0f}" y="{y + 4:.0f}" width="{w - 8:.0f}" height="{h - 8:.0f}">' \
                f'<div xmlns="http://www.w3.org/1999/xhtml" class="label">{name}</div></foreignObject>'
    return f'<g class="{css}" data-element="{ident}"><title>{ident}</title>{body}{label}</g>'
