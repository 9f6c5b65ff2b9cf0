"""The form library: the current text of every form file, as the next deploy offers it.

Process owners edit forms in the web app; ``courseflow deploy`` offers the
forms of a folder. Either way the text lands here, and every deployed process
binding a saved form is deployed again, so new instances use it while running
ones keep the copy their version was deployed with.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.base import clock
from engine.base.errors import Problem
from engine.base.models import LibraryForm
from engine.base.serialization import WorkflowCodec
from engine.base.vocabulary import EventKind
from engine.definitions import compare, deploy
from engine.definitions.checks import SourceFile, file_name_problem, form_problem
from engine.proof import audit

MAX_FORM_BYTES = 512 * 1024


@dataclass
class FormReport:
    """What saving a form did: its problems (then nothing was stored), or the deploy it caused."""

    problems: list[Problem] = field(default_factory=list)
    saved: bool = False
    deploy: deploy.DeployReport | None = None  # None when no deployed process binds the form

    @property
    def ok(self) -> bool:
        return not self.problems and (self.deploy is None or self.deploy.ok)

    def as_dict(self) -> dict[str, Any]:
        return {"saved": self.saved, "problems": [vars(p) for p in self.problems],
                "deploy": self.deploy.as_dict() if self.deploy else None}


def problems(name: str, text: str) -> list[Problem]:
    """Why ``text`` may not be stored as form file ``name``: the checks deploy applies to a bound form."""
    problem = file_name_problem(name, ".json")
    try:
        size = len(text.encode())
    except UnicodeEncodeError:
        return [Problem(name, "the form holds characters that are not valid Unicode text")]
    if problem is None and size > MAX_FORM_BYTES:
        problem = f"the form is {size} bytes; the limit is {MAX_FORM_BYTES}"
    if problem is None:
        problem = form_problem(text)
    return [Problem(name, problem)] if problem else []


def texts(session: Session) -> dict[str, str]:
    """{form file name: JSON text} of the whole library: what a deploy from the web offers."""
    return {name: content for name, content in session.execute(select(LibraryForm.name, LibraryForm.content))}


def schemas(session: Session) -> dict[str, dict[str, Any]]:
    """{form file name: JSON Schema}, ordered by name."""
    return {name: json.loads(text) for name, text in sorted(texts(session).items())}


def store(session: Session, forms: dict[str, str], actor: str | None) -> list[str]:
    """Insert or update the usable forms of ``forms``; return the names whose content changed.

    Each change is an audit event ``form_saved``; unusable forms are left out
    (a deploy binding one reports it).
    """
    audit.lock_head(session)
    known = {row.name: row for row in session.scalars(select(LibraryForm).where(LibraryForm.name.in_(list(forms))))}
    now, events = clock.now(), []
    for name, text in sorted(forms.items()):
        sha = audit.sha256(text)
        row = known.get(name)
        if (row is not None and row.sha256 == sha) or problems(name, text):
            continue
        if row is None:
            row = LibraryForm(name=name)
            session.add(row)
        row.content, row.sha256, row.saved_at, row.saved_by = text, sha, now, actor
        events.append(audit.NewEvent(EventKind.FORM_SAVED, actor=actor, data={"form": name, "sha256": sha}))
    session.flush()
    audit.append(session, events, now)
    return [event.data["form"] for event in events]


def save(session: Session, codec: WorkflowCodec, name: str, text: str, actor: str) -> FormReport:
    """Check and store one form, then deploy again every process whose newest version binds it.

    A form with problems stores and deploys nothing.
    """
    found = problems(name, text)
    if found:
        return FormReport(found)
    store(session, {name: text}, actor)
    binding = [d for d in deploy.latest_definitions(session).values() if name in json.loads(d.forms_json)]
    if not binding:
        return FormReport(saved=True)
    report = deploy.deploy(session, codec, deploy.source_files(binding), texts(session), actor)
    return FormReport(saved=True, deploy=report)


def deploy_model(session: Session, codec: WorkflowCodec, source: SourceFile, actor: str,
                 base_version: int | None = None, note: str | None = None) -> deploy.DeployReport:
    """Deploy one BPMN file with the library's forms, read once no other deploy or form save can change them.

    With ``base_version`` (the version the owner opened), a file whose process has a newer version is
    refused with the differences against it, so an edit of an old version never silently reverts the
    versions since.
    """
    audit.lock_head(session)
    if base_version is not None:
        found = compare.conflict(session, source.content, base_version)
        if found is not None:
            return deploy.DeployReport(conflict=found)
    return deploy.deploy(session, codec, [source], texts(session), actor, note)
