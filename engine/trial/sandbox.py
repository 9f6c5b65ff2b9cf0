"""A throw-away database for a trial run: the deployed processes and library forms as they are now, plus the
draft, and one trial user holding every role. It is a SQLite file of its own under the trial directory, so
nothing of a trial reaches the real registry, and any web worker of the machine can open it by its id.
"""
from __future__ import annotations

import datetime as dt
import json
import re
import secrets
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from engine.base.errors import NotAllowed, NotFound
from engine.definitions.checks import SourceFile

TRIAL_USER = "trial"
KEEP = dt.timedelta(days=1)  # trials older than this (engine time) are removed when another starts
_ID = re.compile(r"[0-9a-f]{32}")


@dataclass(frozen=True)
class TrialView:
    """A trial run: its id, the process it tries, who started it, and what deploying the draft into it said."""
    id: str
    process_id: str
    owner: str
    problems: list[Any]  # the draft's deploy problems (then the trial was discarded at once)


def create(directory: Path, owner: str, process_id: str, now: dt.datetime) -> tuple[str, Path]:
    """A new trial's id and the folder for its database; trials older than a day are removed first."""
    directory.mkdir(parents=True, exist_ok=True)
    _remove_old(directory, now)
    trial_id = secrets.token_hex(16)
    folder = directory / trial_id
    folder.mkdir()
    facts = {"owner": owner, "process_id": process_id, "created": now.isoformat()}
    (folder / "trial.json").write_text(json.dumps(facts), encoding="utf-8")
    return trial_id, folder


def database_url(folder: Path) -> str:
    return f"sqlite:///{(folder / 'trial.db').resolve()}"


def find(directory: Path, trial_id: str, owner: str) -> tuple[Path, dict[str, Any]]:
    """The folder and facts of ``owner``'s trial ``trial_id``; only its owner may use it."""
    folder = directory / trial_id
    if not _ID.fullmatch(trial_id) or not (folder / "trial.json").is_file():
        raise NotFound("This trial run is over or never existed: start another from the modeller.", reason="no_trial")
    facts = json.loads((folder / "trial.json").read_text(encoding="utf-8"))
    if facts["owner"] != owner:
        raise NotAllowed("This trial run belongs to another process owner.", reason="trial_not_yours")
    return folder, facts


def discard(folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)


def with_draft(current: list[SourceFile], draft: SourceFile | None) -> list[SourceFile]:
    """The deployed files, the draft replacing the file of the same name."""
    return [f for f in current if draft is None or f.name != draft.name] + ([draft] if draft else [])


def _remove_old(directory: Path, now: dt.datetime) -> None:
    for folder in directory.iterdir():
        facts = folder / "trial.json"
        if not (_ID.fullmatch(folder.name) and facts.is_file()):
            continue
        try:
            created = dt.datetime.fromisoformat(json.loads(facts.read_text(encoding="utf-8"))["created"])
        except (ValueError, KeyError, TypeError):
            created = None
        if created is None or not (now - KEEP <= created <= now + KEEP):
            discard(folder)
