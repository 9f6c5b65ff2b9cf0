"""What every ``courseflow`` command shares: the command group, the engine, options, errors and JSON."""
from __future__ import annotations

import functools
import json
import sys
from pathlib import Path

import click

from engine import CourseFlowError, Engine

REPO_ROOT = Path(__file__).resolve().parent.parent.parent


def engine_for_writing() -> Engine:
    """The engine, with the schema created or upgraded first (commands that change something)."""
    engine = Engine()
    engine.init()
    return engine


def engine_for_reading() -> Engine:
    """The engine for a command that only reads: the schema must be current already; nothing is written."""
    engine = Engine()
    engine.require_current_schema()
    return engine


def fail(message: str) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(1)


def handles_errors(command):
    """Turn engine refusals into one clear line on stderr and exit status 1."""
    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except CourseFlowError as error:
            fail(str(error))
    return wrapper


def read_json(value: str | None) -> dict | None:
    """``--data`` takes JSON text or ``@FILE``."""
    if value is None:
        return None
    text = value
    if value.startswith("@"):
        path = Path(value[1:])
        if not path.is_file():
            fail(f"--data {value}: no such file")
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            fail(f"--data {value}: the file is not UTF-8")
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        fail(f"--data is not valid JSON (line {error.lineno}, column {error.colno}): {error.msg}")
    except (ValueError, RecursionError) as error:
        fail(f"--data cannot be read: {error}")


def print_json(value) -> None:
    click.echo(json.dumps(value, ensure_ascii=False, indent=2, default=str))


as_option = click.option("--as", "login", metavar="LOGIN", help="Act as this user.")
json_option = click.option("--json", "as_json", is_flag=True, help="Print machine-readable JSON.")


class _Group(click.Group):
    """Every command: an engine refusal (busy database included) is one line on stderr, never a traceback."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except CourseFlowError as error:
            fail(str(error))


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
def main():
    """CourseFlow: the COOMET e-learning course procedure as executable BPMN.

    The database is COURSEFLOW_DATABASE_URL (default: a SQLite file under
    instance/); COURSEFLOW_NOW pins the clock (ISO 8601).
    """
