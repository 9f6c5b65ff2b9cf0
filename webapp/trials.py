"""Trial runs: a process owner tries a draft process (from the modeller) on a throw-away course, acting in every
role, before deploying it. The trial's engine is a database of its own (see engine.trial); nothing of it reaches
the real registry.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import closing, contextmanager

from flask import Blueprint, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from engine import TRIAL_USER, CourseFlowError, Engine, InvalidData, NotAllowed, ProcessFailed, TaskNotOpen

from . import schemaform
from .auth import restrict_to
from .extensions import engine
from .i18n import task_name
from .refusals import explain, problem_text, problems_json

bp = Blueprint("trials", __name__, url_prefix="/trials")
restrict_to(bp, "process_owner")


@bp.route("/new/<process_id>", methods=["POST"])
def new(process_id: str):
    """Start a trial with the modeller's draft ({"xml", "filename"}); answer where it is, or the draft's problems."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or not isinstance(body.get("xml"), str):
        return jsonify(error=_("Send the model as JSON: {\"xml\": \"...\"}.")), 400
    filename = body.get("filename") if isinstance(body.get("filename"), str) else f"{process_id}.bpmn"
    try:
        view = engine().start_trial(process_id, current_user.actor, filename, body["xml"])
    except NotAllowed as error:
        return jsonify(error=explain(error)), 403
    except CourseFlowError as error:
        return jsonify(error=explain(error)), 400
    if view.problems:
        return jsonify(problems=problems_json(view.problems)), 422
    return jsonify(url=url_for("trials.show", trial_id=view.id, start=process_id))


@bp.route("/form/<name>", methods=["POST"])
def form(name: str):
    """Start a trial with the form editor's draft text of form ``name`` (posted to a new tab)."""
    view = engine().start_trial("", current_user.actor, forms={name: request.form.get("text", "")})
    if view.problems:
        flash(_("No trial run: %(problems)s", problems="; ".join(problem_text(p) for p in view.problems)), "error")
        return redirect(url_for("forms.edit", name=name))
    return redirect(url_for("trials.show", trial_id=view.id))


@contextmanager
def _trial(trial_id: str) -> Iterator[Engine]:
    with closing(engine().trial(trial_id, current_user.actor)) as trial:
        yield trial


@bp.route("/<trial_id>", methods=["GET", "POST"])
def show(trial_id: str):
    """The trial: start a course on any of its processes (GET ?start=), its open tasks and courses."""
    tried = engine().trial_view(trial_id, current_user.actor).process_id
    process_id = request.values.get("start", tried)
    with _trial(trial_id) as trial:
        actor = trial.actor(TRIAL_USER)
        processes = [p.process_id for p in trial.processes()]
        if process_id not in processes:
            process_id = processes[0] if processes else ""
        schema = (trial.start_form(process_id) if process_id else None) or {"type": "object", "properties": {}}
        values, errors = {}, {}
        if request.method == "POST":
            values = schemaform.parse(schema, request.form)
            try:
                trial.start(process_id, values, actor)
            except InvalidData as error:
                errors = schemaform.errors_by_field(error.errors)
            except (ProcessFailed, NotAllowed) as error:
                flash(explain(error), "error")
            else:
                flash(_("Started %(process)s in the trial.", process=process_id), "ok")
                return redirect(url_for("trials.show", trial_id=trial_id, start=process_id))
        return render_template("trial.html", trial_id=trial_id, tried=tried, processes=processes, process_id=process_id,
                               fields=schemaform.fields(schema, values, errors), form_error=errors.get(""),
                               tasks=trial.tasks(actor), courses=trial.courses()), 422 if errors else 200


@bp.route("/<trial_id>/tasks/<task_id>", methods=["GET", "POST"])
def task(trial_id: str, task_id: str):
    """A task of the trial, done by the trial user in its role."""
    with _trial(trial_id) as trial:
        actor = trial.actor(TRIAL_USER)
        try:
            detail = trial.task(task_id, actor)
        except TaskNotOpen as error:
            flash(explain(error), "error")
            return redirect(url_for("trials.show", trial_id=trial_id))
        values, errors = detail.values, {}
        if request.method == "POST":
            data = schemaform.parse(detail.schema, request.form)
            try:
                trial.complete(task_id, data, actor)
            except InvalidData as error:
                values, errors = {**detail.values, **data}, schemaform.errors_by_field(error.errors)
            except (TaskNotOpen, ProcessFailed) as error:
                flash(explain(error), "error")
                return redirect(url_for("trials.show", trial_id=trial_id))
            else:
                flash(_("Done in the trial: %(task)s.", task=task_name(detail.task)), "ok")
                return redirect(url_for("trials.show", trial_id=trial_id))
        return render_template("trial_task.html", trial_id=trial_id, task=detail.task, schema=detail.schema,
                               fields=schemaform.fields(detail.schema, values, errors),
                               form_error=errors.get("")), 422 if errors else 200


@bp.route("/<trial_id>/discard", methods=["POST"])
def discard(trial_id: str):
    engine().discard_trial(trial_id, current_user.actor)
    flash(_("The trial run is discarded."), "ok")
    return redirect(url_for("processes.index"))
