"""The public, anonymous satisfaction questionnaire of a published course (11.1, Appendix 3).

No login and no identity: the answers are recorded as those of an anonymous
course participant, with nothing that identifies the person. One answer per
submission (post/redirect/get), one per browser, and a flood limit per network
address counted in memory only; a course may also ask for single-use codes.
"""
from __future__ import annotations

import secrets

from flask import Blueprint, redirect, render_template, request, session, url_for
from flask_babel import gettext as _

from engine import CATALOGUE_STATUSES, InvalidData, NotAllowed, NotFound

from . import schemaform
from .extensions import engine
from .rate_limit import N_, throttled

bp = Blueprint("public", __name__, url_prefix="/survey")
PROCESS = "satisfaction"
RATINGS = ["excellent", "good", "satisfactory", "unsatisfactory"]
ANSWERED = "questionnaires_answered"  # submission tokens already recorded (a refresh records nothing)
ANSWERED_COURSES = "answered"  # courses this browser answered (one answer per browser)


@bp.route("/<int:course_id>", methods=["GET", "POST"])
@throttled("survey", 10, 600, methods=["POST"],
           message=N_("Too many answers from your network just now; please try again later."))
def questionnaire(course_id: int):
    """Appendix 3: the four criteria as a grid; one answer per submission, then a thank-you page (PRG)."""
    course = _published(course_id)
    if course is None:
        return render_template("survey_closed.html"), 404
    schema = engine().start_form(PROCESS)
    shown = {**schema, "properties": {k: v for k, v in schema["properties"].items() if k != "course_id"}}
    values, errors = {}, {}
    submission = request.form.get("submission") or secrets.token_urlsafe(16)
    if request.method == "POST":
        if submission in session.get(ANSWERED, []):
            return redirect(url_for("public.thanks", course_id=course_id))
        if course_id in session.get(ANSWERED_COURSES, []):
            return _refused(course, schema, shown, submission,
                            _("This browser has answered this questionnaire already."))
        values = schemaform.parse(shown, request.form)
        try:
            engine().answer_questionnaire(course_id, values, request.form.get("code"))
        except InvalidData as error:
            errors = schemaform.errors_by_field(error.errors, schema)
        except NotAllowed:  # a missing or used code, or a flood: say so without detail about others' codes
            errors = {"code": _("This questionnaire needs a valid code from your course coordinator; each code "
                                "works once. If you have one, try again in a while.")}
        else:
            session[ANSWERED] = [*session.get(ANSWERED, [])[-19:], submission]
            session[ANSWERED_COURSES] = [*session.get(ANSWERED_COURSES, [])[-50:], course_id]
            return redirect(url_for("public.thanks", course_id=course_id))
    return _page(course, schema, shown, submission, values, errors), 422 if errors else 200


def _page(course, schema: dict, shown: dict, submission: str, values: dict, errors: dict, refused: str = "") -> str:
    fields = schemaform.fields(shown, values, errors)
    grid = [f for f in fields if [value for value, _text in f.choices] == RATINGS]
    return render_template("survey.html", course=course, schema=schema, submission=submission, grid=grid,
                           ratings=grid[0].choices if grid else [], fields=[f for f in fields if f not in grid],
                           all_fields=fields, needs_code=engine().questionnaire_access(course.id) == "codes",
                           code_error=errors.get("code"), refused=refused)


def _refused(course, schema: dict, shown: dict, submission: str, message: str):
    return _page(course, schema, shown, submission, {}, {}, message), 429


@bp.route("/<int:course_id>/thanks")
def thanks(course_id: int):
    """Shown after an answer is recorded; refreshing it records nothing."""
    course = _published(course_id)
    if course is None:
        return render_template("survey_closed.html"), 404
    return render_template("survey_thanks.html", course=course,
                           thanks=_("Thank you: your answers were recorded anonymously."))


def _published(course_id: int):
    try:
        course = engine().course(course_id)
    except NotFound:
        return None
    return course if course.status in CATALOGUE_STATUSES and not course.withdrawn_at else None
