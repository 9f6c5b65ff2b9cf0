"""§10 certificates: who is eligible, issuing, public verification and revocation from the command line."""
from __future__ import annotations

import sys

import click

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


@main.group()
def certificates():
    """COOMET certificates (§10): eligibility from the imported monitoring data, issue, verify, revoke."""


@certificates.command()
@click.argument("course_id", type=int)
@as_option
@json_option
@handles_errors
def eligible(course_id, login, as_json):
    """Every participant of COURSE_ID: eligible for a certificate or not, and why (10.1)."""
    engine = engine_for_reading()
    verdicts = engine.certificate_eligibility(course_id, engine.actor(login) if login else None)
    if as_json:
        print_json([v.as_json() for v in verdicts])
        return
    for v in verdicts:
        state = f"certificate {v.certificate}" if v.certificate else "eligible" if v.eligible else "not eligible"
        click.echo(f"{v.participant_id:>6}  {v.name}  <{v.email or '-'}>  {state}"
                   + (f": {'; '.join(v.reasons)}" if v.reasons else ""))


@certificates.command()
@click.argument("course_id", type=int)
@click.option("--as", "login", metavar="LOGIN", required=True, help="The sector administrator issuing.")
@click.option("--participant", "participants", type=int, multiple=True, metavar="ID",
              help="Only these participants (ids from 'certificates eligible'); all eligible without one.")
@json_option
@handles_errors
def issue(course_id, login, participants, as_json):
    """Issue certificates to COURSE_ID's eligible participants and mail them (10.1-10.3)."""
    engine = engine_for_writing()
    issued = engine.issue_certificates(course_id, engine.actor(login), list(participants) or None)
    if as_json:
        print_json([i.as_json() for i in issued])
        return
    if not issued:
        click.echo("nobody new is eligible: no certificate issued")
    for i in issued:
        click.echo(f"{i.number}  {i.holder} <{i.email}>  {i.url}  {i.pdf_path or '(PDF in the database)'}")


@certificates.command()
@click.argument("token")
@json_option
@handles_errors
def verify(token, as_json):
    """Check a certificate by its verification TOKEN: exit 0 when valid, 1 when revoked, superseded or unknown."""
    found = engine_for_reading().verify_certificate(token)
    if as_json:
        print_json(found.as_json())
    elif found.valid:
        click.echo(f"valid: {found.number}, {found.holder}, \u201c{found.course}\u201d, completed {found.completed_on}")
    elif found.status == "revoked":
        click.echo(f"revoked on {found.revoked_on}: {found.reason} ({found.number})")
    elif found.status == "superseded":
        click.echo(f"superseded on {found.revoked_on} by {found.superseded_by} ({found.number})")
    else:
        click.echo("unknown: no certificate has this token")
    if not found.valid:
        sys.exit(1)


@certificates.command()
@click.argument("number")
@click.option("--reason", required=True, help="Why: shown on the certificate's verification page.")
@click.option("--as", "login", metavar="LOGIN", required=True, help="The sector administrator revoking.")
@handles_errors
def revoke(number, reason, login):
    """Revoke certificate NUMBER (kept, with the date, the reason and who)."""
    engine = engine_for_writing()
    engine.revoke_certificate(number, reason, engine.actor(login))
    click.echo(f"revoked {number}")


@certificates.command()
@click.argument("number")
@click.option("--as", "login", metavar="LOGIN", required=True, help="The sector administrator re-issuing.")
@json_option
@handles_errors
def reissue(number, login, as_json):
    """Issue a corrected certificate from the current data in place of NUMBER, which then says it was superseded."""
    engine = engine_for_writing()
    issued = engine.reissue_certificate(number, engine.actor(login))
    if as_json:
        print_json(issued.as_json())
    else:
        click.echo(f"{issued.number} supersedes {number}: {issued.url}  {issued.pdf_path}")


@certificates.command("list")
@click.option("--course", "course_id", type=int)
@click.option("--year", type=int)
@click.option("--search", default="")
@click.option("--as", "login", metavar="LOGIN", required=True)
@click.option("--format", "kind", type=click.Choice(["text", "csv", "xlsx"]), default="text")
@click.option("--output", type=click.Path(dir_okay=False), help="Write the csv/xlsx export to this file.")
@handles_errors
def list_(course_id, year, search, login, kind, output):
    """The register of issued certificates, per course and year."""
    engine = engine_for_reading()
    actor = engine.actor(login)
    if kind != "text":
        content = engine.certificates_export(actor, kind, course_id, year, search)
        if output:
            with open(output, "wb") as out:
                out.write(content)
        elif kind == "csv":
            click.echo(content.decode("utf-8-sig"), nl=False)
        else:
            fail("an xlsx export needs --output FILE")
        return
    for c in engine.certificates(actor, course_id, year, search):
        click.echo(f"{c.number}  {c.status}  {c.holder}  {c.course}  {c.issued_at:%Y-%m-%d}")
