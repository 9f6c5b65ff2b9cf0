"""What both benchmarks print: percentiles and the versions measured."""
from __future__ import annotations

import sqlite3
import statistics
from importlib.metadata import version


def pct(values: list[float], percent: int) -> float:
    return statistics.quantiles(values, n=100)[percent - 1]


def versions() -> str:
    return (f"SpiffWorkflow {version('SpiffWorkflow')}, SQLAlchemy {version('SQLAlchemy')}, "
            f"sqlite {sqlite3.sqlite_version}")
