"""Settings from environment variables, with safe defaults."""
from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from engine.base.clock import Clock, FixedClock, SystemClock, parse_instant
from engine.base.errors import CourseFlowError

DEFAULT_DATA_DIR = Path("instance")


@dataclass(frozen=True)
class Settings:
    database_url: str
    clock: Clock
    # Where trial runs keep their throw-away databases (COURSEFLOW_TRIAL_DIR).
    trial_dir: Path = field(default_factory=lambda: Path(tempfile.gettempdir()) / "courseflow-trials")

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        trial_dir = env.get("COURSEFLOW_TRIAL_DIR")
        return cls(database_url=database_url(env), clock=clock_from_env(env),
                   **({"trial_dir": Path(trial_dir)} if trial_dir else {}))


def database_url(env) -> str:
    """``COURSEFLOW_DATABASE_URL``, or a SQLite file under ``instance/``."""
    url = env.get("COURSEFLOW_DATABASE_URL")
    if url:
        return url
    DEFAULT_DATA_DIR.mkdir(exist_ok=True)
    return f"sqlite:///{(DEFAULT_DATA_DIR / 'courseflow.db').resolve()}"


def clock_from_env(env) -> Clock:
    """``COURSEFLOW_NOW`` (ISO 8601) pins the clock; otherwise wall-clock time."""
    pinned = env.get("COURSEFLOW_NOW")
    if not pinned:
        return SystemClock()
    try:
        return FixedClock(parse_instant(pinned))
    except ValueError:
        raise CourseFlowError(f"COURSEFLOW_NOW={pinned!r} is not an ISO 8601 date-time, e.g. 2026-03-01T09:00:00Z") from None
