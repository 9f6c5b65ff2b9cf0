"""The course lists: 6.2, 8.2 and 13.5."""
from __future__ import annotations

import click

from engine import CATALOGUE_STATUSES, LIST_STATUSES, STATUSES
from webapp.cli.common import (
    engine_for_reading,
    engine_for_writing,
    handles_errors,
    json_option,
    main,
    print_json,
)

LISTS = {"list": "the List of created COOMET courses (6.2)", "catalogue": "the catalogue (8.2)",
         "cancelled": "cancelled courses (13.5)", "all": "every course"}


@main.command()
@click.option("--which", type=click.Choice(list(LISTS)), default="list", show_default=True,
              help="list: the List of created courses (6.2); catalogue: published (8.2); cancelled (13.5).")
@json_option
@handles_errors
def courses(which, as_json):
    """List courses with their status."""

    statuses = {"list": LIST_STATUSES, "catalogue": CATALOGUE_STATUSES,
                "cancelled": ("cancelled",), "all": STATUSES}[which]
    found = engine_for_reading().courses(statuses)
    if as_json:
        print_json([vars(c) for c in found])
        return
    click.echo(f"{LISTS[which]}: {len(found)}")
    for c in found:
        click.echo(f"  {c.id:>4}  {c.status:<16} {c.name}")


@main.command("withdraw-course")
@click.argument("course_id", type=int)
@click.option("--reason", required=True, help="Why the course is withdrawn (kept in its history).")
@click.option("--as", "administrator", metavar="LOGIN", required=True, help="The sector administrator.")
@handles_errors
def withdraw_course(course_id, reason, administrator):
    """Withdraw a course created by mistake: off the lists, its open tasks withdrawn, its history kept (6.2)."""
    engine = engine_for_writing()
    count = engine.withdraw_course(course_id, reason, engine.actor(administrator))
    click.echo(f"course {course_id} withdrawn; {count} open task(s) withdrawn")
