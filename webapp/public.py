"""The public, anonymous satisfaction questionnaire of a published course (11.1, Appendix 3).

No login and no identity: the answers are recorded as those of an anonymous
course participant, with nothing that identifies the person.
"""
from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template, request, session
from flask_babel import gettext as _

from engine import CATALOGUE_STATUSES, Actor, InvalidData, NotFound

from . import schemaform
from .extensions import engine
from .rate_limit import RateLimit

bp = Blueprint("public", __name__, url_prefix="/survey")
PROCESS = "satisfaction"
ANONYMOUS = Actor("anonymous", frozenset({("student", None)}))


@bp.route("/<int:course_id>", methods=["GET", "POST"])
def questionnaire(course_id: int):
    try:
        course = engine().course(course_id)
    except NotFound:
        abort(404)
    if course.status not in CATALOGUE_STATUSES:
        abort(404)
    schema = engine().start_form(PROCESS)
    shown = {**schema, "properties": {k: v for k, v in schema["properties"].items() if k != "course_id"}}
    values, errors, done = {}, {}, False
    answered = session.get("answered", [])
    if request.method == "POST":
        if course_id in answered:
            return _refused(course, schema, shown, _("This browser has answered this questionnaire already."))
        if not current_app.extensions.setdefault("survey_rate_limit", RateLimit()).allow(request.remote_addr or ""):
            return _refused(course, schema, shown, _("Too many answers from your network just now; "
                                                     "please try again later."))
        values = schemaform.parse(shown, request.form)
        try:
            engine().start(PROCESS, {**values, "course_id": course_id}, ANONYMOUS)
            session["answered"] = [*answered[-50:], course_id]
            done = True
        except InvalidData as error:
            errors = schemaform.errors_by_field(error.errors)
    return render_template("survey.html", course=course, done=done, schema=schema,
                           fields=schemaform.fields(shown, values, errors),
                           thanks=_("Thank you: your answers were recorded anonymously.")), 422 if errors else 200


def _refused(course, schema, shown, message: str):
    return render_template("survey.html", course=course, done=False, schema=schema, refused=message,
                           fields=schemaform.fields(shown, {}, {}), thanks=""), 429
