"""Reminders before a task's due date and overdue notices after it (7.3: they replace the administrator's
hand-typed reminder, which stays a record), each given once per task whoever runs the scan."""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.orm import Session

from engine.base import clock
from engine.base.models import Course, OpenTask
from engine.mail import letters, outbox, recipients
from engine.mail.models import OFF, MailJob, TaskDue, TaskNotice
from engine.mail.recipients import Person
from engine.mail.settings import MailSettings

REMINDER, OVERDUE = "reminder", "overdue"


def scan(session: Session, settings: MailSettings, domain: str, skip_locked: bool) -> int:
    """Queue the reminders and overdue notices now due; return how many letters were queued.

    The ``notices`` job row is locked for the scan, so a second worker skips it
    (PostgreSQL) or waits for it (SQLite's single writer) and finds nothing left to do.
    """
    now = clock.now()
    job = select(MailJob).where(MailJob.name == "notices").with_for_update(skip_locked=skip_locked)
    if session.scalars(job).first() is None:
        return 0
    session.execute(delete(TaskDue).where(TaskDue.task_id.not_in(select(OpenTask.id))))
    due_at = func.coalesce(OpenTask.due_at, TaskDue.due_at)
    due = session.execute(
        select(OpenTask, due_at, Course.name, Course.name_ru).outerjoin(Course, Course.id == OpenTask.course_id)
        .outerjoin(TaskDue, TaskDue.task_id == OpenTask.id)
        .where(due_at.is_not(None), due_at <= now + settings.remind_before)).all()
    given = set(session.execute(select(TaskNotice.task_id, TaskNotice.kind).where(
        TaskNotice.task_id.in_([row[0].id for row in due])))) if due else set()
    rows, notices = [], []
    for task, when, course, course_ru in due:
        kind = REMINDER if when > now else OVERDUE
        if (task.id, kind) in given:
            continue
        facts = letters.TaskFacts(task.id, task.name, task.name_ru, when, course, course_ru)
        if kind == OVERDUE or task.created_at < when - settings.remind_before:
            rows += _letters(session, kind, task, facts, settings, domain, now)
        # else the task's whole timeframe is shorter than the reminder's: its first mail gave the due date
        notices.append({"task_id": task.id, "kind": kind, "given_at": now})
    if notices:
        session.execute(insert(TaskNotice), notices)
    outbox.queue(session.connection(), rows)
    session.execute(update(MailJob).where(MailJob.name == "notices").values(last_run_at=now))
    return len(rows)


def _letters(session: Session, kind: str, task: OpenTask, facts: letters.TaskFacts, settings: MailSettings,
             domain: str, now: dt.datetime) -> list[dict[str, Any]]:
    connection = session.connection()
    people = recipients.for_task(connection, task.role, task.scope, task.assignee)
    readers: list[Person] = list(people)
    if kind == OVERDUE:  # the sector administrator hears of it too, once
        readers += [p for p in recipients.holding(connection, "sector_administrator") if p not in people]
    rows = []
    for person in readers:
        if person.frequency == OFF or not person.address:
            continue
        letter = (letters.reminder(person, facts, now, settings.base_url) if kind == REMINDER
                  else letters.overdue(person, facts, now, people, settings.base_url))
        rows.append(outbox.row(person, kind, letter, domain, task.id, task.course_id))
    return rows
