"""Who may read a course's satisfaction results (11.2, 11.3): the course's own coordinator, the sector
administrators, TC 4 and auditors."""
from __future__ import annotations

from engine.base.errors import NotAllowed
from engine.registry.courses import CourseView
from engine.registry.roles import Actor

READERS = ("sector_administrator", "tc4", "auditor")


def may_read(actor: Actor, course: CourseView) -> bool:
    if any(actor.holds(role) for role in READERS):
        return True
    return actor.holds("course_coordinator") and course.coordinator == actor.login


def require_reader(actor: Actor, course: CourseView) -> None:
    if not may_read(actor, course):
        raise NotAllowed("The satisfaction results of this course are for its coordinator, the sector "
                         "administrators, TC 4 and auditors only.", reason="needs_role", roles=["course_coordinator", "sector_administrator", "tc4", "auditor"])


def may_manage_codes(actor: Actor, course: CourseView) -> bool:
    """The coordinator hands out the questionnaire's codes; a sector administrator may stand in."""
    return actor.holds("sector_administrator") or (actor.holds("course_coordinator")
                                                   and course.coordinator == actor.login)
