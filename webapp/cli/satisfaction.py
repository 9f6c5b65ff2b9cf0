"""§11 satisfaction: a course's questionnaire results (11.1) and its single-use questionnaire codes."""
from __future__ import annotations

import click

from webapp.cli.common import (
    as_option,
    engine_for_reading,
    engine_for_writing,
    handles_errors,
    json_option,
    main,
    print_json,
)


@main.command()
@click.argument("course_id", type=int)
@click.option("--period", metavar="FROM..TO",
              help="Dates (YYYY-MM-DD, both days included) or quarters (YYYY-Qn); either end may be left out.")
@as_option
@json_option
@handles_errors
def satisfaction(course_id, period, login, as_json):
    """A course's Appendix 3 questionnaire results (11.1): answers, grades per criterion, mean scores
    (Excellent 4 … Unsatisfactory 1), the trend per quarter and the proposals. Fewer answers than
    COURSEFLOW_SATISFACTION_MIN_ANSWERS are given only as a count."""
    engine = engine_for_reading()
    results = engine.satisfaction(course_id, engine.actor(login) if login else None, period)
    if as_json:
        print_json(results.as_dict())
        return
    click.echo(f"answers: {results.answers}" + (f" ({results.period})" if results.period else ""))
    if not results.shown:
        click.echo(f"fewer than {results.min_answers} answers: only the count is shown (11.1, anonymity)")
        return
    for criterion in results.criteria:
        counts = " ".join(f"{grade}={n}" for grade, n in criterion.counts.items())
        click.echo(f"  {criterion.key:<22} mean {criterion.mean if criterion.mean is not None else '—'}  {counts}")
    for quarter in results.quarters:
        click.echo(f"  {quarter.quarter}: {quarter.answers}")
    for comment in results.comments:
        click.echo(f"  - {comment}")


@main.command("questionnaire-codes")
@click.argument("course_id", type=int)
@click.option("--count", type=int, default=20, show_default=True, help="How many single-use codes to make.")
@click.option("--as", "login", metavar="LOGIN", required=True, help="The course's coordinator (or an administrator).")
@handles_errors
def questionnaire_codes(course_id, count, login):
    """Make the course's questionnaire need single-use codes and print COUNT new ones (shown only now)."""
    engine = engine_for_writing()
    actor = engine.actor(login)
    engine.set_questionnaire_access(course_id, "codes", actor)
    for code in engine.issue_questionnaire_codes(course_id, count, actor):
        click.echo(code)
