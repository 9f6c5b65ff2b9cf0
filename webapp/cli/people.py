"""People and their roles."""
from __future__ import annotations

import secrets
import sys

import click

from webapp.cli.common import (
    engine_for_reading,
    engine_for_writing,
    fail,
    handles_errors,
    json_option,
    main,
    print_json,
)


@main.group()
def users():
    """Manage users and their roles."""


@users.command("add")
@click.argument("login")
@click.option("--role", "roles", multiple=True, metavar="ROLE[:SCOPE]", required=True,
              help="A role key, optionally with a CSB code: --role csb_chair:'TC 1.3'. Repeatable.")
@click.option("--name", help="Full name shown to others.")
@click.option("--email")
@click.option("--nmi", help="The person's National Metrology Institute.")
@click.option("--phone")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@handles_errors
def users_add(login, roles, name, email, nmi, phone, password_stdin):
    """Add a user with one or more roles (a CSB chair or member needs its CSB: csb_chair:'TC 1.3')."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
        if not password:
            fail("no password on standard input")
    else:
        password = secrets.token_urlsafe(12)
    engine_for_writing().add_user(login, list(roles), password, name, email, nmi=nmi, phone=phone, require_csb=True)
    click.echo(f"added {login}" + ("" if password_stdin else f" with password {password}"))


@users.command("list")
@json_option
@handles_errors
def users_list(as_json):
    """Every person: login, name, NMI, contact details, roles, whether active."""
    people = engine_for_reading().users()
    if as_json:
        print_json([{"login": u.login, "name": u.name, "nmi": u.nmi, "email": u.email, "phone": u.phone,
                     "active": u.active, "roles": list(u.grants)} for u in people])
        return
    for u in people:
        click.echo("\t".join([u.login, u.name, u.nmi or "", u.email or "", u.phone or "",
                              ", ".join(u.grants), "active" if u.active else "deactivated"]))


as_administrator = click.option("--as", "administrator", metavar="LOGIN", required=True,
                                help="The sector administrator making the change.")


def _grant_text(role: str, csb: str | None) -> str:
    return f"{role}:{csb}" if csb else role


@users.command("grant")
@click.argument("login")
@click.argument("role")
@click.option("--csb", help="The CSB a CSB chair or member is appointed for (e.g. 'TC 1.3').")
@as_administrator
@handles_errors
def users_grant(login, role, csb, administrator):
    """Give LOGIN the role ROLE (a role key; a CSB chair or member needs --csb)."""
    engine = engine_for_writing()
    engine.grant(login, _grant_text(role, csb), engine.actor(administrator))
    click.echo(f"{login} now holds {_grant_text(role, csb)}")


@users.command("revoke")
@click.argument("login")
@click.argument("role")
@click.option("--csb", help="The CSB the role is held for.")
@as_administrator
@handles_errors
def users_revoke(login, role, csb, administrator):
    """Take the role ROLE from LOGIN (never your own administrator role, never the last administrator's)."""
    engine = engine_for_writing()
    engine.revoke(login, _grant_text(role, csb), engine.actor(administrator))
    click.echo(f"{login} no longer holds {_grant_text(role, csb)}")


@users.command("reset-password")
@click.argument("login")
@as_administrator
@handles_errors
def users_reset_password(login, administrator):
    """Give LOGIN a temporary password (printed once), to be changed at their next login."""
    engine = engine_for_writing()
    password = engine.reset_password(login, engine.actor(administrator))
    click.echo(f"temporary password for {login}: {password}")
