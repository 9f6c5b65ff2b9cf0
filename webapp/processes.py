"""The process owner's pages: deployed processes and their versions, the
modeller (bpmn-js, see webapp/modeller/), deploying from it, and migrating
running instances to a newer version.

Every page needs the process-owner role; the engine checks it again on every
change it makes (deploy, migrate), so a hand-made request gets no further.
"""
from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response, abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from engine import HUMAN_TASKS, ROLES, CourseFlowError, NotAllowed

from .auth import restrict_to
from .extensions import engine
from .i18n import role_name
from .params import db_int
from .refusals import change_detail, element_type, explain, problems_json

bp = Blueprint("processes", __name__, url_prefix="/processes")


restrict_to(bp, "process_owner")


@bp.route("/")
def index():
    return render_template("processes.html", processes=engine().processes())


@bp.route("/<process_id>/versions")
def versions(process_id: str):
    return render_template("versions.html", process_id=process_id, versions=engine().process_versions(process_id))


@bp.route("/<process_id>/versions/<int:version>.bpmn")
def bpmn(process_id: str, version: int):
    """The file as deployed, as a download: a browser must never render uploaded XML as a page."""
    response = Response(engine().version_xml(process_id, version), mimetype="application/xml")
    response.headers["Content-Disposition"] = f"attachment; filename={process_id}-v{version}.bpmn"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "sandbox; default-src 'none'"
    return response


@bp.route("/<process_id>/edit")
def edit(process_id: str):
    """The modeller, opened on a version (the newest by default)."""
    versions_ = engine().process_versions(process_id)
    version = request.args.get("version", type=db_int) or versions_[0].version
    opened = next((v for v in versions_ if v.version == version), None)
    if opened is None:
        abort(404)
    return render_template("modeller.html", process_id=process_id, version=version, versions=versions_,
                           settings=_modeller_settings(opened), bundle_missing=not _bundle_built())


@bp.route("/<process_id>/deploy", methods=["POST"])
def deploy(process_id: str):
    """Deploy the XML the modeller saved: all the engine's checks, problems back as JSON."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or not isinstance(body.get("xml"), str):
        return jsonify(error=_("Send the model as JSON: {\"xml\": \"...\"}.")), 400
    filename = body.get("filename") if isinstance(body.get("filename"), str) else f"{process_id}.bpmn"
    base = body.get("base_version")
    if base is not None and (not isinstance(base, int) or isinstance(base, bool)):
        return jsonify(error=_("The version the model was opened at must be a whole number.")), 400
    note = body.get("note") if isinstance(body.get("note"), str) else None
    try:
        report = engine().deploy_model(filename, body["xml"], current_user.actor,
                                       None if body.get("confirm") is True else base, note)
    except NotAllowed as error:
        return jsonify(error=explain(error)), 403
    except CourseFlowError as error:
        return jsonify(error=explain(error)), 400
    status = 409 if report.conflict else 200 if report.ok else 422
    said = report.as_dict() | {"problems": problems_json(report.problems)}
    if report.conflict:  # the differences in the reader's language
        said["conflict"]["changes"] = [vars(c) | {"detail": change_detail(c), "element_type": element_type(c.element_type)}
                                       for c in report.conflict.changes]
    return jsonify(said | _links(process_id, report)), status


def _links(process_id: str, report) -> dict:
    """Where the modeller's header and result point after a deploy: the newest version, its changes, migration."""
    newest = report.conflict.newest_version if report.conflict else \
        max((v for p, v in report.deployed + report.unchanged if p == process_id), default=None)
    links = {"versions_url": url_for("processes.versions", process_id=process_id)}
    if newest is not None:
        links |= {"newest_version": newest,
                  "edit_url": url_for("processes.edit", process_id=process_id, version=newest),
                  "changes_url": url_for("processes.versions", process_id=process_id, _anchor=f"v{newest}"),
                  "migrate_url": url_for("processes.migrate", process_id=process_id, to=newest)}
    return links


@bp.route("/<process_id>/migrate", methods=["GET", "POST"])
def migrate(process_id: str):
    """Plan (GET): per running instance of an older version, whether it can move. Do it (POST)."""
    to_version = request.values.get("to", type=db_int) or engine().process_versions(process_id)[0].version
    if request.method == "GET":
        plan = engine().migration_plan(process_id, to_version)
        return render_template("migrate.html", process_id=process_id, to_version=to_version, plan=plan, results=None)
    chosen = request.form.getlist("instance")
    if not chosen:
        flash(_("Choose the instances to migrate."), "error")
        return redirect(url_for("processes.migrate", process_id=process_id, to=to_version))
    results = engine().migrate(process_id, to_version, chosen, current_user.actor)
    return render_template("migrate.html", process_id=process_id, to_version=to_version, plan=None, results=results)


def _modeller_settings(opened) -> dict:
    """What the modeller's script needs: where to load and save, the roles and forms to choose from, its labels."""
    process_id = opened.process_id
    return {
        "processId": process_id,
        "baseVersion": opened.version,
        "filename": opened.filename or f"{process_id}.bpmn",
        "xmlUrl": url_for("processes.bpmn", process_id=process_id, version=opened.version),
        "deployUrl": url_for("processes.deploy", process_id=process_id),
        "trialUrl": url_for("trials.new", process_id=process_id),
        "csrfToken": generate_csrf(),
        "roles": [{"value": key, "label": f"{role_name(key)} ({key})"} for key in ROLES],
        "forms": sorted(engine().forms()),
        "humanTasks": [f"bpmn:{kind[0].upper()}{kind[1:]}" for kind in HUMAN_TASKS],
        "labels": _labels(),
    }


def _labels() -> dict:
    return {
        "group": _("CourseFlow"), "role": _("Role of this lane"),
        "roleHelp": _("The lane's name is the role key: people holding that role do its tasks."),
        "form": _("Form (JSON Schema)"), "nameRu": _("Name in Russian"),
        "assignee": _("Assignee (expression)"),
        "assigneeHelp": _("Optional: the one person who must do it, e.g. creator."),
        "scope": _("Scope (expression)"), "scopeHelp": _("Optional: the CSB code the task is limited to."),
        "courseStatus": _("Course status on completion (expression)"),
        "continueWith": _("Continues with process (13.1)"),
        "continueWithHelp": _("Optional: the id of the process a new instance of which carries the course on "
                              "from here, with its data, e.g. course_service."),
        "condition": _("Condition (Python expression)"), "conditionHelp": _("e.g. decision == \"agreed\""),
        "script": _("Script (restricted Python)"),
        "scriptHelp": _("No imports, no while, no attribute tricks: the engine's script rules apply."),
        "saving": _("Checking and deploying…"), "cannotExport": _("The diagram cannot be exported"),
        "cannotOpen": _("The diagram cannot be opened"), "importWarnings": _("Opened with warnings"),
        "refused": _("Not deployed: fix these problems (marked on the diagram)."),
        "deployed": _("Deployed:"), "unchanged": _("Nothing changed: no new version."), "version": _("version"),
        "partly": _("Deployed, but some processes that call it were not:"),
        "opened": _("opened at version %(v)s", v="{v}"),
        "conflict": _("Not deployed: you opened version %(base)s, and version %(newest)s was deployed since "
                      "(%(by)s, %(at)s). Deploying this model would make these changes to version %(newest)s:",
                      base="{base}", newest="{newest}", by="{by}", at="{at}"),
        "conflictNote": _("Its change note:"),
        "conflictLayout": _("No element of the process differs: only the layout or the pools' labels would change."),
        "deployAnyway": _("Deploy anyway"), "openNewest": _("Open version %(v)s instead", v="{v}"),
        "whatChanged": _("What changed"), "migrate": _("Migrate running instances to version %(v)s", v="{v}"),
        "trying": _("Preparing a trial run…"),
        "trialRefused": _("No trial run: fix these problems first (marked on the diagram)."),
        "trialOpened": _("The trial run opened in a new tab."),
        "kinds": {"added": _("added"), "removed": _("removed"), "changed": _("changed")},
        "leave": _("The diagram has changes that are not deployed. Leave and lose them?"),
        "warningsBlockSave": _("This diagram was opened with warnings: saving would lose what they name. "
                               "Fix the file outside the modeller first."),
    }


def _bundle_built() -> bool:
    """Whether `npm ci --prefix webapp/modeller` has built the modeller's script."""
    return Path(current_app.static_folder, "modeller", "modeller.js").is_file()
