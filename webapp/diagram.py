"""A BPMN diagram drawn as SVG from its own diagram information (BPMN DI), with the path taken marked.

Server-side and script-free: shapes and edges are placed where the modeller
put them; elements an instance completed, elements open now, and the flows it
followed get their own CSS classes (see courseflow.css).
"""
from __future__ import annotations

from markupsafe import Markup, escape

from engine import Diagram, Shape

from .i18n import lang, role_name

_EVENTS = ("startEvent", "endEvent", "intermediateCatchEvent", "intermediateThrowEvent", "boundaryEvent")
_GATEWAYS = ("exclusiveGateway", "parallelGateway", "inclusiveGateway", "eventBasedGateway")
_GATEWAY_MARK = {"exclusiveGateway": "×", "parallelGateway": "+", "inclusiveGateway": "○", "eventBasedGateway": "⬠"}


def render(diagram: Diagram) -> Markup:
    shapes = [_shape(shape) for shape in diagram.shapes]
    edges = [f'<polyline class="{"flow taken" if edge.taken else "flow"}" '
             f'points="{" ".join(f"{x:.0f},{y:.0f}" for x, y in edge.points)}" marker-end="url(#arrow)"/>'
             for edge in diagram.edges]
    svg = (f'<svg class="bpmn" xmlns="http://www.w3.org/2000/svg" '
           f'viewBox="0 0 {diagram.width + 20:.0f} {diagram.height + 40:.0f}" '
           f'data-process="{escape(diagram.process_id)}"><defs><marker id="arrow" viewBox="0 0 10 10" refX="10" '
           f'refY="5" markerWidth="7" markerHeight="7" orient="auto"><path d="M0,0 L10,5 L0,10 z"/></marker></defs>'
           + "".join(shapes) + "".join(edges) + "</svg>")
    return Markup(svg)


def _shape(shape: Shape) -> str:
    kind, x, y, w, h = shape.kind, shape.x, shape.y, shape.width, shape.height
    shown = role_name(shape.name) if kind == "lane" else shape.name_ru if shape.name_ru and lang() == "ru" else shape.name
    name, ident = escape(shown), escape(shape.id)
    css = f"{kind} {shape.state}".strip()
    if kind in ("participant", "lane"):
        return (f'<g class="{kind}"><rect x="{x:.0f}" y="{y:.0f}" width="{w:.0f}" height="{h:.0f}"/>'
                f'<text x="{x + 14:.0f}" y="{y + h / 2:.0f}" transform="rotate(-90 {x + 14:.0f} {y + h / 2:.0f})" '
                f'text-anchor="middle">{name}</text></g>')
    if kind in _EVENTS:
        cx, cy = x + w / 2, y + h / 2
        body = f'<circle cx="{cx:.0f}" cy="{cy:.0f}" r="{w / 2:.0f}"/>'
        label = _outside_label(shape, name)
    elif kind in _GATEWAYS:
        cx, cy = x + w / 2, y + h / 2
        body = (f'<polygon points="{cx:.0f},{y:.0f} {x + w:.0f},{cy:.0f} {cx:.0f},{y + h:.0f} {x:.0f},{cy:.0f}"/>'
                f'<text x="{cx:.0f}" y="{cy + 6:.0f}" text-anchor="middle" class="mark">{_GATEWAY_MARK[kind]}</text>')
        label = _outside_label(shape, name)
    else:
        body = f'<rect x="{x:.0f}" y="{y:.0f}" width="{w:.0f}" height="{h:.0f}" rx="8"/>'
        label = f'<foreignObject x="{x + 4:.0f}" y="{y + 4:.0f}" width="{w - 8:.0f}" height="{h - 8:.0f}">' \
                f'<div xmlns="http://www.w3.org/1999/xhtml" class="label">{name}</div></foreignObject>'
    return f'<g class="{css}" data-element="{ident}"><title>{ident}</title>{body}{label}</g>'


def _outside_label(shape: Shape, name: str) -> str:
    """An event's or gateway's name, wrapped in the box the modeller gave it (BPMN DI), so names do not run
    into each other; below the shape, as wide as a task, when the file gives none."""
    if not name:
        return ""
    x, y, w, h = shape.label or (shape.x + shape.width / 2 - 45, shape.y + shape.height + 4, 90.0, 28.0)
    return (f'<foreignObject x="{x:.0f}" y="{y:.0f}" width="{max(w, 20):.0f}" height="{max(h, 14) + 4:.0f}">'
            f'<div xmlns="http://www.w3.org/1999/xhtml" class="label outside">{name}</div></foreignObject>')


def viewer_data(diagram: Diagram) -> dict:
    """What the bpmn-js viewer needs to draw ``diagram`` (static/viewer): its BPMN, the path, lanes' role names
    and, in Russian, the elements' Russian names."""
    return {"xml": diagram.xml, "done": list(diagram.done), "open": list(diagram.open), "taken": list(diagram.taken),
            "lanes": {shape.id: role_name(shape.name) for shape in diagram.shapes if shape.kind == "lane"},
            "names": {shape.id: shape.name_ru for shape in diagram.shapes if shape.name_ru} if lang() == "ru" else {}}
