"""§11.3 and §9.3 pages: the course-independent documents (the final annual reports to TC 4) with their
downloads, the draft of a year as PDF or XLSX, and starting the year's report for the administrator's review."""
from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from engine import CourseFlowError

from .extensions import engine
from .i18n import lang
from .refusals import explain

bp = Blueprint("reports", __name__, url_prefix="/documents")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.route("/")
@login_required
def documents():
    actor = current_user.actor
    found = engine().documents(actor)
    runs = engine().annual_report_runs(actor)
    year = engine().clock.now().year - 1
    return render_template("documents.html", documents=found, runs=runs, year=year,
                           may_start=actor.holds("sector_administrator"))


@bp.route("/<int:document_id>")
@login_required
def download(document_id: int):
    found = engine().document(document_id, current_user.actor)
    return Response(found.content, mimetype=found.document.content_type,
                    headers={"Content-Disposition": f"attachment; filename={found.document.filename}",
                             "X-Content-SHA256": found.document.sha256})


@bp.route("/draft/<int:year>.pdf")
@login_required
def draft_pdf(year: int):
    language = request.args.get("lang") or lang()
    content = _made(lambda: engine().annual_report_pdf(year, "ru" if language == "ru" else "en",
                                                        current_user.actor, draft=True))
    return Response(content, mimetype="application/pdf",
                    headers={"Content-Disposition": f"attachment; filename=annual-report-{year}-draft.pdf"})


@bp.route("/draft/<int:year>.xlsx")
@login_required
def draft_xlsx(year: int):
    content = _made(lambda: engine().annual_report_xlsx(year, current_user.actor))
    return Response(content, mimetype=XLSX,
                    headers={"Content-Disposition": f"attachment; filename=annual-report-{year}-draft.xlsx"})


@bp.route("/annual-report", methods=["POST"])
@login_required
def start():
    year = request.form.get("year", type=int)
    if year is None:
        flash(_("Give the year as four digits, e.g. 2026."), "error")
        return redirect(url_for("reports.documents"))
    try:
        engine().start_annual_report(year, current_user.actor)
    except CourseFlowError as error:
        flash(explain(error), "error")
        return redirect(url_for("reports.documents"))
    flash(_("The annual report for %(year)s is in your inbox for review.", year=year), "ok")
    return redirect(url_for("tasks.inbox"))


def _made(make) -> bytes:
    try:
        return make()
    except CourseFlowError as error:
        abort(404, explain(error))
