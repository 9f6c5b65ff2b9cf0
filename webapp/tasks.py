"""Each person's inbox and the task page."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from engine import ChangedMeanwhile, InvalidData, ProcessFailed, TaskNotOpen

from . import schemaform

bp = Blueprint("tasks", __name__)


def _engine():
    from .app import engine
    return engine()


@bp.route("/")
@login_required
def inbox():
    tasks = _engine().tasks(current_user.actor)
    return render_template("inbox.html", tasks=tasks)


@bp.route("/tasks/<task_id>", methods=["GET", "POST"])
@login_required
def task(task_id: str):
    engine, actor = _engine(), current_user.actor
    try:
        detail = engine.task(task_id, actor)
    except TaskNotOpen as error:
        flash(str(error), "error")
        return redirect(url_for("tasks.inbox"))
    schema = detail.schema or {"type": "object", "properties": {}}
    if request.method == "GET":
        return _page(detail, schemaform.fields(schema), detail.instance_version)
    data = schemaform.parse(schema, request.form)
    expected = request.form.get("instance_version", type=int)
    try:
        engine.complete(task_id, data, actor, expected_version=expected)
    except InvalidData as error:
        errors = schemaform.errors_by_field(error.errors)
        return _page(detail, schemaform.fields(schema, data, errors), expected, errors.get("")), 422
    except (ChangedMeanwhile, TaskNotOpen, ProcessFailed) as error:
        flash(str(error), "error")
        return redirect(url_for("tasks.task", task_id=task_id) if isinstance(error, ChangedMeanwhile)
                        else url_for("tasks.inbox"))
    flash(f"Done: {detail.task.name}.", "ok")
    return redirect(url_for("tasks.inbox"))


def _page(detail, form_fields, version, form_error=None):
    return render_template("task.html", task=detail.task, fields=form_fields, version=version,
                           form_error=form_error)
