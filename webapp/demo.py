"""Demo data for ``courseflow serve --demo``: a user for every role, the
repository's processes deployed, and courses at different stages."""
from __future__ import annotations

from pathlib import Path

import click

from engine import CourseFlowError, Engine

DEMO_PASSWORD = "demo"
DEMO_USERS = [
    ("admin", "Alla Admin", ["sector_administrator"]),
    ("creator", "Kirill Creator", ["course_creator"]),
    ("coordinator", "Olga Coordinator", ["course_coordinator"]),
    ("implementer", "Ivan Implementer", ["implementer"]),
    ("chair-tc13", "Chair of TC 1.3", ["csb_chair:TC 1.3"]),
    ("chair-tc2", "Chair of TC 2", ["csb_chair:TC 2"]),
    ("member-tc13", "Member of TC 1.3", ["csb_member:TC 1.3"]),
    ("secretariat", "COOMET Secretariat", ["secretariat"]),
    ("tc4", "TC 4 Secretariat", ["tc4"]),
    ("owner", "Process Owner", ["process_owner"]),
    ("auditor", "Auditor", ["auditor"]),
]


def load_demo(engine: Engine, repo_root: Path) -> None:
    report = engine.deploy_directory(repo_root / "processes", repo_root / "forms", actor="demo")
    for problem in report.problems:
        click.echo(f"problem: {problem}", err=True)
    for login, name, grants in DEMO_USERS:
        try:
            engine.add_user(login, grants, DEMO_PASSWORD, name=name, by="demo")
        except CourseFlowError:
            pass  # already there from an earlier demo run
    click.echo("Demo logins (password for all: %s):" % DEMO_PASSWORD)
    for login, name, grants in DEMO_USERS:
        click.echo(f"  {login:<13} {', '.join(grants)}")
