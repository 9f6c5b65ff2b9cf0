"""The house rules, enforced: the engine knows no web framework, the web app knows only the engine's front,
and only the clock reads the wall clock."""
from __future__ import annotations

import ast
import datetime as dt
from pathlib import Path

import pytest

import engine
from engine import Engine, FixedClock

ROOT = Path(__file__).resolve().parent.parent
FRONT_ENDS = ("flask", "flask_babel", "flask_login", "flask_wtf", "click", "werkzeug", "webapp", "jinja2")
WALL_CLOCK_CALLS = {("datetime", "now"), ("datetime", "utcnow"), ("date", "today"), ("time", "time"),
                    ("datetime", "today")}


def python_files(folder: str):
    return [p for p in (ROOT / folder).rglob("*.py") if "node_modules" not in p.parts]


def imports(path: Path):
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                yield node.lineno, "." * node.level + (node.module or "")
            else:
                yield node.lineno, node.module or ""


def test_the_engine_imports_no_front_end():
    found = [f"{path.relative_to(ROOT)}:{line} imports {name}" for path in python_files("engine")
             for line, name in imports(path) if name.split(".")[0] in FRONT_ENDS]
    assert found == []


def test_the_web_app_uses_only_the_engines_public_api():
    found = [f"{path.relative_to(ROOT)}:{line} imports {name}" for path in python_files("webapp")
             for line, name in imports(path) if name.startswith("engine.")]
    assert found == []


def test_every_public_name_exists():
    missing = [name for name in engine.__all__ if not hasattr(engine, name)]
    assert missing == []


def test_only_the_clock_reads_the_wall_clock():
    offenders = []
    for folder in ("engine", "webapp", "demo"):
        for path in python_files(folder):
            if path == ROOT / "engine" / "base" / "clock.py":
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                    owner = node.func.value
                    owner_name = owner.attr if isinstance(owner, ast.Attribute) else getattr(owner, "id", None)
                    if (owner_name, node.func.attr) in WALL_CLOCK_CALLS:
                        offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert offenders == []


def test_engine_time_outside_the_engine_fails_loudly():
    from engine.base import clock
    with pytest.raises(clock.NoClock):
        clock.now()


def test_a_dossier_is_stamped_with_the_engine_clock(tmp_path):
    from demo import CourseDriver
    from tests.coomet import deploy_with_people

    pinned = dt.datetime(2020, 1, 1, 9, 0, tzinfo=dt.UTC)
    coomet = Engine(f"sqlite:///{tmp_path / 'c.db'}", FixedClock(pinned))
    coomet.init()
    deploy_with_people(coomet)
    course = CourseDriver(coomet).course
    assert coomet.export_dossier(course.id)["exported_at"] == pinned.isoformat()
    coomet.close()
