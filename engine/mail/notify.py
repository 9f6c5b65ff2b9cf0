"""Mail about tasks that have just become available, written in the transaction that opened them (the
runtime calls :func:`task_opened` where it inserts new open-task rows)."""
from __future__ import annotations

import os

from sqlalchemy import insert, select
from sqlalchemy.engine import Connection

from engine.base.models import Course
from engine.mail import letters, outbox, recipients, settings
from engine.mail.models import OFF, TaskDue

courses = Course.__table__


def task_opened(connection: Connection, rows: list[dict]) -> None:
    """Queue one letter per person who may do each new task (held for a digest, or none, as each chose), and
    note each task's due date for its reminder and overdue notice (see :mod:`engine.mail.notices`)."""
    base_url, domain = settings.base_url(os.environ), settings.domain_from_env(os.environ)
    names = _course_names(connection, {row["course_id"] for row in rows} - {None})
    queued = []
    for row in rows:
        task = letters.TaskFacts(row["id"], row["name"], row["name_ru"], row["due_at"],
                                 *names.get(row["course_id"], (None, None)))
        for person in recipients.for_task(connection, row["role"], row["scope"], row["assignee"]):
            if person.frequency != OFF and person.address:
                queued.append(outbox.row(person, "task_opened", letters.task_opened(person, task, base_url), domain,
                                         task.id, row["course_id"], digestible=True))
    outbox.queue(connection, queued)
    dues = [{"task_id": row["id"], "due_at": row["due_at"]} for row in rows if row["due_at"] is not None]
    if dues:
        connection.execute(insert(TaskDue), dues)


def _course_names(connection: Connection, ids: set[int]) -> dict[int, tuple[str, str | None]]:
    if not ids:
        return {}
    query = select(courses.c.id, courses.c.name, courses.c.name_ru).where(courses.c.id.in_(ids))
    return {id_: (name, name_ru) for id_, name, name_ru in connection.execute(query)}
