"""The worker (timers and mail), the outbox, and mail settings."""
from __future__ import annotations

import sys
import time

import click

from engine import MAIL_FREQUENCIES
from webapp.cli.common import (
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
@click.option("--once", is_flag=True, help="One pass, then exit (cron, tests).")
@click.option("--every", default=10.0, show_default=True, type=float, help="Seconds between passes.")
@handles_errors
def worker(once, every):
    """Fire due timers and send the outbox, in a loop; several workers may share the work on PostgreSQL.

    Mail goes to COURSEFLOW_SMTP_URL (smtp://user:pass@host:port, STARTTLS when
    offered; smtps:// for TLS) from COURSEFLOW_MAIL_FROM; without it mail waits in the outbox.
    """
    engine = engine_for_writing()
    while True:
        try:
            _one_pass(engine)
        except Exception as error:  # a loop keeps going; --once reports it
            if once:
                raise
            click.echo(f"error: {error}", err=True)
        if once:
            return
        time.sleep(every)


def _one_pass(engine) -> None:
    fired = engine.tick()
    run = engine.deliver_mail()
    if fired or run.sent or run.retrying or run.failed or run.notices or run.digests:
        click.echo(f"timers fired {fired}; mail: {run.sent} sent, {run.retrying} to retry, {run.failed} failed, "
                   f"{run.notices} notices and {run.digests} digests queued, {run.held} held")
        sys.stdout.flush()


@main.command()
@as_option
@click.option("--state", type=click.Choice(["queued", "digest", "digested", "sent", "failed"]))
@click.option("--limit", default=50, show_default=True, type=int)
@json_option
@handles_errors
def outbox(login, state, limit, as_json):
    """List the outbox, newest first (as a sector administrator)."""
    if not login:
        fail("--as LOGIN is required (a sector administrator)")
    engine = engine_for_reading()
    messages = engine.outbox(engine.actor(login), state, limit)
    if as_json:
        print_json([m.__dict__ for m in messages])
        return
    for m in messages:
        error = f"  ({m.last_error})" if m.last_error else ""
        click.echo(f"{m.id:>6}  {m.state:<9} {m.created_at:%Y-%m-%d %H:%M}  {m.to_address}  {m.subject}{error}")


@main.command("mail-preference")
@click.argument("login")
@click.argument("frequency", required=False, type=click.Choice(MAIL_FREQUENCIES))
@handles_errors
def mail_preference(login, frequency):
    """Show or set how often LOGIN gets mail: immediately, daily (a digest) or off."""
    if frequency is None:
        click.echo(engine_for_reading().mail_preference(login))
        return
    engine_for_writing().set_mail_preference(login, frequency)
    click.echo(f"{login}: {frequency}")


@main.command()
@as_option
@click.option("--import", "csv_file", type=click.Path(exists=True, dir_okay=False),
              help="Add or update the NMIs of a UTF-8 CSV file: country,nmi,email[,language].")
@json_option
@handles_errors
def nmis(login, csv_file, as_json):
    """The NMI directory that invitation letters go to (12.1); as the Secretariat or a sector administrator."""
    if not login:
        fail("--as LOGIN is required (the Secretariat or a sector administrator)")
    engine = engine_for_writing() if csv_file else engine_for_reading()
    actor = engine.actor(login)
    if csv_file:
        with open(csv_file, encoding="utf-8") as source:
            report = engine.import_nmis(source.read(), actor)
        for problem in report.problems:
            click.echo(f"problem: {problem}", err=True)
        if not report.ok:
            sys.exit(1)
        click.echo(f"{report.added} added, {report.updated} already there (updated where changed)")
    directory = engine.nmis(actor)
    if as_json:
        print_json([n.__dict__ for n in directory])
    elif not csv_file:
        for n in directory:
            click.echo(f"{n.country:<16} {n.name:<24} {n.email}  {n.language}")
