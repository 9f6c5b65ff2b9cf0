"""§9 monitoring pages: a course's figures with imports of the platform's reports, and the sector overview (9.3).

A course's page is the sector administrator's and the course's coordinator's (participants are personal
data); the overview — figures only — also TC 4's. The engine checks the same rules again.
"""
from __future__ import annotations

import csv
import io
from collections.abc import Callable

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from engine import MONITORING_KINDS, ActivityFigures, CourseFlowError, FileRefused, ImportReport, Period

from . import charts
from .extensions import engine
from .refusals import explain

bp = Blueprint("monitoring", __name__, url_prefix="/monitoring")


def N_(message: str) -> str:
    """Marks a message for translation where it is defined; it is translated where shown."""
    return message


KIND_LABELS = {"activity-completion": N_("Activity completion"), "course-completion": N_("Course completion"),
               "quiz-grades": N_("Quiz grades"), "participation": N_("Activity report (views)"),
               "web-services": N_("Platform web services")}
STATE_LABELS = {"incomplete": N_("not completed"), "complete": N_("completed"), "passed": N_("passed"),
                "failed": N_("failed"), "viewed": N_("viewed")}
PAGE_PEOPLE = 500  # shown on the page; the export holds everyone
SORT_KEYS = ("name", "status", "participants", "completed_course", "completion_rate", "activities", "views")


@bp.before_request
@login_required
def _logged_in():
    return None


def _period() -> Period:
    start, end = request.values.get("from", "").strip(), request.values.get("to", "").strip()
    try:
        return Period.parse(f"{start}..{end}" if start or end else None)
    except CourseFlowError:
        flash(_("The period needs two dates (YYYY-MM-DD), the first not after the second."), "error")
        return Period()


def _require_course(course_id: int):
    course = engine().course(course_id)
    if not engine().may_monitor(course_id, current_user.actor):
        abort(403)
    return course


@bp.route("/courses/<int:course_id>")
def course(course_id: int):
    found = _require_course(course_id)
    period = _period()
    summary = engine().monitoring_summary(course_id, current_user.actor, period)
    people = engine().participant_states(course_id, current_user.actor, PAGE_PEOPLE + 1)
    months = list(summary.completions_by_month)
    names = [a.name for a in summary.activities]
    over_time = charts.columns(months, [(name, [summary.completions_by_month[m].get(name, 0) for m in months])
                                        for name in names])
    outcomes = charts.hbars(names, [(_("completed"), [a.completed for a in summary.activities]),
                                    (_("passed"), [a.passed for a in summary.activities]),
                                    (_("failed"), [a.failed for a in summary.activities])])
    periods = sorted({p for p, _a, _v, _n in summary.views_by_period})
    views = charts.columns(periods, [(name, [sum(v for p2, a, v, _n in summary.views_by_period if p2 == p and a == name)
                                             for p in periods]) for name in names])
    return render_template("monitoring.html", course=found, summary=summary, people=people, period=period,
                           kinds=MONITORING_KINDS, kind_labels=KIND_LABELS, state_labels=STATE_LABELS, page_people=PAGE_PEOPLE,
                           over_time=over_time, outcomes=outcomes, views=views,
                           platform_link=_http(found.platform_url))


@bp.route("/courses/<int:course_id>/import", methods=["POST"])
def upload(course_id: int):
    _require_course(course_id)
    upload_file = request.files.get("file")
    if upload_file is None or not upload_file.filename:
        return _back(course_id, _("Choose a file downloaded from the platform."))
    kind = request.form.get("kind") or None
    pass_grade = request.form.get("pass_grade", "").strip()
    try:
        grade = float(pass_grade.replace(",", ".")) if pass_grade else None
    except ValueError:
        return _back(course_id, _("The pass grade must be a number (percent of the maximum grade)."))
    return _import(course_id, N_("The file was refused and nothing was stored: %(reason)s"),
                   lambda: engine().import_monitoring(
                       course_id, upload_file.read(), upload_file.filename, current_user.actor,
                       kind if kind in MONITORING_KINDS else None, _period(),
                       request.form.get("activity", "").strip() or None, grade))


@bp.route("/courses/<int:course_id>/figures", methods=["POST"])
def figures(course_id: int):
    _require_course(course_id)
    typed = []
    for name, views, users in zip(request.form.getlist("activity"), request.form.getlist("views"),
                                  request.form.getlist("participants")):
        if not name.strip():
            continue
        try:
            typed.append(ActivityFigures(name.strip(), int(views or 0), int(users or 0)))
        except ValueError:
            return _back(course_id, _("Views and participants must be whole numbers."))
    return _import(course_id, N_("The figures were refused and nothing was stored: %(reason)s"),
                   lambda: engine().import_figures(course_id, typed, _period(), current_user.actor))


def _import(course_id: int, refused: str, run: Callable[[], ImportReport]) -> Response:
    """Run one import (9.2) and say what it stored, or why nothing was (``refused``: a msgid with ``%(reason)s``)."""
    try:
        report = run()
    except FileRefused as error:
        return _back(course_id, _(refused, reason=explain(error)))
    except CourseFlowError as error:
        return _back(course_id, explain(error))
    _flash_report(report)
    return _back(course_id)


def _back(course_id: int, refusal: str = "") -> Response:
    """Back to the course's monitoring page, saying first why nothing was done when there is a ``refusal``."""
    if refusal:
        flash(refusal, "error")
    return redirect(url_for("monitoring.course", course_id=course_id))


@bp.route("/courses/<int:course_id>/platform", methods=["POST"])
def platform(course_id: int):
    _require_course(course_id)
    try:
        engine().set_platform_course(course_id, request.form.get("platform_course_id"),
                                     request.form.get("platform_url"), current_user.actor)
    except CourseFlowError as error:
        flash(explain(error), "error")
    else:
        flash(_("The course on the platform was saved."), "ok")
    return redirect(url_for("monitoring.course", course_id=course_id))


@bp.route("/courses/<int:course_id>/export/<table>.<fmt>")
def export(course_id: int, table: str, fmt: str):
    _require_course(course_id)
    if table not in ("activities", "participants") or fmt not in ("csv", "xlsx"):
        abort(404)
    rows = _activity_rows(course_id) if table == "activities" else _participant_rows(course_id)
    name = f"course-{course_id}-{table}.{fmt}"
    if fmt == "csv":
        out = io.StringIO()
        csv.writer(out).writerows([[_safe_cell(c) for c in row] for row in rows])
        return Response("\ufeff" + out.getvalue(), mimetype="text/csv",
                        headers={"Content-Disposition": f"attachment; filename={name}"})
    return Response(_xlsx(rows), mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": f"attachment; filename={name}"})


def _activity_rows(course_id: int) -> list[list]:
    summary = engine().monitoring_summary(course_id, current_user.actor, _period())
    rows: list[list] = [[_("Activity"), _("Completed"), _("Passed"), _("Failed"), _("Not completed"), _("Viewed only"), _("Views"),
                         _("Viewers"), _("Median time (min)")]]
    rows += [[a.name, a.completed, a.passed, a.failed, a.incomplete, a.viewed, a.views, a.viewers, a.median_minutes]
             for a in summary.activities]
    return rows


def _participant_rows(course_id: int) -> list[list]:
    people = engine().participant_states(course_id, current_user.actor)
    names = [a.activity for a in people[0].activities] if people else []
    rows: list[list] = [[_("Participant"), _("E-mail"), _("Platform id"), _("Course"), *names]]
    for p in people:
        rows.append([p.name, p.email or "", p.platform_id or "", _(STATE_LABELS.get(p.course_state or "", "")) if
                     p.course_state else "", *[_(STATE_LABELS[a.state]) + (f" {a.at:%Y-%m-%d}" if a.at else "")
                                               for a in p.activities]])
    return rows


def _safe_cell(value) -> str:
    """A cell a spreadsheet will not run as a formula (names come from uploaded files)."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _xlsx(rows: list[list]) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    for row in rows:
        sheet.append([value if isinstance(value, int | float) or value is None else _safe_cell(value) for value in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _flash_report(report) -> None:
    if report.unchanged:
        flash(_("This file was imported before: nothing changed."), "ok")
        return
    flash(_("Imported %(rows)s rows: %(participants)s participants (%(new)s new), %(activities)s activities; "
            "%(added)s results added, %(updated)s updated.", rows=report.rows, participants=report.participants,
            new=report.new_participants, activities=report.activities, added=report.added,
            updated=report.updated), "ok")


def _http(url: str | None) -> str | None:
    return url if url and url.lower().startswith(("http://", "https://")) else None


@bp.route("/")
def overview():
    if not any(current_user.actor.holds(role) for role in ("sector_administrator", "tc4")):
        abort(403)
    period = _period()
    found = engine().monitoring_overview(current_user.actor, period)
    sort = request.args.get("sort", "name")
    sort = sort if sort in SORT_KEYS else "name"
    descending = request.args.get("order") == "desc"
    courses = sorted(found.courses, key=lambda c: _sort_value(getattr(c, sort)), reverse=descending)
    return render_template("monitoring_overview.html", overview=found, courses=courses, period=period, sort=sort,
                           descending=descending, certificates=engine().certificate_counts(period))


def _sort_value(value):
    return (value is None, value.casefold() if isinstance(value, str) else value if value is not None else 0)
