"""Withdrawing a course created by mistake: off the lists, its open tasks withdrawn, its history kept.

The process state is left as it was, so a replay still reproduces it; the
instance stops (no task, no timer) and the course record says who withdrew it,
when and why.
"""
from __future__ import annotations

from typing import Any, cast

from sqlalchemy import CursorResult, delete, select, update
from sqlalchemy.orm import Session

from engine.base import clock
from engine.base.errors import ChangedMeanwhile, NotFound, Refused
from engine.base.models import Course, Instance, OpenTask
from engine.base.vocabulary import EventKind
from engine.proof import audit


def withdraw(session: Session, course_id: int, reason: str, login: str) -> int:
    """Withdraw the course; return how many open tasks were withdrawn with it."""
    course = session.get(Course, course_id)
    if course is None:
        raise NotFound(f"There is no course {course_id}.", reason="no_course", course=course_id)
    reason = reason.strip()
    if not reason:
        raise Refused("reason_required", "say why the course is withdrawn")
    if course.withdrawn_at is not None:
        raise Refused("already_withdrawn", f"the course {course.name!r} was already withdrawn", name=course.name)
    now = clock.now()
    instance = session.get(Instance, course.instance_id)
    if instance is None:
        raise NotFound(f"The course {course.name!r} has no process instance to withdraw; run 'courseflow verify'.", reason="no_instance", instance="")
    version = instance.version
    tasks = list(session.scalars(select(OpenTask).where(OpenTask.instance_id == instance.id)
                                 .order_by(OpenTask.id).with_for_update()))
    events = [audit.NewEvent(EventKind.TASK_WITHDRAWN, instance_id=instance.id, definition_id=t.definition_id, actor=login,
                             role=t.role, scope=t.scope, task_id=t.id, process_id=t.process_id, bpmn_id=t.bpmn_id,
                             mi_key=t.mi_key, data={"name": t.name, "reason": reason}) for t in tasks]
    events.append(audit.NewEvent(EventKind.COURSE_WITHDRAWN, instance_id=instance.id, definition_id=instance.definition_id,
                                 actor=login, process_id=instance.process_id,
                                 data={"course": course.id, "name": course.name, "reason": reason}))
    session.execute(delete(OpenTask).where(OpenTask.instance_id == instance.id))
    last_hash = audit.append(session, events, now, instance.last_event_hash)
    moved = cast(CursorResult[Any], session.execute(update(Instance).where(Instance.id == instance.id, Instance.version == version).values(
        status="cancelled", next_timer_at=None, completed_at=now, updated_at=now, last_event_hash=last_hash,
        version=version + 1)))
    if moved.rowcount != 1:
        raise ChangedMeanwhile("Someone acted on this course at the same moment; nothing was withdrawn. "
                               "Reload and try again.", reason="changed_meanwhile")
    course.withdrawn_at, course.withdrawn_by, course.withdrawn_reason = now, login, reason
    course.updated_at = now
    return len(tasks)
