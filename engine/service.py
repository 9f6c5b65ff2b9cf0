"""The engine's front door: every operation a front end (CLI, web) may call.

Each method runs in one transaction with the engine clock in force. The order
of checks for completing a task is fixed: the task is open, the actor may do
it, the form data is valid — then it runs.
"""
from __future__ import annotations

import contextlib
import json
import logging
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.base import clock, schema
from engine.base.config import Settings
from engine.base.db import Database
from engine.base.errors import ChangedMeanwhile, CourseFlowError, NotAllowed, NotFound, Problem, ProcessFailed
from engine.base.models import Course, Definition, Event, Instance, User
from engine.base.serialization import WorkflowCodec
from engine.definitions import compare, deploy, form_library
from engine.definitions.cache import DefinitionCache
from engine.definitions.checks import SourceFile, file_name_problem
from engine.definitions.form_schema import check_shape, prefill
from engine.instances import choices, inbox, migration, runtime, store
from engine.instances.tree import find_task
from engine.proof import audit, diagram, dossier, paths, replay
from engine.registry import courses, users
from engine.registry.roles import ROLES, Actor
from engine.trial import sandbox
from engine.views import DefinitionView, InstanceView

log = logging.getLogger(__name__)
MAX_NOTE = 2000  # characters of a deploy's change note


class Engine:
    def __init__(self, database_url: str | None = None, clock_: clock.Clock | None = None):
        settings = Settings.from_env()
        self.db = Database(database_url or settings.database_url)
        self.clock = clock_ or settings.clock
        self.trial_dir = settings.trial_dir
        self.codec = WorkflowCodec()
        self.definitions = DefinitionCache(self.codec)

    # -- schema and reference data ------------------------------------------------

    def init(self) -> None:
        """Create or upgrade the schema; seed the chain head and the CSB list."""
        schema.upgrade(self.db)
        with self._write() as session:
            audit.ensure_head(session)
            users.seed_csbs(session)

    def require_current_schema(self) -> None:
        """Refuse to go on when the schema needs creating or upgrading (read-only commands never write)."""
        if not schema.is_current(self.db):
            raise CourseFlowError("The database schema is missing or out of date: run 'courseflow init' first.")

    # -- definitions ----------------------------------------------------------------

    def deploy_directory(self, directory: Path, forms_directory: Path | None = None,
                         actor: str | None = None, note: str | None = None) -> deploy.DeployReport:
        """Deploy a folder (``courseflow deploy``); ``actor``, if named, must be a process owner.

        Without one, the deploy is the operator's, who has the database in hand anyway.
        """
        if actor is not None:
            _require(self.actor(actor), "process_owner")
        files, forms = deploy.read_directory(Path(directory), forms_directory and Path(forms_directory))
        if not files:
            raise CourseFlowError(f"{directory} holds no .bpmn files")
        return self.deploy_files(files, forms, actor, note)

    def deploy_files(self, files: list[SourceFile], forms: dict[str, str], actor: str | None = None,
                     note: str | None = None):
        """Deploy BPMN files with the forms offered; if every file deploys, those forms become the library's text."""
        with self._write() as session:
            report = deploy.deploy(session, self.codec, files, forms, actor, _note(note))
            if report.ok:
                form_library.store(session, forms, actor)
            return report

    def deployed_versions(self) -> list[DefinitionView]:
        with self._read() as session:
            rows = session.scalars(select(Definition).order_by(Definition.process_id, Definition.version))
            return [DefinitionView.of(row) for row in rows]

    # -- versions, forms and the modeller (process owners) ---------------------------

    def processes(self) -> list[compare.VersionView]:
        """The newest version of every deployed process, by process id, with its changes and instance counts."""
        with self._read() as session:
            return compare.newest(session)

    def process_versions(self, process_id: str) -> list[compare.VersionView]:
        """Every version of a process, newest first, each compared with the one before."""
        with self._read() as session:
            return compare.history(session, process_id)

    def version_xml(self, process_id: str, version: int) -> str:
        """The BPMN file of one version as deployed (the modeller opens it)."""
        with self._read() as session:
            return compare.bpmn_xml(session, process_id, version)

    def forms(self) -> dict[str, dict]:
        """The form library: form file name -> JSON Schema."""
        with self._read() as session:
            return form_library.schemas(session)

    def form_preview(self, name: str, text: str) -> tuple[dict | None, list[Problem]]:
        """The schema the editor's text would save (None if it has problems) and its problems; stores nothing."""
        problems = form_library.problems(name, text)
        if problems:
            return None, problems
        with self._read() as session:  # choices filled in from current data, as a task page shows them
            return choices.resolve(session, json.loads(text)), []

    def save_form(self, name: str, text: str, actor: Actor) -> form_library.FormReport:
        """Check and store a form, then deploy new versions of the processes binding it (none if it has problems)."""
        _require(actor, "process_owner")
        with self._write() as session:
            return form_library.save(session, self.codec, name, text, actor.login)

    def deploy_model(self, filename: str, xml: str | bytes, actor: Actor, base_version: int | None = None,
                     note: str | None = None) -> deploy.DeployReport:
        """Deploy one BPMN file from the modeller with the library's forms: every deploy check applies.

        ``base_version`` is the version the modeller opened: if a newer one was deployed since, nothing is
        deployed and the report's ``conflict`` holds the differences against the newest (deploy again
        without it to confirm). ``note`` is the change note kept with each version deployed.
        """
        _require(actor, "process_owner")
        problem = file_name_problem(filename, ".bpmn")
        if problem:
            return deploy.DeployReport(problems=[Problem(filename, problem)])
        try:
            content = xml.encode() if isinstance(xml, str) else xml
        except UnicodeEncodeError:
            return deploy.DeployReport(problems=[Problem(filename, "the model holds characters that are not "
                                                         "valid Unicode text: save it again from the modeller")])
        with self._write() as session:
            return form_library.deploy_model(session, self.codec, SourceFile(filename, content), actor.login,
                                             base_version, _note(note))

    # -- trial runs: a draft tried on a throw-away course (process owners) ---------------------

    def start_trial(self, process_id: str, actor: Actor, filename: str | None = None, xml: str | None = None,
                    forms: dict[str, str] | None = None) -> sandbox.TrialView:
        """A throw-away database holding the deployed processes and library forms as they are now, with the draft
        BPMN file and/or form texts deployed over them, and a trial user holding every role. ``process_id`` is
        the process tried ('' for a draft form: the outermost process binding it).

        Nothing is written to this engine's database. If the draft has problems the trial is removed at once and
        the view lists them.
        """
        _require(actor, "process_owner")
        with self._read() as session:
            latest = deploy.latest_definitions(session)
            current = deploy.source_files(latest.values())
            library = form_library.texts(session)
            if not process_id:  # a draft form: try the outermost process binding it (its callers' forms count)
                binding = [d for d in latest.values() if set(forms or {}) & set(json.loads(d.forms_json))]
                process_id = max(binding, key=lambda d: (len(json.loads(d.files_json)), d.process_id)).process_id \
                    if binding else min(latest, default="")
        trial_id, folder = sandbox.create(self.trial_dir, actor.login, process_id, self.clock.now())
        draft = SourceFile(filename, xml.encode()) if filename and xml is not None else None
        trial = Engine(sandbox.database_url(folder), clock.FixedClock(self.clock.now()))
        try:
            trial.init()
            trial.add_user(sandbox.TRIAL_USER, list(ROLES), name="Trial run (every role)")
            report = trial.deploy_files(sandbox.with_draft(current, draft), {**library, **(forms or {})})
        finally:
            trial.close()
        if not report.ok:
            sandbox.discard(folder)
        return sandbox.TrialView(trial_id, process_id, actor.login, report.problems)

    def trial(self, trial_id: str, actor: Actor) -> Engine:
        """The engine of ``actor``'s trial run (close it after use); its user ``TRIAL_USER`` holds every role."""
        _require(actor, "process_owner")
        folder, _ = sandbox.find(self.trial_dir, trial_id, actor.login)
        return Engine(sandbox.database_url(folder), clock.FixedClock(self.clock.now()))

    def trial_view(self, trial_id: str, actor: Actor) -> sandbox.TrialView:
        """What ``actor``'s trial run tries (the process the draft was of)."""
        _require(actor, "process_owner")
        _, facts = sandbox.find(self.trial_dir, trial_id, actor.login)
        return sandbox.TrialView(trial_id, facts["process_id"], actor.login, [])

    def discard_trial(self, trial_id: str, actor: Actor) -> None:
        _require(actor, "process_owner")
        folder, _ = sandbox.find(self.trial_dir, trial_id, actor.login)
        sandbox.discard(folder)

    # -- people -----------------------------------------------------------------------

    def add_user(self, login: str, grants: list[str], password: str | None = None, name: str | None = None,
                 email: str | None = None, by: str | None = None) -> None:
        """Add a user (the CLI, the demo, or a sector administrator in the web app)."""
        with self._write() as session:
            users.add_user(session, login, grants, password, name, email, by)

    def users(self) -> list[users.UserView]:
        with self._read() as session:
            return users.list_users(session)

    def grant(self, login: str, grant: str, by: Actor) -> None:
        """Give ``login`` a role (``ROLE`` or ``ROLE:SCOPE``); only a sector administrator may."""
        _require(by, "sector_administrator")
        with self._write() as session:
            users.grant(session, login, grant, by.login)

    def revoke(self, login: str, grant: str, by: Actor) -> None:
        _require(by, "sector_administrator")
        with self._write() as session:
            users.revoke(session, login, grant, by.login)

    def set_active(self, login: str, active: bool, by: Actor) -> None:
        _require(by, "sector_administrator")
        if login == by.login and not active:
            raise CourseFlowError("You cannot deactivate yourself.")
        with self._write() as session:
            users.set_active(session, login, active, by.login)

    def set_language(self, login: str, language: str) -> None:
        with self._write() as session:
            users.set_language(session, login, language)

    def language(self, login: str) -> str:
        with self._read() as session:
            return session.scalar(select(User.language).where(User.login == login)) or "en"

    def actor(self, login: str) -> Actor:
        with self._read() as session:
            return users.actor_for(session, login)

    def authenticate(self, login: str, password: str) -> Actor | None:
        with self._read() as session:
            return users.authenticate(session, login, password)

    # -- running processes -----------------------------------------------------------

    def start(self, process_id: str, data: dict[str, Any] | None, actor: Actor) -> str:
        """Start the newest version of ``process_id``; return the new instance id."""
        data = {} if data is None else data
        check_shape(data)
        with self._write() as session:
            definition = deploy.latest_definitions(session).get(process_id)
            if definition is None:
                raise NotFound(f"No process {process_id!r} is deployed; run 'courseflow deploy' first.")
            return runtime.start(session, self.definitions, self.definitions.parsed(session, definition.id), data,
                                 actor)

    def complete(self, task_id: str, data: Any, actor: Actor, expected_version: int | None = None) -> None:
        """Complete an open task with form data: the task is open, the actor may do it, the data is valid."""
        def attempt():
            with self._write() as session:
                found = store.open_task_with_instance(session.connection(), task_id)
                if found is None:
                    runtime.refuse_closed_task(session, task_id)
                row, instance, state_json = found
                via = runtime.check_may_act(actor, row)
                check_shape(data)  # the form itself is checked once the task's data is loaded
                runtime.complete(session, self.definitions, row, data, actor, via, expected_version,
                                 (instance, state_json))
        self._after_due_timers(attempt)

    def send_message(self, instance_id: str, name: str, payload: dict | None, actor: Actor) -> None:
        """Deliver a BPMN message (e.g. "inspection_requested") to a waiting instance."""
        payload = {} if payload is None else payload
        check_shape(payload)

        def attempt():
            with self._write() as session:
                runtime.deliver_message(session, self.definitions, instance_id, name, payload, actor)
        self._after_due_timers(attempt)

    def _after_due_timers(self, attempt) -> None:
        """Run ``attempt``; if its instance has overdue timers, fire them first (and commit), then retry.

        Timers fire before anything is delivered, so a passed deadline is never
        skipped and an overdue timer and a late event never both run.
        """
        try:
            return attempt()
        except runtime.TimersDue as due:
            instance_id = due.args[0]
        with self._write() as session:
            runtime.fire_due_timers(session, self.definitions, instance_id)
        try:
            return attempt()
        except runtime.TimersDue:
            raise ProcessFailed("The process's overdue timers could not fire; try again in a moment.") from None

    def claim(self, task_id: str, actor: Actor) -> None:
        with self._write() as session:
            runtime.claim(session, self._open_row(session, task_id), actor)

    def unclaim(self, task_id: str, actor: Actor) -> None:
        with self._write() as session:
            runtime.unclaim(session, self._open_row(session, task_id), actor)

    # -- migrating running instances to a newer version (see engine.migration) -------

    def migration_plan(self, process_id: str, to_version: int, instance_ids: list[str] | None = None
                       ) -> list[migration.MigrationCheck]:
        """Per running instance (all running instances of process_id on older versions when instance_ids is
        None): would it move safely? Nothing is changed; the reason names what stands in the way.
        """
        with self._read() as session:
            known = migration.Versions(session)
            target = known.target(process_id, to_version)
            ids = migration.running_on_older(session, target) if instance_ids is None else instance_ids
            return migration.plan(session, self.definitions, known, target, list(dict.fromkeys(ids)))

    def migrate(self, process_id: str, to_version: int, instance_ids: list[str], actor: Actor
                ) -> list[migration.MigrationResult]:
        """Move each instance that is safe to move, each in its own transaction; refuse the others with the reason.

        Only a process owner may. A refused instance is left exactly as it was.
        """
        _require(actor, "process_owner")
        with self._read() as session:
            migration.Versions(session).target(process_id, to_version)  # no such version: refuse the whole request
        return [self._migrate_one(process_id, to_version, instance_id, actor)
                for instance_id in dict.fromkeys(instance_ids)]

    def _migrate_one(self, process_id: str, to_version: int, instance_id: str, actor: Actor
                     ) -> migration.MigrationResult:
        try:
            with self._write() as session:
                return migration.migrate(session, self.definitions, process_id, to_version, instance_id, actor)
        except CourseFlowError as error:  # e.g. changed at the same moment: this one stays as it was
            with self._read() as session:
                course = migration.course_of(session, instance_id)
            return migration.MigrationResult(instance_id, False, str(error), *course)

    def tick(self, batch: int = 100) -> int:
        """Fire every due timer of every due instance; return how many timers fired.

        Safe to run from several workers at once: each leases a batch of due
        instances (SKIP LOCKED on PostgreSQL) and fires each in its own
        transaction; a timer that fails is recorded and retried later.
        """
        fired = 0
        while True:
            with self._write() as session:
                due = runtime.lease_due_instances(session, self.clock.now(), batch, not self.db.is_sqlite)
            for instance_id in due:
                fired += self._fire(instance_id)
            if len(due) < batch:
                return fired

    def _fire(self, instance_id: str) -> int:
        try:
            with self._write() as session:
                return runtime.fire_due_timers(session, self.definitions, instance_id)
        except ChangedMeanwhile:
            return 0  # someone acted on the instance meanwhile; its timers fire with that change
        except CourseFlowError as error:
            log.warning("timer of instance %s failed: %s", instance_id, error)
            with self._write() as session:
                runtime.record_timer_failure(session, instance_id, error)
            return 0

    @staticmethod
    def _open_row(session, task_id: str) -> store.OpenTaskRow:
        row = store.open_task(session.connection(), task_id)
        if row is None:
            runtime.refuse_closed_task(session, task_id)
        return row

    # -- reading ------------------------------------------------------------------------

    def tasks(self, actor: Actor | None = None, filters: inbox.TaskFilter = inbox.TaskFilter()
              ) -> list[inbox.TaskView]:
        """Open tasks ``actor`` may do (all open tasks when None), filtered and paged."""
        with self._read() as session:
            return inbox.tasks_for(session, actor, filters)

    def task_count(self, actor: Actor | None = None, filters: inbox.TaskFilter = inbox.TaskFilter()) -> int:
        with self._read() as session:
            return inbox.count_for(session, actor, filters)

    def task(self, task_id: str, actor: Actor | None = None) -> inbox.TaskDetail:
        """One open task with its form (choices filled in, values prefilled from the process data).

        ``actor``, if given, must be allowed to do it.
        """
        with self._read() as session:
            row = self._open_row(session, task_id)
            if actor is not None:
                runtime.check_may_act(actor, row)
            loaded = runtime.load(session, self.definitions, row.instance_id)
            task = find_task(loaded.workflow, row.id)
            schema = choices.resolve(session, self.definitions.form(session, row.definition_id, row.form), row.scope)
            return inbox.TaskDetail(inbox.TaskView.of(row), schema, loaded.instance.version,
                                    prefill(schema, task.data if task else {}), loaded.instance.course_id)

    def may_start(self, process_id: str, actor: Actor) -> bool:
        """Whether ``actor`` holds the role of the process's start lane (the rule ``start`` enforces)."""
        with self._read() as session:
            definition = deploy.latest_definitions(session).get(process_id)
            if definition is None:
                return False
            roles = self.definitions.parsed(session, definition.id).start_roles
            return not roles or any(actor.holds(role) for role in roles)

    def start_form(self, process_id: str) -> dict | None:
        """The form a process asks for when started (choices filled in), or None."""
        with self._read() as session:
            definition = deploy.latest_definitions(session).get(process_id)
            if definition is None:
                raise NotFound(f"No process {process_id!r} is deployed.")
            name = self.definitions.parsed(session, definition.id).start_form
            return choices.resolve(session, self.definitions.form(session, definition.id, name)) if name else None

    def course(self, course_id: int) -> courses.CourseView:
        with self._read() as session:
            return courses.course(session, course_id)

    def sheets(self, course_id: int) -> list[courses.SheetView]:
        """The forms submitted in a course's process, as recorded (oldest first)."""
        with self._read() as session:
            return [replace(sheet, schema=self.definitions.form(session, sheet.definition_id, sheet.sheet))
                    for sheet in courses.sheets(session, course_id)]

    def courses(self, statuses=courses.STATUSES) -> list[courses.CourseView]:
        """Courses by status: the List (6.2), the catalogue (8.2) or the cancelled (13.5)."""
        with self._read() as session:
            return courses.courses(session, statuses)

    def instance(self, instance_id: str) -> InstanceView:
        with self._read() as session:
            instance = session.get(Instance, instance_id)
            if instance is None:
                raise NotFound(f"There is no process instance {instance_id}.")
            return InstanceView.of(instance)

    def replay_course(self, course_id: int) -> list[replay.Outcome]:
        """Re-execute every instance of a course from its events; compare with the stored state."""
        with self._snapshot() as session:
            course = courses.course(session, course_id)
            ids = [course.instance, *session.scalars(select(Instance.id).where(
                Instance.course_id == course_id, Instance.id != course.instance).order_by(Instance.started_at))]
            return [self._replay(session, instance_id) for instance_id in ids]

    def history(self, course_id: int, **filters) -> list[courses.HistoryEntry]:
        """A course's events for auditors; filters: process, role, actor, since, until."""
        with self._read() as session:
            return courses.history(session, course_id, **filters)

    def diagrams(self, course_id: int, path: paths.Path | None = None) -> list[diagram.Diagram]:
        """Each process the course's instance ran, laid out from its version's BPMN DI with ``path`` marked.

        ``path`` defaults to the path taken so far (a replay step passes its own).
        """
        with self._read() as session:
            course = courses.course(session, course_id)
            loaded = runtime.load(session, self.definitions, course.instance)
            files = json.loads(session.get(Definition, loaded.instance.definition_id).files_json)
            path = path or paths.taken(loaded.workflow)
            ran = [loaded.instance.process_id, *sorted((set(path.done) | set(path.open)) - {loaded.instance.process_id})]
            return [diagram.layout(files[process_id], process_id, path) for process_id in ran if process_id in files]

    def export_dossier(self, course_id: int) -> dict:
        """Everything needed to check a course's history offline (see engine.dossier)."""
        with self._snapshot() as session:
            return dossier.build(session, course_id)

    def steps(self, course_id: int) -> list[replay.Step]:
        """The course's own process after each of its events, rebuilt by replay (auditors step through it)."""
        with self._snapshot() as session:
            course = courses.course(session, course_id)
            rows = session.scalars(select(Event).where(Event.instance_id == course.instance).order_by(Event.seq))
            return replay.steps([replay.event_dict(row) for row in rows],
                                lambda definition_id: session.get(Definition, definition_id).spec_json, self.codec)

    def course_ids(self) -> list[int]:
        with self._read() as session:
            return list(session.scalars(select(Course.id).order_by(Course.id)))

    def _replay(self, session, instance_id: str) -> replay.Outcome:
        rows = session.scalars(select(Event).where(Event.instance_id == instance_id).order_by(Event.seq))
        events = [replay.event_dict(row) for row in rows]
        state, definition_id = session.execute(select(Instance.state_json, Instance.definition_id)
                                               .where(Instance.id == instance_id)).one()
        return replay.reexecute(events, lambda definition_id: session.get(Definition, definition_id).spec_json,
                                self.codec, state, definition_id)

    def verify(self) -> audit.Verdict:
        with self._snapshot() as session:
            return audit.verify(session)

    # -- plumbing -------------------------------------------------------------------------

    @contextlib.contextmanager
    def _write(self) -> Iterator[Session]:
        """One write transaction at one instant of the engine clock.

        Everything the transaction does (timers computed, scripts calling now(),
        the events' time) sees the same instant, so a replay at the recorded
        time reproduces it exactly.
        """
        with clock.use_clock(clock.FixedClock(self.clock.now())), self.db.write() as session:
            yield session

    @contextlib.contextmanager
    def _read(self) -> Iterator[Session]:
        """A read transaction with the engine clock in force (due times, overdue checks)."""
        with clock.use_clock(self.clock), self.db.read() as session:
            yield session

    @contextlib.contextmanager
    def _snapshot(self) -> Iterator[Session]:
        """A read transaction over one snapshot (long checks, exports) at one instant of the engine clock."""
        with clock.use_clock(clock.FixedClock(self.clock.now())), self.db.snapshot() as session:
            yield session

    def close(self) -> None:
        self.db.dispose()


def _note(note: str | None) -> str | None:
    """A change note as kept: trimmed, None when empty; refused when longer than a paragraph or two."""
    note = (note or "").strip()
    if len(note) > MAX_NOTE:
        raise CourseFlowError(f"The change note has {len(note)} characters; keep it under {MAX_NOTE}.")
    return note or None


def _require(actor: Actor, role: str) -> None:
    if not actor.holds(role):
        raise NotAllowed(f"This needs the role {role}.")
