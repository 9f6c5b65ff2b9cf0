"""The sector administrator's pages for people, their roles and the CSB list (every change is an audit event)."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user

from engine import ROLES, Contact, CourseFlowError, NotFound

from .auth import restrict_to
from .extensions import engine
from .i18n import grant_name
from .refusals import explain

bp = Blueprint("admin", __name__, url_prefix="/admin")
PASSWORDS_TO_SHOW = "temporary_passwords"

restrict_to(bp, "sector_administrator")


def _contact() -> Contact:
    form = request.form
    return Contact(form.get("name", ""), form.get("email"), form.get("nmi"), form.get("phone"))


def _grant_text() -> str:
    """The role chosen from the list, with the CSB chosen for a role held per CSB (never typed)."""
    role, csb = request.form.get("role", ""), request.form.get("csb", "").strip()
    return f"{role}:{csb}" if csb and role in ROLES and ROLES[role].scoped else role


def _page(template: str, status: int = 200, **context):
    return render_template(template, roles=ROLES, csbs=engine().csbs(), **context), status


@bp.route("/users")
def users():
    return _page("users.html", users=_by_name(engine().users()), form={})


@bp.route("/users", methods=["POST"])
def add_user():
    login = request.form.get("login", "").strip()
    try:
        password = engine().add_person(login, [_grant_text()], _contact(), current_user.actor)
    except CourseFlowError as error:
        flash(explain(error), "error")
        return _page("users.html", 422, users=_by_name(engine().users()), form=request.form)
    _keep_password_to_show(login, password)
    flash(_("%(name)s added with the role %(role)s.", name=engine().person(login).name,
            role=grant_name(*_split(_grant_text()))), "ok")
    return redirect(url_for("admin.temporary_password", login=login))


def _split(text: str) -> tuple[str, str | None]:
    role, _sep, scope = text.partition(":")
    return role, scope or None


@bp.route("/users/<login>")
def person(login: str):
    return _page("person.html", person=engine().person(login))


@bp.route("/users/<login>/contact", methods=["POST"])
def change_contact(login: str):
    try:
        changed = engine().update_contact(login, _contact(), current_user.actor)
    except CourseFlowError as error:
        flash(explain(error), "error")
        return _page("person.html", 422, person=engine().person(login), form=request.form)
    labels = {"name": _("name"), "email": _("e-mail"), "nmi": _("NMI"), "phone": _("phone")}
    if changed:
        flash(_("Saved: %(fields)s changed.", fields=", ".join(labels[f] for f in changed)), "ok")
    else:
        flash(_("Nothing to save: the details are as they were."), "ok")
    return redirect(url_for("admin.person", login=login))


@bp.route("/users/<login>/grants", methods=["POST"])
def grant(login: str):
    try:
        held = engine().grant(login, _grant_text(), current_user.actor)
    except CourseFlowError as error:
        flash(explain(error), "error")
    else:
        flash(_("%(name)s now holds the role %(role)s.", name=engine().person(login).name,
                role=grant_name(held.role, held.scope)), "ok")
    return redirect(url_for("admin.person", login=login))


@bp.route("/users/<login>/revoke", methods=["GET", "POST"])
def revoke(login: str):
    """Revoking asks first: the GET page names the person and the role, its button revokes."""
    found = engine().person(login)
    role, csb = request.values.get("role", ""), request.values.get("csb") or None
    if not any(g.role == role and g.scope == csb for g in found.held):
        abort(404)
    if request.method == "GET":
        return _page("revoke.html", person=found, role=role, csb=csb)
    try:
        engine().revoke(login, f"{role}:{csb}" if csb else role, current_user.actor)
    except CourseFlowError as error:
        flash(explain(error), "error")
    else:
        flash(_("%(name)s no longer holds the role %(role)s.", name=found.name, role=grant_name(role, csb)), "ok")
    return redirect(url_for("admin.person", login=login))


@bp.route("/users/<login>/active", methods=["POST"])
def change_active(login: str):
    active = request.form.get("active") == "yes"
    try:
        engine().set_active(login, active, current_user.actor)
    except CourseFlowError as error:
        flash(explain(error), "error")
    else:
        name = engine().person(login).name
        flash(_("%(name)s can log in again.", name=name) if active
              else _("%(name)s is deactivated and can no longer log in.", name=name), "ok")
    return redirect(url_for("admin.person", login=login))


@bp.route("/users/<login>/password", methods=["POST"])
def reset_password(login: str):
    try:
        password = engine().reset_password(login, current_user.actor)
    except CourseFlowError as error:
        flash(explain(error), "error")
        return redirect(url_for("admin.person", login=login))
    _keep_password_to_show(login, password)
    flash(_("%(name)s has a new temporary password.", name=engine().person(login).name), "ok")
    return redirect(url_for("admin.temporary_password", login=login))


def _keep_password_to_show(login: str, password: str) -> None:
    session[PASSWORDS_TO_SHOW] = {**session.get(PASSWORDS_TO_SHOW, {}), login: password}


@bp.route("/users/<login>/password")
def temporary_password(login: str):
    """The temporary password, shown once: it leaves the session as the page is rendered."""
    found = engine().person(login)
    waiting = dict(session.get(PASSWORDS_TO_SHOW, {}))
    password = waiting.pop(login, None)
    session[PASSWORDS_TO_SHOW] = waiting
    response = _page("temporary_password.html", person=found, password=password)
    return response[0], response[1], {"Cache-Control": "no-store"}


@bp.route("/csbs", methods=["GET", "POST"])
def csbs():
    """The list of COOMET structural bodies: code, names in English and Russian, chair (from the role grants)."""
    if request.method == "POST":
        code = request.form.get("code", "")
        try:
            outcome = engine().save_csb(code, request.form.get("name", ""), request.form.get("name_ru"),
                                        current_user.actor)
        except CourseFlowError as error:
            flash(explain(error), "error")
            return _page("csbs.html", 422, form=request.form)
        messages = {"added": _("CSB %(code)s added.", code=code.strip()),
                    "changed": _("CSB %(code)s saved.", code=code.strip()),
                    "unchanged": _("Nothing to save: CSB %(code)s is as it was.", code=code.strip())}
        flash(messages[outcome], "ok")
        return redirect(url_for("admin.csbs"))
    return _page("csbs.html", form={})


@bp.errorhandler(NotFound)
def _not_found(error):
    return render_template("error.html", status=404, message=_("There is no such person.")), 404


def _by_name(people: list) -> list:
    """People in the order of their names as shown."""
    return sorted(people, key=lambda person: (person.name or person.login).casefold())
