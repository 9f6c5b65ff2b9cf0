"""What the benchmarks share: percentiles, medians, the versions measured, and an engine with the demo's people.

Each benchmark puts the repository on ``sys.path`` before it imports this module.
"""
from __future__ import annotations

import sqlite3
import statistics
import time
from collections.abc import Callable
from importlib.metadata import version
from pathlib import Path

from demo import DEMO_USERS, REPO_ROOT
from engine import Engine, FixedClock


def pct(values: list[float], percent: int) -> float:
    return statistics.quantiles(values, n=100)[percent - 1]


def versions() -> str:
    return (f"SpiffWorkflow {version('SpiffWorkflow')}, SQLAlchemy {version('SQLAlchemy')}, "
            f"sqlite {sqlite3.sqlite_version}")


def median_ms(action: Callable[[], object], reps: int) -> float:
    """The median time of ``reps`` runs of ``action``, in milliseconds."""
    times = []
    for _ in range(reps):
        started = time.perf_counter()
        action()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def demo_engine(path: Path, clock: FixedClock) -> Engine:
    """A new engine on a SQLite file with the COOMET processes and forms deployed and the demo people added."""
    engine = Engine(f"sqlite:///{path}", clock)
    engine.init()
    engine.deploy_directory(REPO_ROOT / "processes", REPO_ROOT / "forms")
    for login, name, grants in DEMO_USERS:
        engine.add_user(login, grants, "pw", name=name)
    return engine
