"""§9 monitoring: the BIPM platform's reports imported per course, and the figures they give."""
from __future__ import annotations

import os
from pathlib import Path

import click

from engine import MONITORING_KINDS
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

period_option = click.option("--period", metavar="FROM..TO", help="ISO dates, either end open (e.g. 2026-01-01..2026-03-31).")


@main.group()
def monitoring():
    """Import the BIPM platform's (Moodle) reports and print a course's figures (§9)."""


@monitoring.command("import")
@click.argument("course_id", type=int)
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--kind", type=click.Choice(MONITORING_KINDS), help="The report (recognised from the file if not given).")
@period_option
@click.option("--activity", help="quiz-grades: the quiz's activity name (default: from Moodle's file name).")
@click.option("--pass-grade", type=float, help="quiz-grades: the pass mark in percent of the maximum grade.")
@as_option
@json_option
@handles_errors
def import_(course_id, file, kind, period, activity, pass_grade, login, as_json):
    """Import FILE, a report downloaded from the platform, for COURSE_ID; the same file again changes nothing."""
    if not file.is_file():
        fail(f"{file}: no such file")
    engine = engine_for_writing()
    actor = engine.actor(login) if login else None
    report = engine.import_monitoring(course_id, file.read_bytes(), file.name, actor, kind, period, activity,
                                      pass_grade)
    if as_json:
        print_json(vars(report))
        return
    if report.unchanged:
        click.echo(f"{file.name} was imported before (import {report.import_id}): nothing changed.")
        return
    click.echo(f"imported {report.kind} for {report.period}: {report.rows} rows, {report.participants} participants "
               f"({report.new_participants} new), {report.activities} activities; {report.added} new, "
               f"{report.updated} updated")


@monitoring.command()
@click.argument("course_id", type=int)
@period_option
@as_option
@json_option
@handles_errors
def summary(course_id, period, login, as_json):
    """Participants, course completions and per-activity completed/passed/failed of COURSE_ID."""
    engine = engine_for_reading()
    found = engine.monitoring_summary(course_id, engine.actor(login) if login else None, period)
    if as_json:
        print_json(found.as_json())
        return
    rate = "-" if found.completion_rate is None else f"{found.completion_rate:.0%}"
    click.echo(f"course {course_id}, period {found.period}: {found.participants} participants, "
               f"{found.completed_course} completed the course ({rate})")
    for a in found.activities:
        click.echo(f"  {a.name}: {a.completed} completed, {a.passed} passed, {a.failed} failed, {a.views} views")


@monitoring.command()
@period_option
@json_option
@handles_errors
def overview(period, as_json):
    """Every course side by side for a period, and TC 4's indicator Ind-e.1.6 (9.3)."""
    found = engine_for_reading().monitoring_overview(None, period)
    if as_json:
        print_json({"period": found.period, "available": found.available, "indicator_met": found.indicator_met,
                    "courses": [vars(c) for c in found.courses]})
        return
    met = "met" if found.indicator_met else "NOT met"
    click.echo(f"Ind-e.1.6 (at least 2 e-learning modules available): {found.available} available, {met}")
    for c in found.courses:
        click.echo(f"  {c.course_id:>4}  {c.participants:>6} participants  {c.completed_course:>6} completed  {c.name}")


@monitoring.command()
@click.argument("course_id", type=int)
@click.argument("platform_course_id")
@click.argument("url", required=False)
@as_option
@handles_errors
def platform(course_id, platform_course_id, url, login):
    """Record COURSE_ID's course id (and URL) on the BIPM platform; needs --as a sector administrator."""
    if not login:
        fail("--as LOGIN is required")
    engine = engine_for_writing()
    engine.set_platform_course(course_id, platform_course_id, url, engine.actor(login))


@monitoring.command()
@click.argument("course_id", type=int)
@click.option("--site", help="The Moodle site's address (default: from the course's platform address).")
@json_option
@handles_errors
def sync(course_id, site, as_json):
    """Fetch COURSE_ID's completions through the platform's web services (token: COURSEFLOW_MOODLE_TOKEN).

    Meant for a schedule (cron, systemd timer): the same answer again changes nothing.
    """
    token = os.environ.get("COURSEFLOW_MOODLE_TOKEN", "")
    if not token:
        fail("set COURSEFLOW_MOODLE_TOKEN to the platform's web-services token")
    report = engine_for_writing().sync_platform(course_id, token, site)
    if as_json:
        print_json(vars(report))
    else:
        click.echo("nothing changed" if report.unchanged else
                   f"synchronised: {report.participants} participants, {report.activities} activities; "
                   f"{report.added} new, {report.updated} updated")


@monitoring.command()
@handles_errors
def purge():
    """Delete participants not reported for COURSEFLOW_MONITORING_RETENTION_DAYS (personal data, §9)."""
    count = engine_for_writing().purge_participants()
    click.echo(f"{count} participants deleted")
