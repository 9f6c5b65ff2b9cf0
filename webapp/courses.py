"""Courses: the List of created courses (6.2), the catalogue (8.2), a course's page and printable sheets,
starting a course (§6) and asking for an inspection (13.1)."""
from __future__ import annotations

import datetime as dt

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from engine import CATALOGUE_STATUSES, LIST_STATUSES, InvalidData, TaskFilter, TaskNotOpen

from . import schemaform
from .extensions import engine
from .params import db_int

bp = Blueprint("courses", __name__, url_prefix="/courses")
COURSE_PROCESS = "course_creation"
LISTS = {"list": LIST_STATUSES, "catalogue": CATALOGUE_STATUSES, "cancelled": ("cancelled",)}


@bp.route("/")
@login_required
def index():
    which = request.args.get("which", "list")
    if which not in LISTS:
        abort(404)
    return render_template("courses.html", courses=engine().courses(LISTS[which]), which=which)


@bp.route("/<int:course_id>")
@login_required
def course(course_id: int):
    found = engine().course(course_id)
    open_tasks = engine().tasks(None, TaskFilter(course_id=course_id))
    return render_template("course.html", course=found, open_tasks=open_tasks, sheets=engine().sheets(course_id),
                           history_reader=engine().may_read_history(current_user.actor))


@bp.route("/<int:course_id>/sheets/<int:seq>")
@login_required
def sheet(course_id: int, seq: int):
    """One submitted sheet (Appendix 1, 2 …) as a clean printable page."""
    found = next((s for s in engine().sheets(course_id) if s.seq == seq), None)
    if found is None:
        abort(404)
    return render_template("sheet.html", course=engine().course(course_id), sheet=found)


@bp.route("/<int:course_id>/diagram")
@login_required
def diagram(course_id: int):
    """Each process the course ran, drawn from its own version's BPMN, with the path taken marked."""
    from .diagram import render

    drawings = [(drawing.process_id, render(drawing))
                for drawing in engine().diagrams(course_id, reader=current_user.actor)]
    return render_template("diagram.html", course=engine().course(course_id), drawings=drawings)


@bp.route("/<int:course_id>/replay")
@login_required
def step_through(course_id: int):
    """Step through the course's history event by event: what was open, who could act, the data, the diagram."""
    from .diagram import render

    all_steps = engine().steps(course_id, reader=current_user.actor)
    if not all_steps:
        abort(404)
    index = min(max(request.args.get("step", 1, type=db_int), 1), len(all_steps)) - 1
    step = all_steps[index]
    drawings = [(drawing.process_id, render(drawing)) for drawing in engine().diagrams(course_id, step.path, reader=current_user.actor)]
    return render_template("replay.html", course=engine().course(course_id), step=step, number=index + 1,
                           total=len(all_steps), drawings=drawings)


@bp.route("/<int:course_id>/history")
@login_required
def history(course_id: int):
    """The course's whole history (every process instance), filtered, with the proof by re-execution."""
    found = engine().course(course_id)
    since, until = _day(request.args.get("since")), _day(request.args.get("until"), end=True)
    entries = engine().history(course_id, reader=current_user.actor, process=request.args.get("process") or None,
                               role=request.args.get("role") or None, actor=request.args.get("actor") or None,
                               since=since, until=until)
    outcomes = engine().replay_course(course_id, reader=current_user.actor) if request.args.get("replay") else None
    return render_template("history.html", course=found, entries=entries, outcomes=outcomes, args=request.args)


def _day(text: str | None, end: bool = False):
    """A date filter (YYYY-MM-DD) as a UTC instant; the end of the day for "until"."""
    if not text:
        return None
    try:
        day = dt.datetime.strptime(text, "%Y-%m-%d").replace(tzinfo=dt.UTC)
    except ValueError:
        abort(400)
    if end and day.date() == dt.date.max:
        return None  # up to the end of time: no upper bound
    return day + dt.timedelta(days=1) if end else day


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    """The sector administrator opens a new course (the §6 process)."""
    schema = engine().start_form(COURSE_PROCESS) or {"type": "object", "properties": {}}
    values, errors = {}, {}
    if request.method == "POST":
        values = schemaform.parse(schema, request.form)
        try:
            engine().start(COURSE_PROCESS, values, current_user.actor)
        except InvalidData as error:
            errors = schemaform.errors_by_field(error.errors)
        else:
            flash(_("The course is in the List of created COOMET courses; TC 4 has the survey task."), "ok")
            return redirect(url_for("courses.index"))
    elif not engine().may_start(COURSE_PROCESS, current_user.actor):
        abort(403)
    status = 422 if errors else 200
    return render_template("start.html", fields=schemaform.fields(schema, values, errors), schema=schema,
                           form_error=errors.get("")), status


@bp.route("/<int:course_id>/inspection", methods=["POST"])
@login_required
def request_inspection(course_id: int):
    """13.1: the Secretariat or TC 4 asks for an inspection before the 3 years are up."""
    found = engine().course(course_id)
    try:
        engine().send_message(found.instance, "inspection_requested",
                              {"reason": request.form.get("reason", "")}, current_user.actor)
    except TaskNotOpen as error:
        flash(str(error), "error")
    else:
        flash(_("Inspection requested: the COOMET Secretariat has the inspection task."), "ok")
    return redirect(url_for("courses.course", course_id=course_id))
