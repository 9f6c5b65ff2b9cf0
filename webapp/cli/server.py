"""The database schema and the web server (Flask's for one machine, gunicorn in production)."""
from __future__ import annotations

import os
import sys

import click

from engine import check_production
from webapp.cli.common import (
    REPO_ROOT,
    engine_for_writing,
    fail,
    handles_errors,
    main,
)


@main.command()
@handles_errors
def init():
    """Create or upgrade the database schema."""
    engine_for_writing()
    click.echo("Database ready.")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--demo", is_flag=True, help="Load demo users and courses and print the logins.")
@click.option("--production", is_flag=True,
              help="Serve with gunicorn (no in-process timers or mail: run 'courseflow worker' beside it).")
@click.option("--workers", default=2, show_default=True, type=int, help="gunicorn worker processes (--production).")
@handles_errors
def serve(host, port, demo, production, workers):
    """Run the web app (with the in-process timer and mail worker, unless --production)."""
    from demo import load_demo
    from webapp.app import create_app
    from webapp.rate_limit import BadThrottleSetting, settings

    check_production()
    try:
        settings()
    except BadThrottleSetting as error:
        fail(str(error))
    engine = engine_for_writing()
    if demo:
        for problem in load_demo(engine, REPO_ROOT):
            click.echo(f"problem: {problem}", err=True)
        click.echo(demo_notice(engine, f"http://{host}:{port}"))
    if production:
        engine.close()
        _gunicorn(host, port, workers)
    app = create_app(engine)
    click.echo(f"CourseFlow is running at http://{host}:{port}/")
    app.run(host=host, port=port, threaded=True, use_reloader=False)


def _gunicorn(host: str, port: int, workers: int) -> None:
    """Replace this process with gunicorn serving ``webapp.wsgi:app`` (signals then reach gunicorn directly)."""
    click.echo(f"CourseFlow (gunicorn, {workers} workers) is starting at http://{host}:{port}/")
    sys.stdout.flush()
    os.execvp(sys.executable, [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--bind",
                               f"{host}:{port}", "--access-logfile", "-", "--forwarded-allow-ips",
                               os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1"), "webapp.wsgi:app"])


def demo_notice(engine, base: str) -> str:
    """The demo logins with their roles, and the student questionnaire of each published course (11.1)."""
    from demo import DEMO_PASSWORD, DEMO_USERS, published_courses

    lines = [f"Demo logins (password for all: {DEMO_PASSWORD}):"]
    lines += [f"  {login:<12} {', '.join(grants)}" for login, _, grants in DEMO_USERS]
    lines.append("Student questionnaire (Appendix 3, no login):")
    lines += [f"  {base}/survey/{course_id}  {name}" for course_id, name in published_courses(engine)]
    return "\n".join(lines)
