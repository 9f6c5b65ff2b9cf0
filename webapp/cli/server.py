"""The database schema and the web server."""
from __future__ import annotations

import click

from webapp.cli.common import (
    REPO_ROOT,
    engine_for_writing,
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
@handles_errors
def serve(host, port, demo):
    """Run the web app (with the in-process timer ticker)."""
    from demo import DEMO_PASSWORD, DEMO_USERS, load_demo
    from webapp.app import create_app

    engine = engine_for_writing()
    if demo:
        for problem in load_demo(engine, REPO_ROOT):
            click.echo(f"problem: {problem}", err=True)
        click.echo(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for login, _, grants in DEMO_USERS:
            click.echo(f"  {login:<12} {', '.join(grants)}")
    app = create_app(engine)
    click.echo(f"CourseFlow is running at http://{host}:{port}/")
    app.run(host=host, port=port, threaded=True, use_reloader=False)
