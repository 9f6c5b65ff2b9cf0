"""Deploying processes, their versions, and moving running instances to a newer version."""
from __future__ import annotations

import sys
from dataclasses import asdict
from pathlib import Path

import click

from webapp.cli.common import (
    REPO_ROOT,
    as_option,
    engine_for_reading,
    engine_for_writing,
    fail,
    handles_errors,
    json_option,
    main,
    print_json,
)


@main.command()
@click.argument("directory", required=False, type=click.Path(file_okay=False, path_type=Path))
@click.option("--forms", "forms_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Folder of form schemas (default: forms/ beside DIRECTORY).")
@click.option("--note", help="A change note kept with each version deployed (shown by `courseflow versions`).")
@as_option
@json_option
@handles_errors
def deploy(directory, forms_dir, note, login, as_json):
    """Check and deploy the BPMN files of DIRECTORY (default: the repository's processes/).

    With --as, the deploy is recorded as that process owner's.
    """
    directory = directory or REPO_ROOT / "processes"
    report = engine_for_writing().deploy_directory(directory, forms_dir, actor=login, note=note)
    if as_json:
        print_json(report.as_dict())
    else:
        for process_id, version in report.deployed:
            click.echo(f"deployed  {process_id} v{version}")
        for process_id, version in report.unchanged:
            click.echo(f"unchanged {process_id} v{version}")
        for problem in report.problems:
            click.echo(f"problem   {problem}", err=True)
        refused = sorted({problem.file for problem in report.problems})
        summary = (f"{len(report.deployed)} deployed, {len(report.unchanged)} unchanged, "
                   f"{len(refused)} file(s) refused" + (f": {', '.join(refused)}" if refused else ""))
        click.echo(summary, err=not report.ok)
        if refused and report.deployed:
            click.echo("The other files were deployed: fix the refused ones and deploy again.", err=True)
    if not report.ok:
        sys.exit(1)


@main.command()
@click.argument("process_id")
@json_option
@handles_errors
def versions(process_id, as_json):
    """List the deployed versions of PROCESS_ID, newest first, with what changed in each."""

    views = engine_for_reading().process_versions(process_id)
    if as_json:
        print_json([asdict(v) for v in views])
        return
    for v in views:
        click.echo(f"v{v.version}  {v.deployed_at:%Y-%m-%d %H:%M}  by {v.deployed_by or '-'}  "
                   f"running {v.running}, finished {v.finished}")
        if v.note:
            click.echo(f"    note     {v.note}")
        for c in v.changes:
            where = f" (in {c.process_id})" if c.process_id != process_id else ""
            name = f" \"{c.name}\"" if c.name else ""
            click.echo(f"    {c.kind:<8} {c.element_type} {c.element_id}{name}{where}"
                       + (f": {c.detail}" if c.detail else ""))
        for change in v.form_changes:
            click.echo(f"    form     {change}")


@main.command()
@click.argument("process_id")
@click.option("--to", "to_version", type=int, required=True, metavar="VERSION", help="The version to move to.")
@click.option("--instance", "instance_ids", multiple=True, metavar="ID",
              help="An instance to move (repeatable); default: every running instance on an older version.")
@click.option("--dry-run", is_flag=True, help="Only say what would happen to each instance.")
@as_option
@json_option
@handles_errors
def migrate(process_id, to_version, instance_ids, dry_run, login, as_json):
    """Move running instances of PROCESS_ID to version VERSION where it is safe; exit 1 if any is refused."""

    if not login:
        fail("--as LOGIN is required")
    engine = engine_for_writing()
    actor = engine.actor(login)
    plan = engine.migration_plan(process_id, to_version, list(instance_ids) or None)
    if dry_run:
        outcomes, lines = plan, [_planned(c) for c in plan]
        refused = [c for c in plan if not c.safe]
    else:
        outcomes = engine.migrate(process_id, to_version, [c.instance_id for c in plan], actor)
        lines = [_migrated(r, c) for r, c in zip(outcomes, plan)]
        refused = [r for r in outcomes if not r.migrated]
    if as_json:
        print_json([asdict(o) for o in outcomes])
    else:
        click.echo("\n".join(lines) or f"No running instance of {process_id} is on a version older than {to_version}.")
    if refused:
        sys.exit(1)


def _move(check) -> str:
    versions = f"  v{check.from_version} -> v{check.to_version}" if check.from_version else ""  # 0: unknown
    course = f"  course {check.course_id} \"{check.course_name}\"" if check.course_id else ""
    return f"{check.instance_id}{versions}{course}"


def _planned(check) -> str:
    if not check.safe:
        return f"would refuse  {_move(check)}: {check.reason}"
    waiting = ", ".join(f"{w.name}" + (f" (due {w.due:%Y-%m-%d %H:%M})" if w.due else "") for w in check.waiting)
    return (f"would move    {_move(check)}" + (f"  open: {', '.join(check.open_tasks)}" if check.open_tasks else "")
            + (f"  waiting: {waiting}" if waiting else ""))


def _migrated(result, check) -> str:
    return f"migrated  {_move(check)}" if result.migrated else f"refused   {_move(check)}: {result.reason}"
