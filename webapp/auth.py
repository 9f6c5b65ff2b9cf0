"""Logging in and out, and choosing the language (Flask-Login; passwords are checked by the engine)."""
from __future__ import annotations

from urllib.parse import urlparse

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import UserMixin, current_user, login_required, login_user, logout_user

from engine import MIN_PASSWORD, Actor, Contact, CourseFlowError, TooManyAttempts

from .extensions import engine
from .i18n import LANGUAGES
from .refusals import explain

bp = Blueprint("auth", __name__)


def restrict_to(blueprint: Blueprint, role: str) -> None:
    """Every page of ``blueprint`` needs a login and ``role``; the engine checks the role again on every change."""
    @blueprint.before_request
    @login_required
    def holds_role():
        if not current_user.actor.holds(role):
            abort(403)


class WebUser(UserMixin):
    """The logged-in person: wraps the engine's :class:`Actor`."""

    def __init__(self, actor: Actor):
        self.actor = actor

    def get_id(self) -> str:
        return self.actor.login


@bp.route("/login", methods=["GET", "POST"])
def login():
    if request.method == "POST":
        login_name = request.form.get("login", "")[:200]
        try:
            actor = engine().authenticate(login_name, request.form.get("password", ""), request.remote_addr)
        except TooManyAttempts as error:
            flash(_("Too many failed logins; wait a few minutes and try again."), "error")
            return render_template("login.html", login=login_name), 429, {"Retry-After": str(error.retry_after)}
        if actor is None:
            flash(_("Wrong login or password."), "error")
            return render_template("login.html", login=login_name), 401
        session.clear()  # a new session (and CSRF token) at login: nothing carried over from before
        session["generation"] = engine().session_generation(actor.login)
        login_user(WebUser(actor))
        session["lang"] = engine().language(actor.login)
        if engine().person(actor.login).must_change_password:
            session[MUST_CHANGE] = True
            return redirect(url_for("auth.change_password", next=request.args.get("next")))
        return redirect(_safe_next(request.args.get("next")))
    return render_template("login.html", login="")


MUST_CHANGE = "must_change_password"
OPEN_WITH_TEMPORARY_PASSWORD = {"auth.change_password", "auth.logout", "auth.language", "static"}


@bp.before_app_request
def temporary_password_first():
    """Someone who logged in with a temporary password chooses their own before anything else."""
    if session.get(MUST_CHANGE) and current_user.is_authenticated \
            and request.endpoint not in OPEN_WITH_TEMPORARY_PASSWORD:
        return redirect(url_for("auth.change_password", next=request.full_path))
    return None


@bp.route("/password", methods=["GET", "POST"])
@login_required
def change_password():
    """Choose one's own password (required after logging in with a temporary one)."""
    forced = bool(session.get(MUST_CHANGE))
    if request.method == "POST":
        new = request.form.get("new", "")
        if new != request.form.get("again", ""):
            flash(_("The two new passwords differ: type the same password twice."), "error")
            return _password_page(forced, 422)
        try:
            session["generation"] = engine().change_password(current_user.actor.login,
                                                             request.form.get("current", ""), new)
        except CourseFlowError as error:
            flash(explain(error), "error")
            return _password_page(forced, 422)
        session.pop(MUST_CHANGE, None)
        flash(_("Your password is changed."), "ok")
        return redirect(_safe_next(request.args.get("next")))
    return _password_page(forced)


def _password_page(forced: bool, status: int = 200):
    return render_template("change_password.html", forced=forced, minimum=MIN_PASSWORD), status


@bp.route("/profile", methods=["GET", "POST"])
@login_required
def profile():
    """A person keeps their own name and contact details; the sheets they sign are prefilled with them."""
    login_name = current_user.actor.login
    if request.method == "POST":
        form = request.form
        try:
            changed = engine().update_contact(login_name, Contact(form.get("name", ""), form.get("email"),
                                                                  form.get("nmi"), form.get("phone")),
                                              current_user.actor)
        except CourseFlowError as error:
            flash(explain(error), "error")
            return render_template("profile.html", values=form), 422
        flash(_("Your details are saved.") if changed else _("Nothing to save: the details are as they were."), "ok")
        return redirect(url_for("auth.profile"))
    return render_template("profile.html", values=engine().person(login_name))


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    """Ends every session of this user on the server: a copied cookie stops working too."""
    engine().end_sessions(current_user.actor.login)
    logout_user()
    session.clear()
    return redirect(url_for("auth.login"))


@bp.route("/language", methods=["POST"])
def language():
    """Switch the language; a logged-in user keeps the choice in their profile."""
    chosen = request.form.get("lang")
    if chosen in LANGUAGES:
        session["lang"] = chosen
        if current_user.is_authenticated:
            engine().set_language(current_user.actor.login, chosen)
    return redirect(_safe_next(request.form.get("next")))


def _safe_next(target: str | None) -> str:
    """Only redirect within this site."""
    if target and not urlparse(target).netloc and target.startswith("/") and not target.startswith("//"):
        return target
    return url_for("tasks.inbox")
