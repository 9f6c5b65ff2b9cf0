"""§12 pages: the NMI directory (the Secretariat and the sector administrator; CSV import) and a published
course's invitation letters (12.1): preview in English and Russian, send one to each NMI, see each delivery."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from engine import CourseFlowError, NotFound

from .extensions import engine
from .refusals import explain

bp = Blueprint("announcement", __name__, url_prefix="/announcement")
EDITORS = ("secretariat", "sector_administrator")
CSV_LIMIT = 1024 * 1024


@bp.before_request
@login_required
def editors_only():
    if not any(current_user.actor.holds(role) for role in EDITORS):
        abort(403)


@bp.route("/nmis")
def nmis():
    return render_template("nmis.html", nmis=engine().nmis(current_user.actor))


@bp.route("/nmis", methods=["POST"])
def save_nmi():
    form = request.form
    try:
        engine().save_nmi(form.get("country", ""), form.get("name", ""), form.get("email", ""),
                          form.get("language", "en"), current_user.actor)
    except CourseFlowError as error:
        flash(explain(error), "error")
    else:
        flash(_("%(nmi)s is in the directory.", nmi=form.get("name", "").strip()), "ok")
    return redirect(url_for("announcement.nmis"))


@bp.route("/nmis/<int:nmi_id>/remove", methods=["POST"])
def remove_nmi(nmi_id: int):
    try:
        engine().remove_nmi(nmi_id, current_user.actor)
    except NotFound as error:
        flash(explain(error), "error")
    return redirect(url_for("announcement.nmis"))


@bp.route("/nmis/import", methods=["POST"])
def import_nmis():
    upload = request.files.get("file")
    raw = upload.read(CSV_LIMIT + 1) if upload else b""
    if not raw or len(raw) > CSV_LIMIT:
        flash(_("Choose a CSV file (at most 1 MiB) with the columns country, nmi, email and optionally language."),
              "error")
        return redirect(url_for("announcement.nmis"))
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        flash(_("The file is not UTF-8 text: save it as CSV UTF-8 and try again."), "error")
        return redirect(url_for("announcement.nmis"))
    report = engine().import_nmis(text, current_user.actor)
    if report.ok:
        flash(_("Imported: %(added)s added, %(known)s already there (updated where changed).",
                added=report.added, known=report.updated), "ok")
    for problem in report.problems:
        flash(problem, "error")
    return redirect(url_for("announcement.nmis"))


@bp.route("/courses/<int:course_id>")
def invitations(course_id: int):
    actor = current_user.actor
    course = engine().course(course_id)
    preview, problem = None, None
    if actor.holds("secretariat"):
        try:
            preview = engine().invitation_preview(course_id, actor)
        except NotFound:
            raise
        except CourseFlowError as error:
            problem = explain(error)
    return render_template("invitations.html", course=course, preview=preview, problem=problem,
                           sent=engine().invitations(course_id, actor), nmi_count=len(engine().nmis(actor)))


@bp.route("/courses/<int:course_id>", methods=["POST"])
def send_invitations(course_id: int):
    try:
        count = engine().send_invitations(course_id, current_user.actor)
    except NotFound:
        raise
    except CourseFlowError as error:
        flash(explain(error), "error")
    else:
        flash(_("%(count)s invitation letter(s) are in the outbox.", count=count), "ok")
    return redirect(url_for("announcement.invitations", course_id=course_id))
