"""The real COOMET processes in tests: deployed with the demo people, driven by the demo's CourseDriver."""
from __future__ import annotations

from demo import DEMO_USERS, REPO_ROOT, CourseDriver, sheets  # noqa: F401  (re-exported for tests)

REPO = REPO_ROOT


def deploy_with_people(engine) -> None:
    report = engine.deploy_directory(REPO / "processes", REPO / "forms")
    assert report.ok, report.problems
    for login, name, grants in DEMO_USERS:
        engine.add_user(login, grants, "pw", name=name)
