"""Mail about tasks that have just become available.

Two steps, so a completion pays for one small insert and no more: where the
runtime inserts new open-task rows it calls :func:`task_opened`, which writes
one *pending* outbox row per new task in that same transaction (a rolled-back
change leaves none; a committed one is never forgotten). The worker then
addresses each pending row (:func:`address_pending`): one message per person
who may do the task — the assignee, or every active holder of its role and
scope —, in their language, held for their digest or dropped as each chose.
"""
from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from engine.base import clock
from engine.base.models import Course, OpenTask
from engine.instances.store import OpenTaskRow
from engine.mail import letters, outbox, recipients
from engine.mail.models import OFF, PENDING, TaskDue
from engine.mail.settings import MailSettings

courses = Course.__table__
table = outbox.outbox
_INSERT_PENDING = insert(table)


def task_opened(connection: Connection, rows: list[OpenTaskRow]) -> None:
    """Write one pending outbox row per new open task (its facts as JSON), in the caller's transaction."""
    now = clock.now()
    connection.execute(_INSERT_PENDING, [dict(
        message_id=f"<{uuid.uuid4().hex}.pending@courseflow>", kind="task_opened", recipient=None, to_name="",
        to_address="", language="", subject=row.name[:500], html="", state=PENDING, task_id=row.id,
        course_id=row.course_id, digest_id=None, attempts=0, next_attempt_at=now, lease_until=None,
        last_error=None, created_at=now, sent_at=None,
        text=json.dumps({"role": row.role, "scope": row.scope, "assignee": row.assignee, "name": row.name,
                         "name_ru": row.name_ru, "due_at": row.due_at.isoformat() if row.due_at else None}))
        for row in rows])


def address_pending(session: Session, settings: MailSettings, domain: str, skip_locked: bool,
                    batch: int = 500) -> int:
    """Turn up to ``batch`` pending rows into one message per person and note each task's due date; return how
    many pending rows were taken. A task done or withdrawn before it was addressed gets no mail."""
    query = (select(table.c.id, table.c.task_id, table.c.course_id, table.c.text, table.c.created_at)
             .where(table.c.state == PENDING).order_by(table.c.id).limit(batch))
    if skip_locked:
        query = query.with_for_update(skip_locked=True)
    pending = session.execute(query).all()
    if not pending:
        return 0
    connection = session.connection()
    session.execute(delete(table).where(table.c.id.in_([row.id for row in pending])))
    still_open = set(session.scalars(select(OpenTask.id).where(OpenTask.id.in_([row.task_id for row in pending]))))
    taken, pending = len(pending), [row for row in pending if row.task_id in still_open]
    tasks = [_facts(row) for row in pending]
    names = _course_names(connection, {row.course_id for row in pending} - {None})
    written = []
    for row, task, people in zip(pending, tasks, recipients.for_tasks(connection, tasks)):
        facts = letters.TaskFacts(row.task_id, task["name"], task["name_ru"], task["due_at"],
                                  *names.get(row.course_id, (None, None)))
        for person in people:
            if person.frequency != OFF and person.address:
                letter = letters.task_opened(person, facts, settings.base_url)
                written.append(outbox.row(person, "task_opened", letter, domain, row.task_id, row.course_id,
                                          digestible=True, created_at=row.created_at))
    outbox.queue(connection, written)
    dues = [{"task_id": row.task_id, "due_at": task["due_at"]} for row, task in zip(pending, tasks) if task["due_at"]]
    if dues:
        connection.execute(insert(TaskDue), dues)
    return taken


def _facts(row: Any) -> dict[str, Any]:
    facts: dict[str, Any] = json.loads(row.text)
    facts["due_at"] = dt.datetime.fromisoformat(facts["due_at"]) if facts["due_at"] else None
    return facts


def _course_names(connection: Connection, ids: set[int]) -> dict[int, tuple[str, str | None]]:
    if not ids:
        return {}
    query = select(courses.c.id, courses.c.name, courses.c.name_ru).where(courses.c.id.in_(ids))
    return {id_: (name, name_ru) for id_, name, name_ru in connection.execute(query)}
