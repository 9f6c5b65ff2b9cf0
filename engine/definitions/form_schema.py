"""JSON-Schema forms: checking a schema at deploy, validating a submission.

A form is a JSON Schema 2020-12 document in ``forms/``. The engine validates
every submission server-side against the schema the task's definition version
was deployed with, so a form edited later never changes a running task.
"""
from __future__ import annotations

import datetime as dt
import functools
import json
import math
import re
import threading
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from typing import Any, cast
from urllib.parse import urlsplit

import re2
from jsonschema import Draft202012Validator, FormatChecker, ValidationError, validators
from jsonschema.exceptions import SchemaError
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from engine.base.errors import FieldError, InvalidData

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
MAX_SUBMISSION_BYTES = 256 * 1024
MAX_DEPTH = 20
RESERVED_KEYS = {"typename"}
UNKNOWN_FIELD = "unknown field: the form has no such field"
REQUIRED_FIELD = "this field is required"  # SpiffWorkflow's serializer would mistake it for an object


def schema_problem(schema: Any) -> str | None:
    """Why ``schema`` is not a usable form schema, or ``None`` if it is."""
    if not isinstance(schema, dict):
        return "a form must be a JSON object (a JSON Schema)"
    dialect = schema.get("$schema", SCHEMA_DIALECT)
    if not isinstance(dialect, str) or dialect.rstrip("#") != SCHEMA_DIALECT:
        return f"the form declares $schema {dialect!r}; use {SCHEMA_DIALECT!r} (JSON Schema 2020-12)"
    if schema.get("type") != "object":
        return 'a form schema must have "type": "object" at the top'
    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError as error:
        where = "/".join(str(p) for p in error.absolute_path) or "(top)"
        return f"not a valid JSON Schema 2020-12 at {where}: {error.message}"
    return _field_problem(schema, "") or _reference_problem(schema) or _pattern_problem(schema)


def _field_problem(schema: dict[str, Any], path: str) -> str | None:
    """Every field is described by a schema object (``true``/``false`` are valid JSON Schema, but no form field)."""
    for key, field in (schema.get("properties") or {}).items():
        where = f"{path}{key}"
        if not isinstance(field, dict):
            return f"the field {where!r} must be described by a schema object, not {json.dumps(field)}"
        items = field.get("items")
        if "items" in field and not isinstance(items, dict):
            return f"the rows of {where!r} must be described by a schema object, not {json.dumps(items)}"
        problem = _field_problem(field, f"{where}.") or (_field_problem(items, f"{where}[].") if items else None)
        if problem:
            return problem
    return None


def _reference_problem(schema: dict[str, Any]) -> str | None:
    """Every ``$ref`` must point inside the form itself (no network, nothing missing at run time)."""
    resolver = Registry().with_resource("urn:form", DRAFT202012.create_resource(schema)).resolver("urn:form")
    for ref in _refs(schema):
        if not isinstance(ref, str) or not ref.startswith("#"):
            return f"the form refers ($ref) to {ref!r} outside itself; forms must be self-contained"
        try:
            resolver.lookup(ref)
        except Exception:  # referencing raises several kinds of unresolvable-reference errors
            return f"the form refers ($ref) to {ref!r}, which it does not contain"
    return None


def _refs(node: Any) -> Iterator[Any]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                yield value
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from _refs(item)


def _pattern_problem(schema: dict[str, Any]) -> str | None:
    """Patterns must be matchable in linear time (RE2); formats must be ones the engine checks."""
    for key, value in _keywords(schema):
        if key == "patternProperties":
            return "'patternProperties' is not supported in forms; name each field in 'properties'"
        if key == "pattern" and isinstance(value, str):
            try:
                _compiled_pattern(value)
            except re2.error:
                return (f"the pattern {value!r} cannot be matched in linear time; patterns may not use "
                        f"back-references or look-ahead/look-behind")
        if key == "format" and isinstance(value, str) and value not in FORMATS:
            return f"the format {value!r} is not checked by CourseFlow; use one of {', '.join(sorted(FORMATS))}"
    return None


def _keywords(node: Any) -> Iterator[tuple[str, Any]]:
    """Every (keyword, value) pair of the schema, at any depth (property names are not keywords)."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("properties", "$defs", "definitions") and isinstance(value, dict):
                for sub in value.values():
                    yield from _keywords(sub)
                continue
            yield key, value
            yield from _keywords(value)
    elif isinstance(node, list):
        for item in node:
            yield from _keywords(item)


@functools.lru_cache(maxsize=1024)
def _compiled_pattern(pattern: str) -> Any:
    """A form pattern compiled by RE2, which matches in time linear in the text (no catastrophic backtracking)."""
    return re2.compile(pattern, _RE2_OPTIONS)


_RE2_OPTIONS = re2.Options()
_RE2_OPTIONS.log_errors = False


def _linear_pattern(validator: Any, pattern: str, instance: Any, schema: dict[str, Any]) -> Iterator[Any]:
    if not validator.is_type(instance, "string"):
        return
    try:
        matched = _compiled_pattern(pattern).search(instance)
    except re2.error:
        yield ValidationError(f"the form's pattern {pattern!r} cannot be checked; a process owner must fix it")
        return
    if not matched:
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
_EMAIL = re.compile(r"[^@\s]+@[^@\s.]+(\.[^@\s.]+)+", re.ASCII)
FORMAT_CHECKER = FormatChecker(formats=())


def _is_date(value: object) -> bool:
    return not isinstance(value, str) or bool(_DATE.fullmatch(value) and dt.date.fromisoformat(value))


_DATE_TIME = re.compile(r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([Zz]|[+-]\d{2}:\d{2})", re.ASCII)


def _is_date_time(value: object) -> bool:
    """RFC 3339: a date, a time and a zone (Z or ±hh:mm)."""
    return not isinstance(value, str) or bool(_DATE_TIME.fullmatch(value) and dt.datetime.fromisoformat(value))


def _is_email(value: object) -> bool:
    return not isinstance(value, str) or (len(value) <= 254 and bool(_EMAIL.fullmatch(value)))


def _is_web_link(value: object) -> bool:
    """A link is http(s) with a host: other schemes (``javascript:``, ``data:``) would run in the reader's browser."""
    if not isinstance(value, str):
        return True
    parts = urlsplit(value)
    return parts.scheme.lower() in ("http", "https") and bool(parts.hostname) and not any(
        c.isspace() or ord(c) < 32 for c in value)


FORMAT_CHECKER.checks("date", raises=ValueError)(_is_date)
FORMAT_CHECKER.checks("date-time", raises=ValueError)(_is_date_time)
FORMAT_CHECKER.checks("email")(_is_email)
FORMAT_CHECKER.checks("uri", raises=ValueError)(_is_web_link)
FORMATS = set(FORMAT_CHECKER.checkers)
FORMAT_MESSAGES = {"date": "enter a date (YYYY-MM-DD)",
                   "date-time": "enter a date and time with its zone, e.g. 2026-03-01T09:00:00Z",
                   "email": "enter an e-mail address such as name@example.org",
                   "uri": "enter a full link starting with https://"}
FormValidator = validators.extend(Draft202012Validator, {"pattern": _linear_pattern})


def load_schema(text: str) -> dict[str, Any]:
    """Parse a form file's text; raise ``ValueError`` with what to fix."""
    try:
        schema = json.loads(text)
    except json.JSONDecodeError as error:
        raise ValueError(f"not valid JSON (line {error.lineno}, column {error.colno}): {error.msg}") from None
    problem = schema_problem(schema)
    if problem:
        raise ValueError(problem)
    return cast(dict[str, Any], schema)


def check_shape(data: Any) -> dict[str, Any]:
    """Return ``data`` if it is a JSON object of bounded size and depth without reserved keys."""
    errors = _shape_errors(data)
    if errors:
        raise InvalidData(errors)
    return cast(dict[str, Any], data)


_validators: OrderedDict[int, tuple[dict[str, Any], Draft202012Validator]] = OrderedDict()
_validators_lock = threading.Lock()


def _validator(schema: dict[str, Any]) -> Draft202012Validator:
    """A validator per schema object; the engine's cached schemas are reused, so theirs are built once."""
    with _validators_lock:
        entry = _validators.get(id(schema))
        if entry is not None and entry[0] is schema:
            _validators.move_to_end(id(schema))
            return entry[1]
    validator = FormValidator(schema, format_checker=FORMAT_CHECKER)
    with _validators_lock:
        _validators[id(schema)] = (schema, validator)
        while len(_validators) > 256:
            _validators.popitem(last=False)
    return validator


def validate_submission(schema: dict[str, Any], data: Any, shape_checked: bool = False) -> dict[str, Any]:
    """Return ``data`` if it satisfies ``schema``; else raise :class:`InvalidData`, one error per field.

    ``shape_checked``: the caller already ran :func:`check_shape` on this data.
    """
    errors = (not shape_checked and _shape_errors(data)) or _unknown_fields(schema, data)
    if not errors:
        validator = _validator(schema)
        errors = _conclusions([f for e in validator.iter_errors(data) for f in _field_errors(e, schema)])
        errors += _date_order(schema, data, {e.path for e in errors})
    if errors:
        raise InvalidData(_once_per_field(errors))
    return cast(dict[str, Any], data)


def _once_per_field(errors: list[FieldError]) -> list[FieldError]:
    """The first error of each field, in path order: a field is told one thing at a time."""
    first: dict[str, FieldError] = {}
    for error in errors:
        first.setdefault(error.path, error)
    return sorted(first.values(), key=lambda e: e.path)


def _conclusions(errors: list[FieldError]) -> list[FieldError]:
    """A contradiction between a conclusion and other answers is reported at the conclusion (Appendix 1, 2).

    The schema's ``allOf`` rules read "if CONCLUSION is X then ANSWER must be Y": jsonschema reports ANSWER,
    which may be an honest criterion; the error moves to CONCLUSION, naming what it contradicts.
    """
    kept: list[FieldError] = []
    conflicts: dict[str, list[str]] = {}
    for error in errors:
        conclusion = error.params.get("conclusion") if error.code == "conflict" else None
        if conclusion is None:
            kept.append(error)
        else:
            conflicts.setdefault(conclusion, []).append(error.path)
    for conclusion, paths in conflicts.items():
        kept.insert(0, FieldError(conclusion, f"revisit this conclusion: it contradicts {', '.join(paths)}",
                                  "conclusion", {"conflicts": paths}))
    return kept


def _date_order(schema: dict[str, Any], data: dict[str, Any], failed: set[str]) -> list[FieldError]:
    """A date marked ``x-not-before: OTHER`` may not come before the date in OTHER (participation to ≥ from)."""
    errors = []
    for key, prop in schema.get("properties", {}).items():
        other = prop.get("x-not-before")
        if not other or key in failed or other in failed:
            continue
        start, end = data.get(other), data.get(key)
        if isinstance(start, str) and isinstance(end, str) and end < start:
            errors.append(FieldError(key, f"must not be before {other} ({start})", "date_order",
                                     {"other": other, "start": start}))
    return errors


def _field_errors(error: Any, schema: dict[str, Any]) -> list[FieldError]:
    """One jsonschema error as field errors at their own paths, in words a person can act on."""
    path = _path(error.absolute_path)
    if error.validator in ("anyOf", "oneOf") and not path and schema.get("x-any-of-message"):
        return [FieldError("", schema["x-any-of-message"], "any_of")]
    if error.validator == "required" and isinstance(error.instance, dict):
        return [FieldError(_join(path, key), REQUIRED_FIELD, "required")
                for key in error.validator_value if key not in error.instance]
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        known = error.schema.get("properties", {})
        return [FieldError(_join(path, key), UNKNOWN_FIELD, "unknown") for key in error.instance if key not in known]
    conclusion = _conclusion_of(error, schema)
    if conclusion is not None and conclusion != path:
        return [FieldError(path, _plain(error), "conflict", {"conclusion": conclusion})]
    code, params = _code(error)
    return [FieldError(path, _plain(error), code, params)]


def _conclusion_of(error: Any, schema: dict[str, Any]) -> str | None:
    """The conclusion an ``allOf: [{if: {CONCLUSION: …}, then: {properties: {ANSWER: {const}}}}]`` rule tests."""
    where = list(error.schema_path)
    if error.validator != "const" or len(where) < 3 or where[0] != "allOf" or where[2] != "then":
        return None
    tested = list(schema["allOf"][where[1]].get("if", {}).get("properties", {}))
    return tested[0] if len(tested) == 1 else None


def _code(error: Any) -> tuple[str, dict[str, Any]]:
    """The kind of problem and the values a message about it needs."""
    rule, value = error.validator, error.validator_value
    if rule == "maxLength":
        return "max_length", {"limit": value, "typed": len(error.instance) if isinstance(error.instance, str) else 0}
    if rule == "minLength":
        return ("required", {}) if error.instance == "" else ("min_length", {"limit": value})
    if rule == "pattern":
        return ("phone", {}) if str(value).startswith("^[+0-9") else ("pattern", {})
    if rule == "format":
        return f"format_{value}", {}
    if rule == "type":
        return ("number", {}) if value in ("integer", "number") else ("type", {"expected": value})
    if rule in ("minimum", "maximum", "minItems", "maxItems"):
        return rule, {"limit": value}
    if rule == "const" and isinstance(value, bool):
        return "must_be", {"value": value}
    if rule == "not" and error.schema.get("x-no-choices"):
        return "no_choices", {}
    if rule in ("oneOf", "enum"):
        return "choice", {}
    return "other", {}


def _join(path: str, key: str) -> str:
    return f"{path}/{key}" if path else key


def _plain(error: Any) -> str:
    rule, value = error.validator, error.validator_value
    if rule == "const" and isinstance(value, bool):
        return f"must be {'YES' if value else 'NO'}"
    if rule == "not" and error.schema.get("x-no-choices"):
        return "there is nothing to choose yet (no matching people, CSBs or courses exist)"
    if rule == "oneOf" and "x-choices" in error.schema:
        return "not one of the choices offered"
    if rule == "maxLength" and isinstance(error.instance, str):
        return f"at most {value} characters (you typed {len(error.instance)})"
    if rule == "pattern" and str(value).startswith("^[+0-9"):
        return "enter a phone number: digits, spaces, + ( ) . / -"
    if rule == "minLength" and error.instance == "":
        return REQUIRED_FIELD
    if rule == "type" and value in ("integer", "number"):
        return "enter a number"
    if rule == "format":
        return str(FORMAT_MESSAGES.get(value, error.message))
    return str(error.message)


def _shape_errors(data: Any) -> list[FieldError]:
    if not isinstance(data, dict):
        return [FieldError("", "the submission must be a JSON object", "shape")]
    size = len(json.dumps(data, ensure_ascii=False).encode())
    if size > MAX_SUBMISSION_BYTES:
        return [FieldError("", f"the submission is {size} bytes; the limit is {MAX_SUBMISSION_BYTES}", "shape")]
    return [FieldError(path, message, "shape") for path, message in _walk(data, "", 0)]


def _unknown_fields(schema: dict[str, Any], data: dict[str, Any]) -> list[FieldError]:
    """Top-level fields the form does not define are refused even if the schema forgot to say so."""
    if "properties" not in schema or "additionalProperties" in schema or "unevaluatedProperties" in schema:
        return []
    known = schema.get("properties", {})
    return [FieldError(key, UNKNOWN_FIELD, "unknown") for key in data if key not in known]


def _walk(value: Any, path: str, depth: int) -> Iterator[tuple[str, str]]:
    if depth > MAX_DEPTH:
        yield path, f"nested deeper than {MAX_DEPTH} levels"
        return
    if isinstance(value, dict):
        for key, item in value.items():
            child = f"{path}/{key}" if path else str(key)
            if key in RESERVED_KEYS:
                yield child, f"the field name {key!r} is reserved"
            yield from _walk(item, child, depth + 1)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _walk(item, f"{path}/{index}", depth + 1)
    elif isinstance(value, float) and not math.isfinite(value):
        yield path, "must be a number (NaN and infinity are not numbers)"


def _path(parts: Iterable[Any]) -> str:
    return "/".join(str(p) for p in parts)


FROM = "x-from"


def prefill(schema: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    """Initial form values taken from the process data (fields marked ``x-from``)."""
    values = {}
    for key, prop in schema.get("properties", {}).items():
        source = prop.get(FROM)
        if source and data.get(source) is not None:
            values[key] = data[source]
    return values


def with_read_only(schema: dict[str, Any], submitted: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    """The submission with every read-only ``x-from`` field set from the process data, whatever was sent.

    Read-only fields show data captured earlier (course name, CSB, contacts);
    they are recorded with the sheet but never retyped or altered.
    """
    if not isinstance(submitted, dict):
        return submitted
    result = dict(submitted)
    for key, prop in schema.get("properties", {}).items():
        if prop.get("readOnly") and prop.get(FROM):
            result.pop(key, None)
            if data.get(prop[FROM]) is not None:
                result[key] = data[prop[FROM]]
    return result
