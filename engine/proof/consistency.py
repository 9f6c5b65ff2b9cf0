"""What the events imply, checked against the actors and the tables derived from them.

The hash chain proves the events are as recorded; this proves they are
consistent with each other and with the tables the inbox and the role rules
read: every completion's actor held the task's role and scope under the grants
in force at that moment (rebuilt from the grant events), claims follow one
another, an open task has not been completed or withdrawn, a claim in the
inbox is the last one recorded, every person's grants are what the grant
events left, and every course belongs to a started process.
"""
from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.base.models import Course, Event, OpenTask, RoleGrant, User
from engine.base.vocabulary import EventKind
from engine.registry.roles import Actor, parse_grant

Grants = dict[str, set[tuple[str, str | None]]]
_Claims = dict[str | None, str | None]  # task id → login of its last claim (None: unclaimed)


class _People:
    """Grants and activity per login, as the grant events leave them."""

    def __init__(self) -> None:
        self.grants: Grants = {}
        self.inactive: set[str] = set()

    def apply(self, kind: str, event: Event, data: dict[str, Any]) -> None:
        login = data.get("login")
        if not isinstance(login, str):
            return
        if kind == EventKind.USER_ADDED:
            self.grants[login] = {parse_grant(text) for text in data.get("grants", [])}
        elif kind == EventKind.ROLE_GRANTED and event.role is not None:
            self.grants.setdefault(login, set()).add((event.role, event.scope))
        elif kind == EventKind.ROLE_REVOKED and event.role is not None:
            self.grants.setdefault(login, set()).discard((event.role, event.scope))
        elif kind == EventKind.USER_DEACTIVATED:
            self.inactive.add(login)
        elif kind == EventKind.USER_ACTIVATED:
            self.inactive.discard(login)

    def actor(self, login: str) -> Actor | None:
        if login not in self.grants or login in self.inactive:
            return None
        return Actor(login, frozenset(self.grants[login]))


def check(session: Session) -> list[str]:
    """Every inconsistency found, in words (empty: all consistent)."""
    people, claims, closed, started = _People(), _Claims(), set[str | None](), set[str | None]()
    problems: list[str] = []
    for event in session.scalars(select(Event).order_by(Event.seq).execution_options(yield_per=1000)):
        data = json.loads(event.data_json or "{}")
        people.apply(event.kind, event, data)
        if event.kind == EventKind.INSTANCE_STARTED:
            started.add(event.instance_id)
        elif event.kind in (EventKind.TASK_CLAIMED, EventKind.TASK_UNCLAIMED):
            problems += _claim_problems(event, people, claims)
        elif event.kind == EventKind.TASK_COMPLETED:
            problems += _completion_problems(event, data, people, claims)
            closed.add(event.task_id)
        elif event.kind == EventKind.TASK_CANCELLED:
            closed.add(event.task_id)
    problems += _open_task_problems(session, claims, closed)
    problems += _grant_problems(session, people)
    problems += [f"course {course_id} belongs to instance {instance_id}, which no event started"
                 for course_id, instance_id in session.execute(select(Course.id, Course.instance_id))
                 if instance_id not in started]
    return problems


def _claim_problems(event: Event, people: _People, claims: _Claims) -> list[str]:
    if event.kind == EventKind.TASK_UNCLAIMED:
        claims[event.task_id] = None
        return []
    claims[event.task_id] = event.actor
    actor = people.actor(event.actor) if event.actor else None
    if actor is None or event.role is None or not actor.holds(event.role, event.scope):
        return [f"event {event.seq}: {event.actor} claimed a {event.role} task without holding that role then"]
    return []


def _completion_problems(event: Event, data: dict[str, Any], people: _People, claims: _Claims) -> list[str]:
    if event.actor is None or event.role is None:
        return []
    actor = people.actor(event.actor)
    where = f" for {event.scope}" if event.scope else ""
    if actor is None:
        return [f"event {event.seq}: {event.actor} completed a task but was no active user then"]
    if data.get("via") == "assignee":
        return [] if actor.holds(event.role) else [
            f"event {event.seq}: {event.actor} completed a task as its assignee without holding {event.role} then"]
    if not actor.holds(event.role, event.scope):
        return [f"event {event.seq}: {event.actor} completed a task needing {event.role}{where} "
                f"without holding it then (by the grant events)"]
    holder = claims.get(event.task_id)
    if holder and holder != event.actor:
        return [f"event {event.seq}: {event.actor} completed a task {holder} had claimed"]
    return []


def _open_task_problems(session: Session, claims: _Claims, closed: set[str | None]) -> Iterable[str]:
    for task_id, claimed_by in session.execute(select(OpenTask.id, OpenTask.claimed_by)):
        if task_id in closed:
            yield f"open task {task_id} is listed in the inbox but its events say it was completed or withdrawn"
        elif claims.get(task_id) != claimed_by:
            yield (f"open task {task_id} shows claimed by {claimed_by or 'nobody'} but its events say "
                   f"{claims.get(task_id) or 'nobody'}")


def _grant_problems(session: Session, people: _People) -> Iterable[str]:
    stored: Grants = {}
    for login, role, scope in session.execute(select(User.login, RoleGrant.role, RoleGrant.scope)
                                              .join(RoleGrant, RoleGrant.user_id == User.id)):
        stored.setdefault(login, set()).add((role, scope))
    for login in sorted(set(stored) | set(people.grants)):
        if stored.get(login, set()) != people.grants.get(login, set()):
            yield f"{login}'s roles in the database differ from what the grant events recorded"
    for login, active in session.execute(select(User.login, User.active)):
        if active == (login in people.inactive):
            yield f"{login} is {'active' if active else 'deactivated'} in the database, not as the events recorded"
