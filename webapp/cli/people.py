"""People and their roles."""
from __future__ import annotations

import secrets
import sys

import click

from webapp.cli.common import (
    engine_for_writing,
    fail,
    handles_errors,
    main,
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
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@handles_errors
def users_add(login, roles, name, email, password_stdin):
    """Add a user with one or more roles."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
        if not password:
            fail("no password on standard input")
    else:
        password = secrets.token_urlsafe(12)
    engine_for_writing().add_user(login, list(roles), password, name, email)
    click.echo(f"added {login}" + ("" if password_stdin else f" with password {password}"))
