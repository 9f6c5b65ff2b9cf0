"""The list of COOMET structural bodies (CSBs): code, names in English and Russian, and who chairs each.

A CSB's chair is whoever holds the role ``csb_chair`` for its code (7.3); the
list itself is data the sector administrator keeps.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.base import clock
from engine.base.errors import Refused
from engine.base.models import Csb, RoleGrant, User
from engine.base.vocabulary import EventKind
from engine.proof import audit

_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 .\-]{0,49}$")


@dataclass(frozen=True)
class CsbView:
    code: str
    name: str
    name_ru: str | None
    chairs: tuple[str, ...] = ()  # names of the people holding csb_chair for this CSB
    members: tuple[str, ...] = ()


def csbs(session: Session) -> list[CsbView]:
    people: dict[tuple[str, str | None], list[str]] = {}
    rows = session.execute(select(RoleGrant.role, RoleGrant.scope, User.name).join(User).where(
        User.active.is_(True), RoleGrant.scope.is_not(None)).order_by(User.name))
    for role, scope, name in rows:
        people.setdefault((role, scope), []).append(name)
    return [CsbView(c.code, c.name, c.name_ru, tuple(people.get(("csb_chair", c.code), ())),
                    tuple(people.get(("csb_member", c.code), ())))
            for c in session.scalars(select(Csb).order_by(Csb.code))]


def save(session: Session, code: str, name: str, name_ru: str | None, by: str | None) -> str:
    """Add a CSB or rename one (its code stays: grants and courses refer to it): "added", "changed" or "unchanged"."""
    code, name, name_ru = code.strip(), name.strip(), (name_ru or "").strip() or None
    if not _CODE.match(code):
        raise Refused("csb_code_invalid", f"{code!r} is not a CSB code: letters, digits, spaces, . and - "
                      "(e.g. TC 1.3)", csb=code)
    if not name:
        raise Refused("csb_name_required", "enter the CSB's English name")
    found = session.get(Csb, code)
    if found is not None and (found.name, found.name_ru) == (name, name_ru):
        return "unchanged"
    if found is None:
        session.add(Csb(code=code, name=name, name_ru=name_ru))
    else:
        found.name, found.name_ru = name, name_ru
    session.flush()
    audit.append(session, [audit.NewEvent(EventKind.CSB_ADDED if found is None else "csb_changed", actor=by, scope=code,
                                          data={"code": code, "name": name, "name_ru": name_ru})], clock.now())
    return "added" if found is None else "changed"
