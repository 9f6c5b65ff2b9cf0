"""Opening a course once per *New course* submission (6.2): the form's token makes a double submit one course,
and a course named like a live one is opened only when the administrator confirms it."""
from __future__ import annotations

import re
from collections.abc import Callable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.base import clock
from engine.base.errors import ProcessFailed, Refused
from engine.base.models import Course, CourseRequest, Instance

_TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


def already_opened(session: Session, token: str) -> int | None:
    """The course an earlier submission with ``token`` opened, if any."""
    if not _TOKEN.match(token or ""):
        raise Refused("token_invalid", "the form has no valid submission token: reload the New course page")
    found = session.get(CourseRequest, token)
    return found.course_id if found is not None else None


def refuse_same_name(session: Session, name: str) -> None:
    """A live course (not cancelled, not withdrawn) with the same name needs the administrator's confirmation."""
    same = session.scalars(select(Course).where(func.lower(Course.name) == name.strip().lower(),
                                                Course.status != "cancelled", Course.withdrawn_at.is_(None))
                           .limit(1)).first()
    if same is not None:
        raise Refused("course_name_taken", f"a course named {same.name!r} is already in the List of created "
                      "courses: confirm that this is another course", name=same.name, course=str(same.id))


def open_once(session: Session, token: str, login: str, start: Callable[[], str]) -> int:
    """Record the submission, start the course's process, and return the new course's id."""
    request = CourseRequest(token=token, course_id=None, requested_by=login, requested_at=clock.now())
    session.add(request)
    session.flush()  # a concurrent double submit stops here (same primary key)
    instance_id = start()
    course_id = session.scalar(select(Instance.course_id).where(Instance.id == instance_id))
    if course_id is None:
        raise ProcessFailed("The course's process started but recorded no course: its first task must open the "
                            "course record (6.2). Check the deployed process.")
    request.course_id = course_id
    return course_id
