"""The ``courseflow`` command line: a thin front end over :class:`engine.Engine`.

Errors go to stderr with exit status 1 (2 for a malformed command line);
``--json`` prints machine-readable output on stdout.
"""
from __future__ import annotations

import contextlib
import functools
import json
import secrets
import sys
from pathlib import Path

import click

from engine import CourseFlowError, Engine
from engine.inbox import TaskFilter

REPO_ROOT = Path(__file__).resolve().parent.parent


def _engine() -> Engine:
    engine = Engine()
    engine.init()
    return engine


def _fail(message: str) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(1)


def handles_errors(command):
    """Turn engine refusals into one clear line on stderr and exit status 1."""
    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except CourseFlowError as error:
            _fail(str(error))
    return wrapper


def _read_json(value: str | None) -> dict | None:
    """``--data`` takes JSON text or ``@FILE``."""
    if value is None:
        return None
    text = value
    if value.startswith("@"):
        path = Path(value[1:])
        if not path.is_file():
            _fail(f"--data {value}: no such file")
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            _fail(f"--data {value}: the file is not UTF-8")
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        _fail(f"--data is not valid JSON (line {error.lineno}, column {error.colno}): {error.msg}")
    except (ValueError, RecursionError) as error:
        _fail(f"--data cannot be read: {error}")


def _print_json(value) -> None:
    click.echo(json.dumps(value, ensure_ascii=False, indent=2, default=str))


as_option = click.option("--as", "login", metavar="LOGIN", help="Act as this user.")
json_option = click.option("--json", "as_json", is_flag=True, help="Print machine-readable JSON.")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main():
    """CourseFlow: the COOMET e-learning course procedure as executable BPMN.

    The database is COURSEFLOW_DATABASE_URL (default: a SQLite file under
    instance/); COURSEFLOW_NOW pins the clock (ISO 8601).
    """


@main.command()
@handles_errors
def init():
    """Create or upgrade the database schema."""
    _engine()
    click.echo("Database ready.")


@main.command()
@click.argument("directory", required=False, type=click.Path(file_okay=False, path_type=Path))
@click.option("--forms", "forms_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Folder of form schemas (default: forms/ beside DIRECTORY).")
@as_option
@json_option
@handles_errors
def deploy(directory, forms_dir, login, as_json):
    """Check and deploy the BPMN files of DIRECTORY (default: the repository's processes/).

    With --as, the deploy is recorded as that process owner's.
    """
    directory = directory or REPO_ROOT / "processes"
    report = _engine().deploy_directory(directory, forms_dir, actor=login)
    if as_json:
        _print_json(report.as_dict())
    else:
        for process_id, version in report.deployed:
            click.echo(f"deployed  {process_id} v{version}")
        for process_id, version in report.unchanged:
            click.echo(f"unchanged {process_id} v{version}")
        for problem in report.problems:
            click.echo(f"problem   {problem}", err=True)
    if not report.ok:
        sys.exit(1)


@main.command()
@click.argument("process_id")
@json_option
@handles_errors
def versions(process_id, as_json):
    """List the deployed versions of PROCESS_ID, newest first, with what changed in each."""
    from dataclasses import asdict

    views = _engine().process_versions(process_id)
    if as_json:
        _print_json([asdict(v) for v in views])
        return
    for v in views:
        click.echo(f"v{v.version}  {v.deployed_at:%Y-%m-%d %H:%M}  by {v.deployed_by or '-'}  "
                   f"running {v.running}, finished {v.finished}")
        for c in v.changes:
            where = f" (in {c.process_id})" if c.process_id != process_id else ""
            name = f" \"{c.name}\"" if c.name else ""
            click.echo(f"    {c.kind:<8} {c.element_type} {c.element_id}{name}{where}"
                       + (f": {c.detail}" if c.detail else ""))
        for change in v.form_changes:
            click.echo(f"    form     {change}")


@main.group()
def users():
    """Manage users and their roles."""


@users.command("add")
@click.argument("login")
@click.option("--role", "roles", multiple=True, metavar="ROLE[:SCOPE]", required=True,
              help="A role key, optionally with a CSB code: --role csb_chair:'TC 1.3'. Repeatable.")
@click.option("--name", help="Full name shown to others.")
@click.option("--email")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@handles_errors
def users_add(login, roles, name, email, password_stdin):
    """Add a user with one or more roles."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
        if not password:
            _fail("no password on standard input")
    else:
        password = secrets.token_urlsafe(12)
    _engine().add_user(login, list(roles), password, name, email)
    click.echo(f"added {login}" + ("" if password_stdin else f" with password {password}"))


@main.command()
@click.argument("process_id")
@as_option
@click.option("--data", help="Initial data: JSON text or @FILE.")
@json_option
@handles_errors
def start(process_id, login, data, as_json):
    """Start the newest version of PROCESS_ID; print the instance id."""
    if not login:
        _fail("--as LOGIN is required")
    engine = _engine()
    instance_id = engine.start(process_id, _read_json(data), engine.actor(login))
    _print_json({"instance": instance_id}) if as_json else click.echo(instance_id)


@main.command()
@as_option
@json_option
@handles_errors
def tasks(login, as_json):
    """List open tasks (those LOGIN may do, with --as)."""
    engine = _engine()
    views = engine.tasks(engine.actor(login) if login else None, TaskFilter(limit=100_000))
    if as_json:
        _print_json([v.as_dict() for v in views])
        return
    if not views:
        click.echo("No open tasks.")
    for v in views:
        who = v.assignee or (f"{v.role}:{v.scope}" if v.scope else v.role)
        due = f" due {v.due:%Y-%m-%d %H:%M}" if v.due else ""
        claimed = f" claimed by {v.claimed_by}" if v.claimed_by else ""
        click.echo(f"{v.id}  {v.process}/{v.bpmn_id}  {v.name}  [{who}]{due}{claimed}")


@main.command("show-task")
@click.argument("task_id")
@as_option
@json_option
@handles_errors
def show_task(task_id, login, as_json):
    """Show one open task with its form's JSON Schema."""
    engine = _engine()
    detail = engine.task(task_id, engine.actor(login) if login else None)
    if as_json:
        _print_json(detail.as_dict())
    else:
        click.echo(f"{detail.task.name} ({detail.task.process}/{detail.task.bpmn_id}), role {detail.task.role}")
        click.echo(json.dumps(detail.schema, ensure_ascii=False, indent=2))


@main.command()
@click.argument("task_id")
@as_option
@click.option("--data", required=True, help="The form data: JSON text or @FILE.")
@click.option("--expect-version", type=int, help="Refuse if the instance changed since this version.")
@handles_errors
def complete(task_id, login, data, expect_version):
    """Complete an open task with form data."""
    if not login:
        _fail("--as LOGIN is required")
    engine = _engine()
    engine.complete(task_id, _read_json(data), engine.actor(login), expect_version)
    click.echo(f"completed {task_id}")


@main.command()
@click.argument("task_id")
@as_option
@handles_errors
def claim(task_id, login):
    """Claim a group task so that only you work on it."""
    if not login:
        _fail("--as LOGIN is required")
    engine = _engine()
    engine.claim(task_id, engine.actor(login))
    click.echo(f"claimed {task_id}")


@main.command()
@click.argument("task_id")
@as_option
@handles_errors
def unclaim(task_id, login):
    """Release a claimed task back to its group."""
    if not login:
        _fail("--as LOGIN is required")
    engine = _engine()
    engine.unclaim(task_id, engine.actor(login))
    click.echo(f"released {task_id}")


@main.command()
@click.argument("instance_id")
@click.argument("name")
@as_option
@click.option("--data", help="Message payload: JSON text or @FILE.")
@handles_errors
def message(instance_id, name, login, data):
    """Send the BPMN message NAME (e.g. inspection_requested) to a waiting instance."""
    if not login:
        _fail("--as LOGIN is required")
    engine = _engine()
    engine.send_message(instance_id, name, _read_json(data), engine.actor(login))
    click.echo(f"delivered {name} to {instance_id}")


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
    from dataclasses import asdict

    if not login:
        _fail("--as LOGIN is required")
    engine = _engine()
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
        _print_json([asdict(o) for o in outcomes])
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
    return f"would move    {_move(check)}" + (f"  open: {', '.join(check.open_tasks)}" if check.open_tasks else "")


def _migrated(result, check) -> str:
    return f"migrated  {_move(check)}" if result.migrated else f"refused   {_move(check)}: {result.reason}"


LISTS = {"list": "the List of created COOMET courses (6.2)", "catalogue": "the catalogue (8.2)",
         "cancelled": "cancelled courses (13.5)", "all": "every course"}


@main.command()
@click.option("--which", type=click.Choice(list(LISTS)), default="list", show_default=True,
              help="list: the List of created courses (6.2); catalogue: published (8.2); cancelled (13.5).")
@json_option
@handles_errors
def courses(which, as_json):
    """List courses with their status."""
    from engine import courses as registry

    statuses = {"list": registry.LIST_STATUSES, "catalogue": registry.CATALOGUE_STATUSES,
                "cancelled": ("cancelled",), "all": registry.STATUSES}[which]
    found = _engine().courses(statuses)
    if as_json:
        _print_json([vars(c) for c in found])
        return
    click.echo(f"{LISTS[which]}: {len(found)}")
    for c in found:
        click.echo(f"  {c.id:>4}  {c.status:<16} {c.name}")


@main.command()
@json_option
@handles_errors
def tick(as_json):
    """Fire every due timer (safe to run from several workers at once on PostgreSQL)."""
    fired = _engine().tick()
    _print_json({"fired": fired}) if as_json else click.echo(f"{fired} timer(s) fired")


@main.command()
@click.argument("course_id", type=int, required=False)
@click.option("--all", "every", is_flag=True, help="Replay every course (with a progress bar).")
@json_option
@handles_errors
def replay(course_id, every, as_json):
    """Re-execute a course's history and compare with its stored state; exit 0 only when reproduced."""
    if (course_id is None) == (not every):
        _fail("give a COURSE_ID or --all")
    engine = _engine()
    ids = engine.course_ids() if every else [course_id]
    outcomes = []
    with click.progressbar(ids, label="Replaying", file=sys.stderr, show_pos=True) if every and not as_json \
            else contextlib.nullcontext(ids) as courses_:
        for one in courses_:
            outcomes.extend((one, outcome) for outcome in engine.replay_course(one))
    if as_json:
        _print_json([{"course": c, "instance": o.instance_id, "outcome": o.status, "event": o.event,
                      "detail": o.detail} for c, o in outcomes])
    else:
        for c, outcome in outcomes:
            if not outcome.ok or not every:
                click.echo(f"course {c}: {outcome}")
        failed = sum(1 for _, o in outcomes if not o.ok)
        click.echo(f"{len(outcomes) - failed} of {len(outcomes)} instance(s) reproduced")
    if any(not o.ok for _, o in outcomes):
        sys.exit(1)


@main.command()
@click.argument("course_id", type=int)
@click.option("--output", "output", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The JSON dossier to write.")
@click.option("--html", "html", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write a printable HTML document.")
@handles_errors
def export(course_id, output, html):
    """Export a course's dossier: events with their hash chain, definition versions, forms, sheets."""
    engine = _engine()
    dossier = engine.export_dossier(course_id)
    output.write_text(json.dumps(dossier, ensure_ascii=False, indent=1), encoding="utf-8")
    click.echo(f"wrote {output} ({sum(len(i['events']) for i in dossier['instances'])} events)")
    if html:
        from .printing import dossier_html
        html.write_text(dossier_html(engine, course_id), encoding="utf-8")
        click.echo(f"wrote {html}")


@main.command("verify-dossier")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@handles_errors
def verify_dossier(path):
    """Check an exported dossier offline (no database): digest, hash chains, definitions, re-execution."""
    from engine import dossier

    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as error:
        _fail(f"{path} is not a readable JSON dossier: {error}")
    findings = dossier.verify(document) if isinstance(document, dict) else []
    for finding in findings:
        click.echo(str(finding))
    if not findings or not all(f.ok for f in findings):
        click.echo("The dossier does NOT verify.", err=True)
        sys.exit(1)
    click.echo("The dossier verifies: untouched since export, chains intact, history reproduced.")


@main.command()
@json_option
@handles_errors
def verify(as_json):
    """Recompute the event log's hash chain; exit 1 naming the first altered event."""
    verdict = _engine().verify()
    if as_json:
        _print_json({"ok": verdict.ok, "events": verdict.events, "bad_event": verdict.bad_seq,
                     "reason": verdict.reason})
    else:
        click.echo(str(verdict), err=not verdict.ok)
    if not verdict.ok:
        sys.exit(1)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--demo", is_flag=True, help="Load demo users and courses and print the logins.")
@handles_errors
def serve(host, port, demo):
    """Run the web app (with the in-process timer ticker)."""
    from .app import create_app
    from .demo import load_demo

    engine = _engine()
    if demo:
        load_demo(engine, REPO_ROOT)
    app = create_app(engine)
    click.echo(f"CourseFlow is running at http://{host}:{port}/")
    app.run(host=host, port=port, threaded=True, use_reloader=False)
