"""The sector administrator's page for people and their roles (every change is an audit event)."""
from __future__ import annotations

import secrets

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from engine import ROLES, CourseFlowError

from .auth import restrict_to
from .extensions import engine

bp = Blueprint("admin", __name__, url_prefix="/admin")


restrict_to(bp, "sector_administrator")


@bp.route("/users")
def users():
    return render_template("users.html", users=engine().users(), roles=ROLES)


@bp.route("/users", methods=["POST"])
def add_user():
    login = request.form.get("login", "").strip()
    password = request.form.get("password") or secrets.token_urlsafe(10)
    grants = [g for g in request.form.getlist("grant") if g]
    try:
        engine().add_user(login, grants, password, name=request.form.get("name") or None,
                          email=request.form.get("email") or None, by=current_user.actor.login)
    except CourseFlowError as error:
        flash(str(error), "error")
    else:
        flash(_("User %(login)s added; initial password: %(password)s", login=login, password=password), "ok")
    return redirect(url_for("admin.users"))


@bp.route("/users/<login>/grants", methods=["POST"])
def change_grant(login: str):
    action = engine().grant if request.form.get("action") == "grant" else engine().revoke
    try:
        action(login, request.form.get("grant", ""), current_user.actor)
    except CourseFlowError as error:
        flash(str(error), "error")
    return redirect(url_for("admin.users"))


@bp.route("/users/<login>/active", methods=["POST"])
def change_active(login: str):
    try:
        engine().set_active(login, request.form.get("active") == "yes", current_user.actor)
    except CourseFlowError as error:
        flash(str(error), "error")
    return redirect(url_for("admin.users"))
