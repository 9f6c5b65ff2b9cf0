"""The process owner's form editor: the JSON Schemas of the form library,
edited as text with a live preview drawn by the task page's own renderer.

Saving goes through the engine, which validates the schema (as deploy does),
stores it and deploys new versions of the processes that bind it.
"""
from __future__ import annotations

import json

from flask import Blueprint, Response, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from engine import CourseFlowError, file_name_problem

from . import schemaform
from .auth import restrict_to
from .extensions import engine
from .refusals import explain, problem_text

bp = Blueprint("forms", __name__, url_prefix="/forms")
NEW_FORM = '{\n  "$schema": "https://json-schema.org/draft/2020-12/schema",\n  "title": "",\n  "x-title-ru": "",\n' \
           '  "type": "object",\n  "properties": {},\n  "required": []\n}\n'


restrict_to(bp, "process_owner")


@bp.route("/")
def index():
    return render_template("forms.html", forms=sorted(engine().forms().items()))


@bp.route("/new")
def new():
    """Start a new form file (it exists once saved)."""
    name = request.args.get("name", "").strip()
    if not name.endswith(".json"):
        name += ".json"
    problem = file_name_problem(name, ".json")
    if problem:
        flash(problem, "error")
        return redirect(url_for("forms.index"))
    return redirect(url_for("forms.edit", name=name))


@bp.route("/<name>", methods=["GET", "POST"])
def edit(name: str):
    if request.method == "GET":
        schema = engine().forms().get(name)
        text = NEW_FORM if schema is None else _pretty(schema)
        return _page(name, text)
    text = request.form.get("text", "")
    try:
        report = engine().save_form(name, text, current_user.actor)
    except CourseFlowError as error:
        flash(explain(error), "error")
        return _page(name, text), 400
    if report.problems:
        flash(_("Not saved: the form has problems."), "error")
        return _page(name, text, [problem_text(p) for p in report.problems]), 422
    flash(_("Form %(name)s saved.", name=name) + " " + _deployed(report.deploy), "ok")
    if report.deploy is not None and report.deploy.problems:
        flash(_("These processes bind it but could not be deployed again: %(problems)s",
                problems="; ".join(problem_text(p) for p in report.deploy.problems)), "error")
    return redirect(url_for("forms.edit", name=name))


@bp.route("/<name>/download")
def download(name: str):
    """The library's text of a form, to commit to forms/ (``courseflow deploy`` of forms/ replaces the library's)."""
    schema = engine().forms().get(name)
    if schema is None:
        abort(404)
    response = Response(_pretty(schema), mimetype="application/json")
    response.headers["Content-Disposition"] = f"attachment; filename={name}"
    return response


@bp.route("/preview", methods=["POST"])
def preview():
    """The form as a task page would show it, and its problems: what the editor's live preview shows."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return jsonify(html=None, problems=[_("Send the form as JSON: {\"name\": \"...\", \"text\": \"...\"}.")]), 400
    schema, problems = engine().form_preview(str(body.get("name", "")), str(body.get("text", "")))
    html = render_template("_form_preview.html", fields=schemaform.fields(schema)) if schema is not None else None
    return jsonify(html=html, problems=[problem_text(p) for p in problems])


def _page(name: str, text: str, problems: list[str] | None = None):
    settings = {"name": name, "previewUrl": url_for("forms.preview"), "csrfToken": generate_csrf(),
                "labels": {"line": _("Line")}}
    return render_template("form_edit.html", name=name, text=text, problems=problems or [], settings=settings)


def _deployed(report) -> str:
    """What saving did to the processes that bind the form."""
    if report is None:
        return _("No process binds it yet.")
    if not report.deployed:
        return _("The processes that bind it are unchanged.")
    return _("New versions: %(list)s.", list=", ".join(f"{p} {v}" for p, v in report.deployed))


def _pretty(schema: dict) -> str:
    return json.dumps(schema, ensure_ascii=False, indent=2) + "\n"
