"""Proof for auditors: the hash chain, replay, the dossier and its offline check."""
from __future__ import annotations

import contextlib
import json
import sys
from pathlib import Path

import click

from engine import checkpoint_public_key, new_checkpoint_key, verify_dossier
from webapp.cli.common import (
    engine_for_reading,
    engine_for_writing,
    fail,
    handles_errors,
    json_option,
    main,
    print_json,
)


@main.command()
@json_option
@handles_errors
def verify(as_json):
    """Recompute the event log's hash chain; exit 1 naming the first altered event."""
    verdict = engine_for_reading().verify()
    if as_json:
        print_json({"ok": verdict.ok, "events": verdict.events, "bad_event": verdict.bad_seq,
                     "reason": verdict.reason})
    else:
        click.echo(str(verdict), err=not verdict.ok)
    if not verdict.ok:
        sys.exit(1)


@main.command()
@click.argument("course_id", type=int, required=False)
@click.option("--all", "every", is_flag=True, help="Replay every course (with a progress bar).")
@json_option
@handles_errors
def replay(course_id, every, as_json):
    """Re-execute a course's history and compare with its stored state; exit 0 only when reproduced."""
    if (course_id is None) == (not every):
        fail("give a COURSE_ID or --all")
    engine = engine_for_reading()
    ids = engine.course_ids() if every else [course_id]
    outcomes = []
    with click.progressbar(ids, label="Replaying", file=sys.stderr, show_pos=True) if every and not as_json \
            else contextlib.nullcontext(ids) as courses_:
        for one in courses_:
            outcomes.extend((one, outcome) for outcome in engine.replay_course(one))
    if as_json:
        print_json([{"course": c, "instance": o.instance_id, "outcome": o.status, "event": o.event,
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
    engine = engine_for_reading()
    dossier = engine.export_dossier(course_id)
    output.write_text(json.dumps(dossier, ensure_ascii=False, indent=1), encoding="utf-8")
    click.echo(f"wrote {output} ({sum(len(i['events']) for i in dossier['instances'])} events)")
    if html:
        from webapp.printing import dossier_html
        html.write_text(dossier_html(engine, course_id), encoding="utf-8")
        click.echo(f"wrote {html}")


@main.command("verify-dossier")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--key", "key_path", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Checkpoint key file (public is enough); default COURSEFLOW_CHECKPOINT_KEY.")
@handles_errors
def verify_dossier_command(path, key_path):
    """Check an exported dossier offline (no database): digest, hash chains, definitions, re-execution."""

    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as error:
        fail(f"{path} is not a readable JSON dossier: {error}")
    key = checkpoint_public_key(key_path)
    findings = verify_dossier(document, key=key) if isinstance(document, dict) else []
    for finding in findings:
        click.echo(str(finding))
    if not findings or not all(f.ok for f in findings):
        click.echo("The dossier does NOT verify.", err=True)
        sys.exit(1)
    click.echo("The dossier verifies: untouched since export, chains intact, history reproduced.")


@main.command()
@click.option("--new-key", "new_key", type=click.Path(dir_okay=False, path_type=Path),
              help="Write a new Ed25519 key file (keep it outside the database and its backups) and stop.")
@click.option("--by", "by", metavar="LOGIN", help="Who makes the checkpoint (recorded with it).")
@handles_errors
def checkpoint(new_key, by):
    """Sign the event log's chain head with the key in COURSEFLOW_CHECKPOINT_KEY; verify checks against it."""
    if new_key:
        click.echo(f"wrote {new_key} (key id {new_checkpoint_key(new_key)}); set COURSEFLOW_CHECKPOINT_KEY={new_key}")
        return
    made = engine_for_writing().checkpoint(by)
    click.echo(f"checkpoint {made.id}: event {made.seq}, hash {made.hash}, signed by key {made.key_id}")
