"""Doing the work: starting processes, tasks, messages and timers."""
from __future__ import annotations

import json

import click

from engine import TaskFilter
from webapp.cli.common import (
    as_option,
    engine_for_reading,
    engine_for_writing,
    fail,
    handles_errors,
    json_option,
    main,
    print_json,
    read_json,
)


@main.command()
@click.argument("process_id")
@as_option
@click.option("--data", help="Initial data: JSON text or @FILE.")
@json_option
@handles_errors
def start(process_id, login, data, as_json):
    """Start the newest version of PROCESS_ID; print the instance id."""
    if not login:
        fail("--as LOGIN is required")
    engine = engine_for_writing()
    instance_id = engine.start(process_id, read_json(data), engine.actor(login))
    print_json({"instance": instance_id}) if as_json else click.echo(instance_id)


@main.command()
@as_option
@json_option
@handles_errors
def tasks(login, as_json):
    """List open tasks (those LOGIN may do, with --as)."""
    engine = engine_for_reading()
    views = engine.tasks(engine.actor(login) if login else None, TaskFilter(limit=100_000))
    if as_json:
        print_json([v.as_dict() for v in views])
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
    engine = engine_for_reading()
    detail = engine.task(task_id, engine.actor(login) if login else None)
    if as_json:
        print_json(detail.as_dict())
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
        fail("--as LOGIN is required")
    engine = engine_for_writing()
    engine.complete(task_id, read_json(data), engine.actor(login), expect_version)
    click.echo(f"completed {task_id}")


@main.command()
@click.argument("task_id")
@as_option
@handles_errors
def claim(task_id, login):
    """Claim a group task so that only you work on it."""
    if not login:
        fail("--as LOGIN is required")
    engine = engine_for_writing()
    engine.claim(task_id, engine.actor(login))
    click.echo(f"claimed {task_id}")


@main.command()
@click.argument("task_id")
@as_option
@handles_errors
def unclaim(task_id, login):
    """Release a claimed task back to its group."""
    if not login:
        fail("--as LOGIN is required")
    engine = engine_for_writing()
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
        fail("--as LOGIN is required")
    engine = engine_for_writing()
    engine.send_message(instance_id, name, read_json(data), engine.actor(login))
    click.echo(f"delivered {name} to {instance_id}")


@main.command()
@json_option
@handles_errors
def tick(as_json):
    """Fire every due timer (safe to run from several workers at once on PostgreSQL)."""
    fired = engine_for_writing().tick()
    print_json({"fired": fired}) if as_json else click.echo(f"{fired} timer(s) fired")
