"""The auditor's downloads and checks: a course's dossier (JSON, offline HTML, PDF) and the whole log verified."""
from __future__ import annotations

import json

from flask import Blueprint, Response, abort, render_template, request
from flask_login import current_user, login_required

from engine import Engine, Refused

from .extensions import engine
from .refusals import explain

bp = Blueprint("audit", __name__)


@bp.route("/courses/<int:course_id>/dossier.json")
@login_required
def dossier_json(course_id: int):
    """Exactly what `courseflow export` writes: `courseflow verify-dossier` checks the downloaded file."""
    exported = engine().export_dossier(course_id, reader=current_user.actor)
    return _attachment(json.dumps(exported, ensure_ascii=False, indent=1), "application/json; charset=utf-8",
                       f"course-{course_id}-dossier.json")


@bp.route("/courses/<int:course_id>/dossier.html")
@login_required
def dossier_html(course_id: int):
    """The dossier as one self-contained page to keep or print: styles inline, no links out, no scripts."""
    return _attachment(offline_dossier(engine(), course_id, current_user.actor), "text/html; charset=utf-8",
                       f"course-{course_id}-dossier.html")


@bp.route("/courses/<int:course_id>/dossier.pdf")
@login_required
def dossier_pdf(course_id: int):
    """The same document as an A4 PDF (WeasyPrint), but for the sheets themselves, which print apart
    (sheets.pdf): they are most of its pages and of its time (bench/auditor.py)."""
    from weasyprint import HTML  # loads Pango: only when a PDF is asked for

    html = offline_dossier(engine(), course_id, current_user.actor, for_print=True)
    return _attachment(HTML(string=html).write_pdf(), "application/pdf", f"course-{course_id}-dossier.pdf")


def offline_dossier(engine_: Engine, course_id: int, reader=None, for_print: bool = False) -> str:
    """The printed dossier (also what `courseflow export --html` writes)."""
    report = engine_.dossier_report(course_id, reader=reader)
    return render_template("dossier.html", course=engine_.course(course_id), report=report,
                           sheets=engine_.sheets(course_id), for_print=for_print)


def _attachment(body, mimetype: str, filename: str) -> Response:
    return Response(body, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@bp.route("/audit", methods=["GET", "POST"])
@login_required
def verify():
    """"Verify the whole log": the hash chain of every instance and the signed checkpoints, as `courseflow verify`."""
    if not engine().may_read_history(current_user.actor):
        abort(403)
    checked, too_big = None, None
    if request.method == "POST":
        try:
            checked = engine().verify_log(reader=current_user.actor, limited=True)
        except Refused as error:
            if error.reason != "log_too_big":
                raise
            too_big = explain(error)
    return render_template("audit.html", checked=checked, too_big=too_big)
