"""Rendering a task's JSON Schema as an HTML form, and reading the answers back.

Server-side only: the schema (with its titles, descriptions and enums) decides
the widgets; what the user typed is turned back into JSON of the schema's
types and validated by the engine.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from werkzeug.datastructures import MultiDict


@dataclass
class Field:
    name: str               # dotted path, the HTML input name
    label: str
    kind: str               # text | textarea | yesno | select | multiselect | lines | number | integer | date | email
    required: bool = False
    help: str | None = None
    choices: list[tuple[Any, str]] = field(default_factory=list)
    value: Any = None
    error: str | None = None


def fields(schema: dict, values: dict | None = None, errors: dict[str, str] | None = None,
           prefix: str = "") -> list[Field]:
    """The widgets for ``schema``, filled with ``values`` and marked with ``errors`` (by dotted path)."""
    values, errors = values or {}, errors or {}
    required = set(schema.get("required", []))
    result = []
    for key, prop in schema.get("properties", {}).items():
        name = f"{prefix}{key}"
        if prop.get("type") == "object":
            result.extend(fields(prop, values.get(key) or {}, errors, f"{name}."))
            continue
        result.append(Field(name=name, label=prop.get("title", key), kind=_kind(prop), required=key in required,
                            help=prop.get("description"), choices=_choices(prop), value=values.get(key),
                            error=errors.get(name)))
    return result


def _kind(prop: dict) -> str:
    kind = prop.get("type")
    if kind == "boolean":
        return "yesno"
    if kind == "array":
        return "multiselect" if "enum" in prop.get("items", {}) or "oneOf" in prop.get("items", {}) else "lines"
    if "enum" in prop or "oneOf" in prop:
        return "select"
    if kind in ("number", "integer"):
        return kind
    if prop.get("format") in ("date", "email"):
        return prop["format"]
    if prop.get("maxLength", 0) > 200 or prop.get("x-widget") == "textarea":
        return "textarea"
    return "text"


def _choices(prop: dict) -> list[tuple[Any, str]]:
    source = prop.get("items", prop) if prop.get("type") == "array" else prop
    if "oneOf" in source:
        return [(o.get("const"), o.get("title", str(o.get("const")))) for o in source["oneOf"]]
    return [(v, str(v)) for v in source.get("enum", [])]


def parse(schema: dict, form: MultiDict, prefix: str = "") -> dict:
    """The submitted HTML form as JSON data of the schema's types (empty optional fields left out)."""
    data: dict[str, Any] = {}
    for key, prop in schema.get("properties", {}).items():
        name = f"{prefix}{key}"
        if prop.get("type") == "object":
            nested = parse(prop, form, f"{name}.")
            if nested:
                data[key] = nested
            continue
        value = _read(prop, form, name)
        if value is not None:
            data[key] = value
    return data


def _read(prop: dict, form: MultiDict, name: str) -> Any:
    kind = _kind(prop)
    if kind == "multiselect":
        return form.getlist(name) or None
    raw = (form.get(name) or "").strip()
    if kind == "lines":
        return [line.strip() for line in raw.splitlines() if line.strip()] or None
    if raw == "":
        return None
    if kind == "yesno":
        return {"yes": True, "no": False}.get(raw, raw)
    if kind in ("number", "integer"):
        try:
            return int(raw) if kind == "integer" else float(raw)
        except ValueError:
            return raw  # the schema check reports it as "not a number"
    return raw


def errors_by_field(errors) -> dict[str, str]:
    """Engine field errors ("a/b") keyed by the form's dotted names ("a.b")."""
    result: dict[str, str] = {}
    for error in errors:
        result.setdefault(error.path.replace("/", "."), error.message)
    return result
