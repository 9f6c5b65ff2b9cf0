"""§10 certificate pages: the public verification page (by link or by uploading the PDF) and a student's own
request — both anonymous and throttled — and, for the sector administrator, a course's eligibility with
issuing, revocation and corrected re-issue, and the register of issued certificates with its exports.

The engine checks the same role rules again; what the public pages show is the engine's verdict only.
"""
from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from engine import CATALOGUE_STATUSES, CourseFlowError, NotFound

from .extensions import engine
from .rate_limit import throttled
from .refusals import explain

bp = Blueprint("certificates", __name__, url_prefix="/certificates")
# Per client address (webapp.rate_limit): COURSEFLOW_CERTIFICATE_LIMIT covers verification by link and by file,
# COURSEFLOW_CERTIFICATE_REQUEST_LIMIT a student's requests (COUNT/SECONDS, e.g. 30/60).
VERIFY, REQUEST = "certificate", "certificate_request"


def N_(message: str) -> str:
    """Marks a message for translation where it is defined; it is translated where shown."""
    return message


STATUS_LABELS = {"valid": N_("valid"), "revoked": N_("revoked"), "superseded": N_("superseded")}
# The engine's reason codes (engine.certificates.eligibility), as the pages say them.
REASON_LABELS = {"failed": N_("failed"), "viewed only": N_("viewed only"),
                 "completed without a pass grade": N_("completed without a pass grade"),
                 "not completed": N_("not completed"),
                 "no activity with completion tracking has been imported yet (9.2)":
                     N_("no activity with completion tracking has been imported yet (9.2)"),
                 "no e-mail address registered on the platform (10.3)":
                     N_("no e-mail address registered on the platform (10.3)")}


@bp.context_processor
def _labels() -> dict:
    return {"status_labels": STATUS_LABELS, "reason_labels": REASON_LABELS}


def _admin() -> None:
    if not current_user.is_authenticated or not current_user.actor.holds("sector_administrator"):
        abort(403)


def _registrar() -> None:
    if not current_user.is_authenticated or not (current_user.actor.holds("sector_administrator")
                                                 or current_user.actor.holds("auditor")):
        abort(403)


# -- public ------------------------------------------------------------------------------

@bp.route("/verify/<token>")
@throttled(VERIFY, 30, 60)
def verify(token: str):
    return render_template("certificate_verify.html", found=engine().verify_certificate(token), by_file=False)


@bp.route("/verify", methods=["GET", "POST"])
@throttled(VERIFY, 30, 60, methods=["POST"])
def verify_file():
    found = None
    if request.method == "POST":
        upload = request.files.get("pdf")
        if upload is None or not upload.filename:
            flash(_("Choose the certificate's PDF file first."), "error")
        else:
            found = engine().verify_certificate_pdf(upload.read())
    return render_template("certificate_verify.html", found=found, by_file=True)


@bp.route("/request", methods=["GET", "POST"])
@throttled(REQUEST, 5, 3600, methods=["POST"])
def request_certificate():
    courses = [c for c in engine().courses() if c.status in CATALOGUE_STATUSES]
    done = False
    if request.method == "POST":
        email = request.form.get("email", "").strip()
        course_id = request.form.get("course", type=int)
        if "@" not in email or course_id not in {c.id for c in courses}:
            flash(_("Choose your course and give the e-mail address you registered on the BIPM platform."), "error")
        else:
            engine().request_certificate(course_id, email)
            done = True
    return render_template("certificate_request.html", courses=courses, done=done)


# -- the sector administrator ------------------------------------------------------------

@bp.route("/courses/<int:course_id>")
@login_required
def course(course_id: int):
    found = engine().course(course_id)
    if not engine().may_monitor(course_id, current_user.actor):
        abort(403)
    verdicts = engine().certificate_eligibility(course_id, current_user.actor)
    issued = engine().certificates(current_user.actor, course_id) if _holds("sector_administrator") else []
    return render_template("certificate_course.html", course=found, verdicts=verdicts, issued=issued)


@bp.route("/courses/<int:course_id>/issue", methods=["POST"])
@login_required
def issue(course_id: int):
    _admin()
    chosen = [int(v) for v in request.form.getlist("participant") if v.isdigit()]
    if not chosen:
        flash(_("Tick the participants to issue certificates to."), "error")
        return redirect(url_for("certificates.course", course_id=course_id))
    try:
        issued = engine().issue_certificates(course_id, current_user.actor, chosen)
        flash(_("%(count)s certificate(s) issued and queued for mailing.", count=len(issued)), "ok")
    except CourseFlowError as error:
        flash(explain(error), "error")
    return redirect(url_for("certificates.course", course_id=course_id))


@bp.route("/<path:number>/revoke", methods=["POST"])
@login_required
def revoke(number: str):
    _admin()
    try:
        engine().revoke_certificate(number, request.form.get("reason", ""), current_user.actor)
        flash(_("Certificate %(number)s revoked.", number=number), "ok")
    except NotFound:
        abort(404)
    except CourseFlowError as error:
        flash(explain(error), "error")
    return redirect(request.form.get("next") or url_for("certificates.register"))


@bp.route("/<path:number>/reissue", methods=["POST"])
@login_required
def reissue(number: str):
    _admin()
    try:
        issued = engine().reissue_certificate(number, current_user.actor)
        flash(_("Certificate %(new)s issued in place of %(old)s.", new=issued.number, old=number), "ok")
    except NotFound:
        abort(404)
    except CourseFlowError as error:
        flash(explain(error), "error")
    return redirect(request.form.get("next") or url_for("certificates.register"))


@bp.route("/<path:number>/pdf")
@login_required
def pdf(number: str):
    _registrar()
    content = engine().certificate_pdf(number, current_user.actor)
    return Response(content, mimetype="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="{_file_name(number)}.pdf"'})


@bp.route("/")
@login_required
def register():
    _registrar()
    course_id, year = request.args.get("course", type=int), request.args.get("year", type=int)
    search = request.args.get("q", "").strip()
    kind = request.args.get("export")
    if kind in ("csv", "xlsx"):
        content = engine().certificates_export(current_user.actor, kind, course_id, year, search)
        mimetype = "text/csv" if kind == "csv" else \
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        return Response(content, mimetype=mimetype,
                        headers={"Content-Disposition": f'attachment; filename="certificates.{kind}"'})
    rows = engine().certificates(current_user.actor, course_id, year, search)
    courses = engine().courses()
    return render_template("certificates.html", rows=rows, courses=courses, course_id=course_id, year=year,
                           search=search, names={c.id: c for c in courses})


def _holds(role: str) -> bool:
    return current_user.actor.holds(role)


def _file_name(number: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in number)
