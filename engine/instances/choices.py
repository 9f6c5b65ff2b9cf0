"""Filling form fields that name a person, a CSB or a course with what exists now.

A schema property marked ``"x-choices"`` gets a ``oneOf`` of the current
options when the task hands its schema out, and the same resolved schema
validates the submission — so a valid submission always refers to something
that exists. Markers:

- ``csb`` — every CSB code;
- ``user:ROLE`` — active users holding ROLE (any scope);
- ``user:ROLE@scope`` — active users holding ROLE for the task's scope;
- ``course:published`` — courses in the catalogue.
"""
from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from engine.base.models import Course, Csb, RoleGrant, User
from engine.base.vocabulary import CATALOGUE_STATUSES
from engine.registry.roles import ROLES

MARKER = "x-choices"


def resolve(session: Session, schema: dict[str, Any], scope: str | None = None) -> dict[str, Any]:
    """A copy of ``schema`` with every ``x-choices`` field limited to the current options.

    A schema without markers is returned as it is (callers never change it).
    """
    if not any(MARKER in node for node in _nodes(schema)):
        return schema
    resolved = copy.deepcopy(schema)
    cache: dict[str, list[dict[str, Any]]] = {}
    for node in _nodes(resolved):
        marker = node.get(MARKER)
        if marker:
            if marker not in cache:
                cache[marker] = _options(session, marker, scope)
            options = cache[marker]
            node.pop("enum", None)
            if options:
                node["oneOf"] = options
            else:
                node["not"] = {}  # nothing can be chosen yet
                node["x-no-choices"] = True
    return resolved


def _nodes(schema: Any) -> Iterator[dict[str, Any]]:
    """Every subschema that can carry a marker (properties, array items, nested objects)."""
    if not isinstance(schema, dict):
        return
    yield schema
    for child in schema.get("properties", {}).values():
        yield from _nodes(child)
    if isinstance(schema.get("items"), dict):
        yield from _nodes(schema["items"])


def choice_problem(schema: dict[str, Any]) -> str | None:
    """Why an ``x-choices`` marker in ``schema`` cannot be filled in, or None."""
    for node in _nodes(schema):
        marker = node.get(MARKER)
        if marker is None:
            continue
        kind, _, argument = str(marker).partition(":")
        role = argument.partition("@")[0]
        if kind == "csb" and not argument or kind == "course" and argument == "published" \
                or kind == "user" and role in ROLES and argument.partition("@")[2] in ("", "scope"):
            continue
        return (f'x-choices "{marker}" is not understood: use "csb", "course:published", "user:ROLE" or '
                f'"user:ROLE@scope" with a role key')
    return None


def _options(session: Session, marker: str, scope: str | None) -> list[dict[str, Any]]:
    kind, _, argument = marker.partition(":")
    if kind == "csb":
        return [{"const": c.code, "title": c.name, "x-title-ru": c.name_ru or c.name}
                for c in session.scalars(select(Csb).order_by(Csb.code))]
    if kind == "user":
        role, _, scoped = argument.partition("@")
        query = (select(User).join(RoleGrant).where(User.active.is_(True), RoleGrant.role == role)
                 .order_by(User.name).distinct())
        if scoped == "scope" and scope is not None:
            query = query.where(or_(RoleGrant.scope.is_(None), RoleGrant.scope == scope))
        return [{"const": u.login, "title": f"{u.name} ({u.login})"} for u in session.scalars(query)]
    if kind == "course":
        catalogue = select(Course).where(Course.status.in_(CATALOGUE_STATUSES)).order_by(Course.name)
        return [{"const": c.id, "title": c.name, "x-title-ru": c.name_ru or c.name} for c in session.scalars(catalogue)]
    raise ValueError(f"unknown x-choices marker {marker!r}")
