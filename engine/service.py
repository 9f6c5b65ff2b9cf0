"""The engine's front door: every operation a front end (CLI, web) may call.

Each method runs in one transaction with the engine clock in force. The order
of checks for completing a task is fixed: the task is open, the actor may do
it, the form data is valid — then it runs.
"""
from __future__ import annotations

import contextlib
import json
from pathlib import Path
from typing import Any, Iterator

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from . import audit, clock, deploy, inbox, runtime, schema, users
from .checks import SourceFile
from .config import Settings
from .db import Database
from .errors import ChangedMeanwhile, CourseFlowError, NotFound
from .forms import validate_submission
from .models import Definition, Instance, OpenTask
from .roles import Actor
from .serialization import WorkflowCodec


class Engine:
    def __init__(self, database_url: str | None = None, clock_: clock.Clock | None = None):
        settings = Settings.from_env()
        self.db = Database(database_url or settings.database_url)
        self.clock = clock_ or settings.clock
        self.codec = WorkflowCodec()

    # -- schema and reference data ------------------------------------------------

    def init(self) -> None:
        """Create or upgrade the schema; seed the chain head and the CSB list."""
        schema.upgrade(self.db)
        with self._write() as session:
            audit.ensure_head(session)
            users.seed_csbs(session)

    # -- definitions ----------------------------------------------------------------

    def deploy_directory(self, directory: Path, forms_directory: Path | None = None,
                         actor: str | None = None) -> deploy.DeployReport:
        files, forms = deploy.read_directory(Path(directory), forms_directory and Path(forms_directory))
        if not files:
            raise CourseFlowError(f"{directory} holds no .bpmn files")
        return self.deploy_files(files, forms, actor)

    def deploy_files(self, files: list[SourceFile], forms: dict[str, str], actor: str | None = None):
        with self._write() as session:
            return deploy.deploy(session, self.codec, files, forms, actor)

    def definitions(self) -> list[Definition]:
        with self.db.read() as session:
            return list(session.scalars(select(Definition).order_by(Definition.process_id, Definition.version)))

    # -- people -----------------------------------------------------------------------

    def add_user(self, login: str, grants: list[str], password: str | None = None, name: str | None = None,
                 email: str | None = None, by: str | None = None) -> None:
        with self._write() as session:
            users.add_user(session, login, grants, password, name, email, by)

    def actor(self, login: str) -> Actor:
        with self.db.read() as session:
            return users.actor_for(session, login)

    def authenticate(self, login: str, password: str) -> Actor | None:
        with self.db.read() as session:
            return users.authenticate(session, login, password)

    # -- running processes -----------------------------------------------------------

    def start(self, process_id: str, data: dict[str, Any] | None, actor: Actor) -> str:
        """Start the newest version of ``process_id``; return the new instance id."""
        data = {} if data is None else data
        _check_plain_data(data)
        with self._write() as session:
            definition = deploy.latest_definitions(session).get(process_id)
            if definition is None:
                raise NotFound(f"No process {process_id!r} is deployed; run 'courseflow deploy' first.")
            return runtime.start(session, self.codec, definition, data, actor).id

    def complete(self, task_id: str, data: Any, actor: Actor, expected_version: int | None = None) -> None:
        """Complete an open task with form data, after every check passes."""
        self._fire_timers_of_task(task_id)
        with self._write() as session:
            row = self._open_row(session, task_id)
            via = runtime.check_may_act(actor, row)
            definition = session.get(Definition, row.definition_id)
            form_schema = json.loads(definition.forms_json).get(row.form) or {"type": "object"}
            validate_submission(form_schema, data)
            runtime.complete(session, self.codec, row, data, actor, via, expected_version)

    def claim(self, task_id: str, actor: Actor) -> None:
        with self._write() as session:
            runtime.claim(session, self._open_row(session, task_id), actor)

    def unclaim(self, task_id: str, actor: Actor) -> None:
        with self._write() as session:
            runtime.unclaim(session, self._open_row(session, task_id), actor)

    def tick(self, batch: int = 100) -> int:
        """Fire every due timer of every due instance; return how many timers fired."""
        fired = 0
        while True:
            with self._write() as session:
                due = runtime.due_instances(session, self.clock.now(), batch, skip_locked=not self.db.is_sqlite)
                for instance_id in due:
                    fired += runtime.fire_due_timers(session, self.codec, instance_id)
            if len(due) < batch:
                return fired

    def _fire_timers_of_task(self, task_id: str) -> None:
        """Overdue timers fire before a completion, so a passed deadline is never skipped."""
        with self.db.read() as session:
            row = session.get(OpenTask, task_id)
            instance = row and session.get(Instance, row.instance_id)
            due = instance is not None and instance.next_timer_at and instance.next_timer_at <= self.clock.now()
        if due:
            with self._write() as session:
                runtime.fire_due_timers(session, self.codec, instance.id)

    @staticmethod
    def _open_row(session, task_id: str) -> OpenTask:
        row = session.get(OpenTask, task_id)
        if row is None:
            runtime.refuse_closed_task(session, task_id)
        return row

    # -- reading ------------------------------------------------------------------------

    def tasks(self, actor: Actor | None = None, limit: int = 500) -> list[inbox.TaskView]:
        with self.db.read() as session:
            return inbox.tasks_for(session, actor, limit)

    def task(self, task_id: str, actor: Actor | None = None) -> inbox.TaskDetail:
        """One open task with its form schema; ``actor``, if given, must be allowed to do it."""
        with self.db.read() as session:
            row = self._open_row(session, task_id)
            if actor is not None:
                runtime.check_may_act(actor, row)
            return inbox.task_detail(session, row)

    def instance(self, instance_id: str) -> Instance:
        with self.db.read() as session:
            instance = session.get(Instance, instance_id)
            if instance is None:
                raise NotFound(f"There is no process instance {instance_id}.")
            return instance

    def verify(self) -> audit.Verdict:
        with self.db.read() as session:
            return audit.verify(session)

    # -- plumbing -------------------------------------------------------------------------

    @contextlib.contextmanager
    def _write(self) -> Iterator[Session]:
        """One write transaction with the engine clock in force."""
        try:
            with clock.use_clock(self.clock), self.db.write() as session:
                yield session
        except StaleDataError:
            raise ChangedMeanwhile("Someone else changed this process at the same moment; nothing of yours was "
                                   "saved. Reload and try again.") from None

    def close(self) -> None:
        self.db.dispose()


def _check_plain_data(data: Any) -> None:
    """Start data is a JSON object without reserved keys (same rules as a form with no schema)."""
    validate_submission({"type": "object"}, data)
