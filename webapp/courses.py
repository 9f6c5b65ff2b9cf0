"""Courses: the List of created courses (6.2), the catalogue (8.2), a course's page and printable sheets,
starting a course (§6) and asking for an inspection (13.1)."""
from __future__ import annotations

import datetime as dt
import secrets

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from engine import (
    CATALOGUE_STATUSES,
    COURSE_SORTS,
    LIST_STATUSES,
    ROLES,
    CourseQuery,
    InvalidData,
    Refused,
    TaskFilter,
    TaskNotOpen,
)

from . import course_export, schemaform
from .extensions import engine
from .i18n import lang, role_name
from .params import db_int
from .refusals import explain

bp = Blueprint("courses", __name__, url_prefix="/courses")
COURSE_PROCESS = "course_creation"
LISTS = {"list": LIST_STATUSES, "catalogue": CATALOGUE_STATUSES, "cancelled": ("cancelled",)}


@bp.route("/")
@login_required
def index():
    """A course list: search, filters, sort by column, counts, and the same rows as CSV or XLSX (6.2)."""
    which = request.args.get("which", "list")
    if which not in LISTS:
        abort(404)
    query = CourseQuery(search=request.args.get("q", "").strip(), status=request.args.get("status") or None,
                        year=request.args.get("year", type=int), csb=request.args.get("csb") or None,
                        sort=request.args.get("sort") if request.args.get("sort") in COURSE_SORTS else "name",
                        descending=request.args.get("order") == "desc", language=lang())
    listed = engine().course_list(LISTS[which], query)
    titles = {"list": _("List of created COOMET courses (6.2)"), "catalogue": _("COOMET course catalogue (8.2)"),
              "cancelled": _("Cancelled courses (13.5)")}
    export = request.args.get("export")
    if export in ("csv", "xlsx"):
        return _download(listed, which, titles[which], export)
    return render_template("courses.html", listed=listed, which=which, query=query, title=titles[which],
                           args=request.args)


def _download(listed, which: str, title: str, kind: str):
    day = engine().clock.now().strftime("%Y-%m-%d")
    if kind == "csv":
        body, mimetype = course_export.as_csv(listed, which), "text/csv; charset=utf-8"
    else:
        body = course_export.as_xlsx(listed, which, title)
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return Response(body, mimetype=mimetype, headers={
        "Content-Disposition": f'attachment; filename="coomet-courses-{which}-{day}.{kind}"'})


@bp.route("/<int:course_id>")
@login_required
def course(course_id: int):
    found = engine().course(course_id)
    open_tasks = engine().tasks(None, TaskFilter(course_id=course_id))
    mine = {t.id for t in engine().tasks(current_user.actor, TaskFilter(course_id=course_id))}
    people = {person.login: person for person in engine().users()}
    sheets = engine().sheets(course_id)
    return render_template("course.html", course=found, open_tasks=open_tasks, mine=mine, people=people,
                           value_fields=_course_value_fields(),
                           now=engine().clock.now(), sheets=sheets, agreeing=_agreeing(found.csbs, open_tasks, sheets),
                           satisfaction=engine().may_read_satisfaction(course_id, current_user.actor),
                           history_reader=engine().may_read_history(current_user.actor))


COURSE_VALUE_FORMS = {"languages": "survey.json", "format": "survey.json", "access": "course_description.json"}


def _course_value_fields() -> dict[str, dict]:
    """The form fields whose option labels name a course's language, format and access (4.4-4.6)."""
    forms = engine().forms()
    return {key: forms.get(name, {}).get("properties", {}).get(key, {}) for key, name in COURSE_VALUE_FORMS.items()}


APPENDIX_1 = ("appendix1_initial.json", "appendix1_reagreeing.json")


def _agreeing(csbs: list[str], open_tasks, sheets) -> list[dict]:
    """Per CSB (7.1, 7.3): the open agreeing task (who has it, since when, due) and the last Appendix 1 verdict."""
    rows = []
    for csb in csbs:
        task = next((t for t in open_tasks if t.scope == csb and t.process == "csb_agreeing"), None)
        signed = [s for s in sheets if s.sheet in APPENDIX_1 and s.scope == csb]
        last = signed[-1] if signed else None
        verdict = None
        if last is not None:
            verdict = "complies" if last.data.get("complies") else (
                "requires refinement" if last.data.get("requires_refinement") else None)
        rows.append({"csb": csb, "task": task, "sheet": last, "verdict": verdict})
    return rows


@bp.route("/<int:course_id>/sheets/<int:seq>")
@login_required
def sheet(course_id: int, seq: int):
    """One submitted sheet (Appendix 1, 2 …) as a clean printable page."""
    found = next((s for s in engine().sheets(course_id) if s.seq == seq), None)
    if found is None:
        abort(404)
    return render_template("sheet.html", course=engine().course(course_id), sheet=found)


@bp.route("/<int:course_id>/sheets/<int:seq>.pdf")
@login_required
def sheet_pdf(course_id: int, seq: int):
    """One sheet as an A4 PDF for the Secretariat's files (8.3)."""
    found = [s for s in engine().sheets(course_id) if s.seq == seq]
    if not found:
        abort(404)
    return _pdf(course_id, found, f"course-{course_id}-sheet-{seq}.pdf")


@bp.route("/<int:course_id>/sheets.pdf")
@login_required
def sheets_pdf(course_id: int):
    """Every sheet of the course, one A4 page (or more) each, oldest first."""
    found = engine().sheets(course_id)
    if not found:
        abort(404)
    return _pdf(course_id, found, f"course-{course_id}-sheets.pdf")


def _pdf(course_id: int, sheets, filename: str) -> Response:
    from weasyprint import HTML  # loads Pango: only when a PDF is asked for

    html = render_template("sheets_pdf.html", course=engine().course(course_id), sheets=sheets)
    return Response(HTML(string=html).write_pdf(), mimetype="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@bp.route("/<int:course_id>/diagram")
@login_required
def diagram(course_id: int):
    """Each process the course's instance ran (one per CSB for 7.3's agreeing), drawn from its own version's BPMN
    by the bpmn-js viewer, with the path taken marked."""
    from .diagram import render, viewer_data

    drawings = [(drawing, render(drawing), viewer_data(drawing))
                for drawing in engine().diagrams(course_id, reader=current_user.actor)]
    return render_template("diagram.html", course=engine().course(course_id), drawings=drawings)


@bp.route("/<int:course_id>/replay")
@login_required
def step_through(course_id: int):
    """Step through the course's whole life event by event, every instance of it in the log's order: what was
    open, who could act, the data, and the diagram of the step's own instance (one per CSB for 7.3's agreeing)."""
    from .diagram import render, viewer_data

    wanted = request.args.get("step", 1, type=db_int)
    all_steps = engine().steps(course_id, reader=current_user.actor, number=wanted)
    if not all_steps:
        abort(404)
    index = min(max(wanted, 1), len(all_steps)) - 1
    step = all_steps[index]
    drawings = [(drawing, render(drawing), viewer_data(drawing)) for drawing in engine().diagrams(
        course_id, step.path, reader=current_user.actor, instance_id=step.instance_id,
        definition_id=step.definition_id)]
    return render_template("replay.html", course=engine().course(course_id), step=step, number=index + 1,
                           total=len(all_steps), drawings=drawings, steps=all_steps,
                           moments=[dt.datetime.fromisoformat(s.at) for s in all_steps])


@bp.route("/<int:course_id>/history")
@login_required
def history(course_id: int):
    """The course's whole history (every process instance), filtered, with the proof by re-execution."""
    found = engine().course(course_id)
    bad_dates = [key for key in ("since", "until") if _day(request.args.get(key), key == "until") is False]
    since, until = (None if key in bad_dates else _day(request.args.get(key), key == "until")
                    for key in ("since", "until"))
    entries = engine().history(course_id, reader=current_user.actor, process=request.args.get("process") or None,
                               role=request.args.get("role") or None, actor=request.args.get("actor") or None,
                               since=since, until=until)
    outcomes = engine().replay_course(course_id, reader=current_user.actor) if request.args.get("replay") else None
    checked_at = engine().clock.now()
    people = sorted(engine().users(), key=lambda person: (person.name or person.login).casefold())
    roles = sorted(ROLES, key=lambda key: role_name(key).casefold())
    return render_template("history.html", course=found, entries=entries, outcomes=outcomes, args=request.args,
                           bad_dates=bad_dates, people=people, roles=roles, checked_at=checked_at)


def _day(text: str | None, end: bool = False):
    """A date filter (YYYY-MM-DD) as a UTC instant; the end of the day for "until"; False if it is no date."""
    if not text:
        return None
    try:
        day = dt.datetime.strptime(text, "%Y-%m-%d").replace(tzinfo=dt.UTC)
    except ValueError:
        return False  # issue 13: shown as a form error beside the field, not a bare 400
    if end and day.date() == dt.date.max:
        return None  # up to the end of time: no upper bound
    return day + dt.timedelta(days=1) if end else day


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    """The sector administrator opens a new course (the §6 process), once per submission of the form (6.2)."""
    schema = engine().start_form(COURSE_PROCESS) or {"type": "object", "properties": {}}
    values, errors, same_name = {}, {}, None
    submission = request.form.get("submission") or secrets.token_urlsafe(24)
    if request.method == "POST":
        values = schemaform.parse(schema, request.form)
        try:
            course_id = engine().open_course(COURSE_PROCESS, values, current_user.actor, submission,
                                             same_name_confirmed=request.form.get("same_name") == "confirmed")
        except InvalidData as error:
            errors = schemaform.errors_by_field(error.errors, schema)
        except Refused as error:
            if error.reason == "course_name_taken":
                same_name = error.params
            else:
                errors = {"": explain(error)}
        else:
            flash(_("The course is in the List of created COOMET courses; TC 4 has the survey task."), "ok")
            return redirect(url_for("courses.course", course_id=course_id))
    elif not engine().may_start(COURSE_PROCESS, current_user.actor):
        abort(403)
    status = 422 if errors or same_name else 200
    return render_template("start.html", fields=schemaform.fields(schema, values, errors), schema=schema,
                           form_error=errors.get(""), submission=submission, same_name=same_name), status


@bp.route("/<int:course_id>/withdraw", methods=["POST"])
@login_required
def withdraw(course_id: int):
    """The sector administrator withdraws a course created by mistake: off the lists, open tasks withdrawn."""
    if not current_user.actor.holds("sector_administrator"):
        abort(403)
    try:
        count = engine().withdraw_course(course_id, request.form.get("reason", ""), current_user.actor)
    except Refused as error:
        flash(explain(error), "error")
    else:
        flash(_("The course is withdrawn: it left the List of created courses and %(count)s open task(s) were "
                "withdrawn. Its history stays.", count=count), "ok")
    return redirect(url_for("courses.course", course_id=course_id))


@bp.route("/<int:course_id>/inspection", methods=["POST"])
@login_required
def request_inspection(course_id: int):
    """13.1: the Secretariat or TC 4 asks for an inspection before the 3 years are up."""
    found = engine().course(course_id)
    try:
        engine().send_message(found.instance, "inspection_requested",
                              {"reason": request.form.get("reason", "")}, current_user.actor)
    except TaskNotOpen as error:
        flash(explain(error), "error")
    else:
        flash(_("Inspection requested: the COOMET Secretariat has the inspection task."), "ok")
    return redirect(url_for("courses.course", course_id=course_id))
