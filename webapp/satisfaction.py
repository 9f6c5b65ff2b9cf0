"""§11 satisfaction pages: a course's questionnaire results (11.1, 11.2) with charts, CSV and XLSX export, and
how its questionnaire is answered (open link or single-use codes)."""
from __future__ import annotations

import csv
import io

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from engine import GRADES, SCORES, InvalidPeriod, SatisfactionResults

from .extensions import engine
from .i18n import lang

bp = Blueprint("satisfaction", __name__, url_prefix="/courses")
CHART_QUARTERS = 8  # the trend charts show the newest quarters


def grade_names() -> dict[str, str]:
    return {"excellent": _("Excellent"), "good": _("Good"), "satisfactory": _("Satisfactory"),
            "unsatisfactory": _("Unsatisfactory")}


def criterion_title(criterion) -> str:
    return criterion.title_ru if lang() == "ru" else criterion.title


@bp.route("/<int:course_id>/satisfaction")
@login_required
def results(course_id: int):
    course = engine().course(course_id)
    period = request.args.get("period", "").strip()
    try:
        found = engine().satisfaction(course_id, current_user.actor, period)
    except InvalidPeriod:
        flash(_("The period must be FROM..TO with dates (YYYY-MM-DD) or quarters (YYYY-Qn), e.g. 2026-Q1..2026-Q2."),
              "error")
        return redirect(url_for("satisfaction.results", course_id=course_id))
    manage = engine().may_manage_questionnaire(course_id, current_user.actor)
    return render_template("satisfaction.html", course=course, results=found, period=period, grades=GRADES,
                           grade_names=grade_names(), scores=SCORES, criterion_title=criterion_title,
                           trend=found.quarters[-CHART_QUARTERS:], manage=manage,
                           analyses=engine().quarterly_analyses(course_id),
                           access=engine().questionnaire_access(course_id) if manage else None,
                           unused=engine().unused_questionnaire_codes(course_id) if manage else 0)


@bp.route("/<int:course_id>/satisfaction.csv")
@login_required
def results_csv(course_id: int):
    found = _results_or_404(course_id)
    text = io.StringIO()
    writer = csv.writer(text)
    for row in table_rows(found):
        writer.writerow(row)
    return Response("\ufeff" + text.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": f"attachment; filename=satisfaction-{course_id}.csv"})


@bp.route("/<int:course_id>/satisfaction.xlsx")
@login_required
def results_xlsx(course_id: int):
    from openpyxl import Workbook

    found = _results_or_404(course_id)
    book = Workbook()
    sheet = book.active
    sheet.title = _("Results")[:31]
    for row in table_rows(found):
        sheet.append(row)
    sheet.column_dimensions["A"].width = 45
    data = io.BytesIO()
    book.save(data)
    return Response(data.getvalue(), mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": f"attachment; filename=satisfaction-{course_id}.xlsx"})


def _results_or_404(course_id: int) -> SatisfactionResults:
    try:
        return engine().satisfaction(course_id, current_user.actor, request.args.get("period", ""))
    except InvalidPeriod:
        abort(400)


def table_rows(found: SatisfactionResults) -> list[list]:
    """The results as rows of one table (the same for CSV and XLSX), with the small-group rule applied."""
    names = grade_names()
    rows: list[list] = [[_("Answers"), found.answers]]
    if found.period:
        rows.append([_("Period"), found.period])
    if not found.shown:
        rows.append([_("Fewer answers than %(n)s: only the count is shown, to keep them anonymous.",
                       n=found.min_answers)])
        return rows
    rows += [[], [_("Criterion"), *(names[g] for g in GRADES), _("Mean score (Excellent 4 … Unsatisfactory 1)")]]
    rows += [[criterion_title(c), *(c.counts[g] for g in GRADES), c.mean] for c in found.criteria]
    rows += [[], [_("Quarter"), _("Answers"), *(criterion_title(c) for c in found.criteria)]]
    rows += [[q.quarter, q.answers, *(q.means.get(c.key) if q.shown else None for c in found.criteria)]
             for q in found.quarters]
    rows += [[], [_("Proposals and comments")], *([comment] for comment in found.comments)]
    rows += [[], [_("Participation: from"), _("to")], *(list(p) for p in found.participation)]
    return rows


@bp.route("/<int:course_id>/questionnaire/access", methods=["POST"])
@login_required
def set_access(course_id: int):
    mode = request.form.get("mode", "")
    if mode not in ("open", "codes"):
        abort(400)
    engine().set_questionnaire_access(course_id, mode, current_user.actor)
    flash(_("The questionnaire now needs a single-use code.") if mode == "codes"
          else _("The questionnaire is now open to anyone with the link."), "ok")
    return redirect(url_for("satisfaction.results", course_id=course_id) + "#questionnaire")


@bp.route("/<int:course_id>/questionnaire/codes", methods=["POST"])
@login_required
def make_codes(course_id: int):
    count = request.form.get("count", type=int)
    if count is None or not 1 <= count <= 500:
        flash(_("Ask for between 1 and 500 codes at a time."), "error")
        return redirect(url_for("satisfaction.results", course_id=course_id) + "#questionnaire")
    codes = engine().issue_questionnaire_codes(course_id, count, current_user.actor)
    return render_template("questionnaire_codes.html", course=engine().course(course_id), codes=codes)
