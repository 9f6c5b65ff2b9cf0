"""Who may see a course's monitoring data (personal data, §9): the sector administrator and the course's coordinator."""
from __future__ import annotations

from engine.base.errors import NotAllowed
from engine.base.models import Course
from engine.registry.roles import Actor

OVERVIEW_ROLES = ("sector_administrator", "tc4")  # the sector's figures, no personal data (9.3)


def may_monitor(actor: Actor, course: Course) -> bool:
    return actor.holds("sector_administrator") or (
        actor.holds("course_coordinator") and course.coordinator == actor.login)


def require_monitor(actor: Actor, course: Course) -> None:
    if not may_monitor(actor, course):
        raise NotAllowed("Only the sector administrator and the course's coordinator may see or import its "
                         "monitoring data (§9).", reason="needs_role", roles=["sector_administrator", "course_coordinator"])


def require_overview(actor: Actor) -> None:
    if not any(actor.holds(role) for role in OVERVIEW_ROLES):
        raise NotAllowed("The sector's monitoring overview is for the sector administrator and TC 4 (9.3).", reason="needs_role", roles=["sector_administrator", "tc4"])
