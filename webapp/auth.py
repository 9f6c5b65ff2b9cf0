"""Logging in and out (Flask-Login; passwords are checked by the engine)."""
from __future__ import annotations

from urllib.parse import urlparse

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import UserMixin, login_required, login_user, logout_user

from engine import Actor

bp = Blueprint("auth", __name__)


class WebUser(UserMixin):
    """The logged-in person: wraps the engine's :class:`Actor`."""

    def __init__(self, actor: Actor):
        self.actor = actor

    def get_id(self) -> str:
        return self.actor.login


@bp.route("/login", methods=["GET", "POST"])
def login():
    from .app import engine

    if request.method == "POST":
        actor = engine().authenticate(request.form.get("login", ""), request.form.get("password", ""))
        if actor is None:
            flash("Wrong login or password.", "error")
            return render_template("login.html", login=request.form.get("login", "")), 401
        login_user(WebUser(actor))
        return redirect(_safe_next(request.args.get("next")))
    return render_template("login.html", login="")


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    logout_user()
    return redirect(url_for("auth.login"))


def _safe_next(target: str | None) -> str:
    """Only redirect within this site after login."""
    if target and not urlparse(target).netloc and target.startswith("/"):
        return target
    return url_for("tasks.inbox")
