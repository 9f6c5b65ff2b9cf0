"""Settings from environment variables, with safe defaults."""
from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from engine.base.clock import Clock, FixedClock, SystemClock, parse_instant
from engine.base.errors import CourseFlowError

DEFAULT_DATA_DIR = Path("instance")


@dataclass(frozen=True)
class Settings:
    database_url: str
    clock: Clock
    satisfaction_min_answers: int = 3
    # How many instances' workflows a process keeps in memory between changes (COURSEFLOW_HOT_INSTANCES).
    hot_instances: int = 64
    # Where trial runs keep their throw-away databases (COURSEFLOW_TRIAL_DIR).
    trial_dir: Path = field(default_factory=lambda: Path(tempfile.gettempdir()) / "courseflow-trials")

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        trial_dir = env.get("COURSEFLOW_TRIAL_DIR")
        return cls(database_url=database_url(env), clock=clock_from_env(env),
                   satisfaction_min_answers=satisfaction_min_answers(env), hot_instances=hot_instances(env),
                   **({"trial_dir": Path(trial_dir)} if trial_dir else {}))


def database_url(env: Mapping[str, str]) -> str:
    """``COURSEFLOW_DATABASE_URL``, or a SQLite file under ``instance/``."""
    url = env.get("COURSEFLOW_DATABASE_URL")
    if url:
        return url
    DEFAULT_DATA_DIR.mkdir(exist_ok=True)
    return f"sqlite:///{(DEFAULT_DATA_DIR / 'courseflow.db').resolve()}"


def clock_from_env(env: Any) -> Clock:
    """``COURSEFLOW_NOW`` (ISO 8601) pins the clock; otherwise wall-clock time."""
    pinned = env.get("COURSEFLOW_NOW")
    if not pinned:
        return SystemClock()
    try:
        return FixedClock(parse_instant(pinned))
    except ValueError:
        raise CourseFlowError(f"COURSEFLOW_NOW={pinned!r} is not an ISO 8601 date-time, e.g. 2026-03-01T09:00:00Z") from None


def satisfaction_min_answers(env: Mapping[str, str]) -> int:
    """``COURSEFLOW_SATISFACTION_MIN_ANSWERS``: fewer questionnaire answers than this are shown only as a count
    (11.1: the answers stay anonymous). Default 3."""
    text = env.get("COURSEFLOW_SATISFACTION_MIN_ANSWERS", "").strip()
    if not text:
        return 3
    if not text.isdigit() or int(text) < 1:
        raise CourseFlowError(f"COURSEFLOW_SATISFACTION_MIN_ANSWERS={text!r} must be a whole number of at least 1")
    return int(text)


def hot_instances(env: Mapping[str, str]) -> int:
    """``COURSEFLOW_HOT_INSTANCES``: how many instances' workflows each process keeps in memory between changes,
    so a completion skips restoring the state (default 64; 0 keeps none)."""
    text = env.get("COURSEFLOW_HOT_INSTANCES", "").strip()
    if not text:
        return 64
    if not text.isdigit():
        raise CourseFlowError(f"COURSEFLOW_HOT_INSTANCES={text!r} must be a whole number (0 keeps none)")
    return int(text)


def lock_timeout_seconds(environ: dict[str, str] | None = None) -> float:
    """``COURSEFLOW_LOCK_TIMEOUT_SECONDS`` (default 30): how long a write waits for a held lock before "busy"."""
    env = os.environ if environ is None else environ
    try:
        seconds = float(env.get("COURSEFLOW_LOCK_TIMEOUT_SECONDS", "30"))
    except ValueError:
        return 30.0
    return seconds if seconds > 0 else 30.0


def checkpoint_key_path(environ: dict[str, str] | None = None) -> Path | None:
    """``COURSEFLOW_CHECKPOINT_KEY``: the Ed25519 key file (PEM, kept outside the database) for signed checkpoints."""
    env = os.environ if environ is None else environ
    value = env.get("COURSEFLOW_CHECKPOINT_KEY")
    return Path(value) if value else None
