"""Rendering a task's JSON Schema as an HTML form, and reading the answers back.

Server-side only: the schema (titles in both languages, descriptions, enums,
formats, UI hints) decides the widgets; what the user typed is turned back
into JSON of the schema's types and validated by the engine.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from werkzeug.datastructures import MultiDict

from .i18n import display, label


@dataclass
class Field:
    name: str               # dotted path: the HTML input name ("creator_details.email", "rows.0.x")
    label: str
    kind: str               # see _kind(); plus "group", "rows" and "readonly"
    required: bool = False
    help: str | None = None
    choices: list[tuple[Any, str]] = field(default_factory=list)
    value: Any = None
    error: str | None = None
    display: str = ""       # a read-only field's value as a person reads it
    children: list[Field] = field(default_factory=list)        # a group's fields
    rows: list[list[Field]] = field(default_factory=list)      # repeatable rows (array of objects)
    when: tuple[str, str] | None = None  # shown only when this other field has this answer (name, form value)
    within: str = ""  # the label of the group this field belongs to (named in the error summary)


def fields(schema: dict, values: dict | None = None, errors: dict[str, str] | None = None,
           prefix: str = "", served: set[str] | frozenset[str] = frozenset(), within: str = "") -> list[Field]:
    """The widgets for ``schema``, filled with ``values`` and marked with ``errors`` (by dotted path).

    ``served``: fields whose value CourseFlow supplies (shown read-only, e.g. the questionnaire link, 6.9).
    """
    values, errors = values or {}, errors or {}
    required = set(schema.get("required", []))
    conditions = applies_when(schema)
    result = []
    for key, prop in schema.get("properties", {}).items():
        name, value = f"{prefix}{key}", values.get(key)
        when = conditions.get(key)
        item = Field(name=name, label=label(prop, default=key), kind=_kind(prop), required=key in required,
                     help=label(prop, "description") or None, choices=_choices(prop), value=value,
                     error=errors.get(name), when=(f"{prefix}{when[0]}", when[1]) if when else None,
                     within=within)
        if key in served:
            item.kind = "readonly"
        if item.kind == "readonly":
            item.display = display(prop, value)
            item.rows = read_only_rows(prop, value)
        elif item.kind == "group":
            item.children = fields(prop, value or {}, errors, f"{name}.", within=item.label)
        elif item.kind == "rows":
            existing = value if isinstance(value, list) else []
            item.rows = [fields(prop["items"], row if isinstance(row, dict) else {}, errors, f"{name}.{index}.")
                         for index, row in enumerate([*existing, {}])]
        result.append(item)
    return result


def read_only_rows(prop: dict, value: Any) -> list[list[Field]]:
    """A read-only list of records (e.g. 11.2's quarters) as table rows, one cell per item property."""
    columns = prop.get("items", {}).get("properties") if prop.get("type") == "array" else None
    if not columns or not isinstance(value, list):
        return []
    return [[Field(name=key, label=label(column, default=key), kind="readonly",
                   display=display(column, row.get(key))) for key, column in columns.items()]
            for row in value if isinstance(row, dict)]


def applies_when(schema: dict) -> dict[str, tuple[str, str]]:
    """Fields required only by one answer to another field (``allOf: [{if: {P: const V}, then: {required}}]``):
    field -> (P, V as the form sends it). What to refine applies with "requires refinement YES" (Appendix 1, 2),
    the member with "the chair appoints a member" (7.3).
    """
    result = {}
    for rule in schema.get("allOf", []):
        tested = rule.get("if", {}).get("properties", {})
        needed = rule.get("then", {}).get("required", [])
        if len(tested) != 1 or not needed or "const" not in next(iter(tested.values())):
            continue
        (answer, condition), = tested.items()
        value = condition["const"]
        shown = ("yes" if value else "no") if isinstance(value, bool) else str(value)
        for key in needed:
            if key not in schema.get("required", []):
                result[key] = (answer, shown)
    return result


def _kind(prop: dict) -> str:
    kind = prop.get("type")
    if prop.get("readOnly"):
        return "readonly"
    if kind == "object":
        return "group"
    if kind == "boolean":
        return "yesno"
    if kind == "array":
        items = prop.get("items", {})
        if items.get("type") == "object":
            return "rows"
        return "multiselect" if "enum" in items or "oneOf" in items else "lines"
    if "enum" in prop or "oneOf" in prop:
        return "select"
    if kind in ("number", "integer"):
        return kind
    if prop.get("format") in ("date", "email"):
        return prop["format"]
    if prop.get("format") in ("uri", "uri-reference"):
        return "url"
    if prop.get("x-widget") in ("textarea", "image"):
        return prop["x-widget"]
    if prop.get("pattern", "").startswith("^[+0-9"):
        return "phone"
    return "textarea" if prop.get("maxLength", 0) > 300 else "text"


def _choices(prop: dict) -> list[tuple[Any, str]]:
    source = prop.get("items", prop) if prop.get("type") == "array" else prop
    if "oneOf" in source:
        return [(o.get("const"), label(o, default=str(o.get("const")))) for o in source["oneOf"]]
    return [(v, str(v)) for v in source.get("enum", [])]


def parse(schema: dict, form: MultiDict, prefix: str = "") -> dict:
    """The submitted HTML form as JSON data of the schema's types (empty optional fields left out)."""
    data: dict[str, Any] = {}
    for key, prop in schema.get("properties", {}).items():
        name, kind = f"{prefix}{key}", _kind(prop)
        if kind == "readonly":
            continue  # the engine fills read-only fields from the process data
        if kind == "group":
            value = parse(prop, form, f"{name}.") or None
        elif kind == "rows":
            value = _rows(prop["items"], form, name)
        else:
            value = _read(kind, prop, form, name)
        if value is not None:
            data[key] = value
    return data


def _rows(items: dict, form: MultiDict, name: str) -> list | None:
    rows, index = [], 0
    while any(key.startswith(f"{name}.{index}.") for key in form):
        row = parse(items, form, f"{name}.{index}.")
        if row:
            rows.append(row)
        index += 1
    return rows or None


def _read(kind: str, prop: dict, form: MultiDict, name: str) -> Any:
    if kind == "multiselect":
        values = form.getlist(name)
        integer = prop.get("items", {}).get("type") == "integer"
        return [_number(v, integer) for v in values] if values else None
    raw = (form.get(name) or "").strip()
    if kind == "lines":
        return [line.strip() for line in raw.splitlines() if line.strip()] or None
    if raw == "":
        return None
    if kind == "yesno":
        return {"yes": True, "no": False}.get(raw, raw)
    if kind in ("number", "integer") or prop.get("type") == "integer":
        return _number(raw, prop.get("type") == "integer")
    return raw


def _number(raw: str, integer: bool):
    try:
        return int(raw) if integer else float(raw)
    except ValueError:
        return raw  # the schema check reports it as "not a number"


def errors_by_field(errors, schema: dict | None = None) -> dict[str, str]:
    """Engine field errors ("a/b") keyed by the form's dotted names ("a.b"), in the reader's language."""
    from .refusals import field_message

    result: dict[str, str] = {}
    for error in errors:
        result.setdefault(error.path.replace("/", "."), field_message(error, schema))
    return result
