"""Mail pages: the sector administrator's Outbox (every message, its state, its text, its failures) and each
person's mail settings (immediately, a daily digest, or off)."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from engine import MAIL_FREQUENCIES, CourseFlowError

from .auth import restrict_to
from .extensions import engine
from .refusals import explain

outbox_bp = Blueprint("outbox", __name__, url_prefix="/admin/outbox")
preferences_bp = Blueprint("mail", __name__, url_prefix="/mail")
restrict_to(outbox_bp, "sector_administrator")
STATES = ("queued", "digest", "digested", "sent", "failed")
PAGE = 100


@outbox_bp.route("/")
def index():
    state = request.args.get("state") or None
    if state is not None and state not in STATES:
        abort(404)
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    actor = current_user.actor
    messages = engine().outbox(actor, state, PAGE + 1, (page - 1) * PAGE)
    return render_template("outbox.html", messages=messages[:PAGE], more=len(messages) > PAGE, page=page,
                           state=state, states=STATES, counts=engine().outbox_counts(actor))


@outbox_bp.route("/<int:message>")
def message(message: int):
    return render_template("outbox_message.html", detail=engine().outbox_message(message, current_user.actor))


@outbox_bp.route("/<int:message>/retry", methods=["POST"])
def retry(message: int):
    try:
        engine().retry_mail(message, current_user.actor)
    except CourseFlowError as error:
        flash(explain(error), "error")
    else:
        flash(_("The message is queued again."), "ok")
    return redirect(url_for("outbox.message", message=message))


@preferences_bp.route("/preferences", methods=["GET", "POST"])
@login_required
def preferences():
    login = current_user.actor.login
    if request.method == "POST":
        chosen = request.form.get("frequency", "")
        if chosen not in MAIL_FREQUENCIES:
            flash(_("Choose how often you want mail."), "error")
        else:
            engine().set_mail_preference(login, chosen)
            flash(_("Your mail settings are saved."), "ok")
        return redirect(url_for("mail.preferences"))
    return render_template("mail_preferences.html", chosen=engine().mail_preference(login),
                           frequencies=MAIL_FREQUENCIES)
