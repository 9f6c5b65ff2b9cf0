"""Each role's own lists (issue 13): *My courses* for creators, coordinators and implementers, *My CSB* for
the chairs and members of the specialized CSBs (7.1-7.5)."""
from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user, login_required

from engine import Actor, CourseView, TaskFilter

from .courses import _agreeing
from .extensions import engine
from .i18n import course_name

bp = Blueprint("workspace", __name__, url_prefix="/my")
IN_WORK = ("planned", "in preparation", "agreeing", "under review", "updating")
CSB_ROLES = ("csb_chair", "csb_member")


def my_parts(course: CourseView, actor: Actor) -> list[str]:
    """The roles in which ``actor`` works on ``course``: its creator, its coordinator, an implementer."""
    parts = [role for role, login in (("course_creator", course.creator), ("course_coordinator", course.coordinator))
             if login == actor.login]
    if actor.holds("implementer") and course.status in IN_WORK:
        parts.append("implementer")
    return parts


@bp.route("/courses")
@login_required
def courses() -> str:
    actor = current_user.actor
    rows = []
    for course in engine().courses():
        parts = my_parts(course, actor)
        if parts:
            waiting = engine().tasks(None, TaskFilter(course_id=course.id))
            rows.append({"course": course, "parts": parts, "waiting": waiting,
                         "due": min((t.due for t in waiting if t.due), default=None)})
    rows.sort(key=lambda row: course_name(row["course"]).casefold())
    return render_template("my_courses.html", rows=rows, now=engine().clock.now())


@bp.route("/csb")
@login_required
def csb() -> str:
    """7.1-7.5: the courses in agreeing with each CSB the person sits on, the sheets given and the due dates."""
    actor = current_user.actor
    scopes = {scope for role, scope in actor.grants if role in CSB_ROLES}
    every = None in scopes
    rows = []
    for course in engine().courses():
        mine = [c for c in course.csbs if every or c in scopes]
        if mine:
            waiting = engine().tasks(None, TaskFilter(course_id=course.id))
            for row in _agreeing(mine, waiting, engine().sheets(course.id)):
                rows.append({"course": course, **row})
    rows.sort(key=lambda row: (row["csb"], course_name(row["course"]).casefold()))
    return render_template("my_csb.html", rows=rows, now=engine().clock.now(),
                           csbs=sorted(s for s in scopes if s) if not every else [])
