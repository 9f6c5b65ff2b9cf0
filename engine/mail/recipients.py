"""Who gets a task's mail: its assignee, or every active person holding its role and scope (a chair of one
CSB gets only that CSB's tasks, as :meth:`Actor.holds` decides); and the sector administrators."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, bindparam, exists, or_, select, true
from sqlalchemy.engine import Connection

from engine.base.models import RoleGrant, User
from engine.mail.models import IMMEDIATELY, MailPreference

users, grants, preferences = User.__table__, RoleGrant.__table__, MailPreference.__table__


@dataclass(frozen=True)
class Person:
    login: str | None  # None: an address outside CourseFlow (an NMI)
    name: str
    address: str | None
    language: str
    frequency: str

    def described(self, no_address: str) -> str:
        """The person as an overdue notice names them: name and contact."""
        return f"{self.name} <{self.address}>" if self.address else f"{self.name} ({no_address})"


_PEOPLE = (select(users.c.login, users.c.name, users.c.email, users.c.language, preferences.c.frequency)
           .select_from(users.outerjoin(preferences, preferences.c.login == users.c.login))
           .where(users.c.active.is_(True)).order_by(users.c.login))


_HOLDERS = (select(users.c.login, users.c.name, users.c.email, users.c.language, preferences.c.frequency,
                   grants.c.role, grants.c.scope)
            .select_from(users.join(grants, grants.c.user_id == users.c.id)
                         .outerjoin(preferences, preferences.c.login == users.c.login))
            .where(users.c.active.is_(True), grants.c.role.in_(bindparam("roles", expanding=True)))
            .order_by(users.c.login))
_NAMED = _PEOPLE.where(users.c.login.in_(bindparam("logins", expanding=True)))


def for_tasks(connection: Connection, tasks: list[dict[str, Any]]) -> list[list[Person]]:
    """The people of each new open-task row (in order), read with at most two queries for all of them."""
    roles = {t["role"] for t in tasks if not t["assignee"] and t["role"]}
    logins = {t["assignee"] for t in tasks if t["assignee"]}
    holders = list(connection.execute(_HOLDERS, {"roles": list(roles)})) if roles else []
    named = {p.login: p for p in _people(connection, _NAMED, {"logins": list(logins)})} if logins else {}
    found = []
    for task in tasks:
        if task["assignee"]:
            found.append([named[task["assignee"]]] if task["assignee"] in named else [])
            continue
        people = {}
        for login, name, email, language, frequency, role, scope in holders:
            if role == task["role"] and (task["scope"] is None or scope is None or scope == task["scope"]):
                people[login] = Person(login, name, email or None, language or "en", frequency or IMMEDIATELY)
        found.append(list(people.values()))
    return found


def for_task(connection: Connection, role: str | None, scope: str | None, assignee: str | None) -> list[Person]:
    """The active people who may do the task (the same rule as the inbox)."""
    if assignee:
        query = _PEOPLE.where(users.c.login == assignee)
    else:
        in_scope = or_(grants.c.scope.is_(None), grants.c.scope == scope) if scope else true()
        query = _PEOPLE.where(exists().where(and_(grants.c.user_id == users.c.id, grants.c.role == role, in_scope)))
    return _people(connection, query)


def holding(connection: Connection, role: str) -> list[Person]:
    return for_task(connection, role, None, None)


def person(connection: Connection, login: str) -> Person | None:
    found = _people(connection, _PEOPLE.where(users.c.login == login))
    return found[0] if found else None


def _people(connection: Connection, query: Any, parameters: dict[str, Any] | None = None) -> list[Person]:
    return [Person(login, name, email or None, language or "en", frequency or IMMEDIATELY)
            for login, name, email, language, frequency in connection.execute(query, parameters or {})]
