"""The engine's front door: every operation a front end (CLI, web) may call.

Each method runs in one transaction with the engine clock in force. The order
of checks for completing a task is fixed: the task is open, the actor may do
it, the form data is valid — then it runs.
"""
from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import hashlib
import json
import logging
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from engine.announcement import catalogue as public_catalogue
from engine.announcement import directory as nmi_directory
from engine.announcement import form_values as record_values
from engine.announcement import invitations as nmi_invitations
from engine.base import clock, schema
from engine.base.config import Settings, checkpoint_key_path
from engine.base.db import Database
from engine.base.errors import ChangedMeanwhile, CourseFlowError, NotAllowed, NotFound, Problem, ProcessFailed, Refused
from engine.base.models import Course, Definition, Event, Instance, User
from engine.base.serialization import WorkflowCodec
from engine.base.vocabulary import CATALOGUE_STATUSES, STATUSES, EventKind
from engine.certificates import batches as certificate_batches
from engine.certificates import eligibility as certificate_eligibility
from engine.certificates import issuing as certificate_issuing
from engine.certificates import register as certificate_register
from engine.certificates import settings as certificate_settings
from engine.certificates import verification as certificate_verification
from engine.definitions import compare, deploy, form_library
from engine.definitions.cache import DefinitionCache
from engine.definitions.checks import SourceFile, file_name_problem
from engine.definitions.form_schema import check_shape, prefill
from engine.instances import choices, hot, inbox, migration, runtime, store
from engine.instances.tree import find_task
from engine.mail import digest as mail_digest
from engine.mail import notices as mail_notices
from engine.mail import notify as mail_notify
from engine.mail import outbox as mail_outbox
from engine.mail import preferences as mail_preferences
from engine.mail import settings as mail_settings
from engine.mail import smtp as mail_smtp
from engine.mail.delivery import MailRun
from engine.monitoring import access as monitoring_access
from engine.monitoring import overview as monitoring_overview
from engine.monitoring import participation, reports, retention, webservice
from engine.monitoring import store as monitoring_store
from engine.monitoring import summary as monitoring_summary
from engine.monitoring.models import Participant
from engine.monitoring.period import Period
from engine.monitoring.records import ActivityFigures
from engine.monitoring.summary import ParticipantStates
from engine.proof import (
    audit,
    checkpoints,
    consistency,
    diagram,
    dossier,
    dossier_report,
    links,
    log_check,
    paths,
    replay,
)
from engine.registry import course_list, course_requests, courses, csbs, users, withdrawal
from engine.registry.course_list import CourseList, CourseQuery
from engine.registry.courses import CourseView, HistoryEntry
from engine.registry.csbs import CsbView
from engine.registry.roles import ROLES, Actor, may_read_history
from engine.registry.users import Contact, Grant, UserView
from engine.reports import annual as annual_report
from engine.reports import delivery as report_delivery
from engine.reports import documents as report_documents
from engine.reports import figures as report_figures
from engine.reports import pdf as report_pdf
from engine.reports import xlsx as report_xlsx
from engine.satisfaction import access as satisfaction_access
from engine.satisfaction import answers as satisfaction_answers
from engine.satisfaction import codes, quarterly
from engine.satisfaction.quarters import parse_period
from engine.satisfaction.results import SatisfactionResults, aggregate, criteria_of
from engine.security import sessions, throttle
from engine.trial import sandbox
from engine.views import DefinitionView, InstanceView

log = logging.getLogger(__name__)
MAX_NOTE = 2000  # characters of a deploy's change note


class Engine:
    def __init__(self, database_url: str | None = None, clock_: clock.Clock | None = None):
        settings = Settings.from_env()
        self.db = Database(database_url or settings.database_url)
        self.clock = clock_ or settings.clock
        self.satisfaction_min_answers = settings.satisfaction_min_answers
        self.trial_dir = settings.trial_dir
        self.codec = WorkflowCodec()
        self.definitions = DefinitionCache(self.codec)
        self.hot = hot.HotInstances(settings.hot_instances)

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
                     note: str | None = None) -> deploy.DeployReport:
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

    def forms(self) -> dict[str, dict[str, Any]]:
        """The form library: form file name -> JSON Schema."""
        with self._read() as session:
            return form_library.schemas(session)

    def form_preview(self, name: str, text: str) -> tuple[dict[str, Any] | None, list[Problem]]:
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
                 email: str | None = None, by: str | None = None, nmi: str | None = None, phone: str | None = None,
                 require_csb: bool = False) -> None:
        """Add a user (the CLI, the demo, tests); ``require_csb`` refuses a CSB role without its CSB."""
        with self._write() as session:
            users.add_user(session, login, grants, password, name, email, by, nmi, phone, require_csb)

    def add_person(self, login: str, grants: list[str], contact: Contact, by: Actor) -> str:
        """A sector administrator adds a person; return their temporary password (changed at first login).

        CSB chairs and members are granted for one CSB only (7.3).
        """
        _require(by, "sector_administrator")
        password = users.temporary_password()
        with self._write() as session:
            users.add_user(session, login, grants, password, contact.name, contact.email, by.login, contact.nmi,
                           contact.phone, require_csb=True, temporary=True)
        return password

    def users(self) -> list[UserView]:
        with self._read() as session:
            return users.list_users(session)

    def person(self, login: str) -> UserView:
        with self._read() as session:
            return users.person(session, login)

    def grant(self, login: str, grant: str, by: Actor) -> Grant:
        """Give ``login`` a role (``ROLE`` or ``ROLE:CSB``; CSB roles need the CSB); only a sector administrator may."""
        _require(by, "sector_administrator")
        with self._write() as session:
            return users.grant(session, login, grant, by.login, require_csb=True)

    def revoke(self, login: str, grant: str, by: Actor) -> Grant:
        """Take a role away; never one's own administrator role, never the last active administrator's."""
        _require(by, "sector_administrator")
        with self._write() as session:
            return users.revoke(session, login, grant, by.login)

    def set_active(self, login: str, active: bool, by: Actor) -> None:
        _require(by, "sector_administrator")
        if login == by.login and not active:
            raise Refused("own_deactivation", "You cannot deactivate yourself.")
        with self._write() as session:
            users.set_active(session, login, active, by.login)

    def update_contact(self, login: str, contact: Contact, by: Actor) -> tuple[str, ...]:
        """Change a person's name, e-mail, NMI and phone (an administrator, or the person); return what changed."""
        if by.login != login:
            _require(by, "sector_administrator")
        with self._write() as session:
            return users.update_contact(session, login, contact, by.login)

    def reset_password(self, login: str, by: Actor) -> str:
        """A sector administrator gives ``login`` a temporary password (returned once); their sessions end."""
        _require(by, "sector_administrator")
        with self._write() as session:
            temporary = users.reset_password(session, login, by.login)
            sessions.end(session, login, by.login, "password reset")
            return temporary

    def change_password(self, login: str, current: str, new: str) -> int:
        """Change one's own password; every other session of ``login`` ends. Returns the new session generation
        (the session that changed it carries on with it)."""
        with self._write() as session:
            users.change_password(session, login, current, new)
            sessions.end(session, login, login, "password changed")
            return sessions.generation(session, login)

    def csbs(self) -> list[CsbView]:
        """The CSB list with each CSB's chairs and members."""
        with self._read() as session:
            return csbs.csbs(session)

    def save_csb(self, code: str, name: str, name_ru: str | None, by: Actor) -> str:
        """Add or rename a CSB (sector administrators): "added", "changed" or "unchanged"."""
        _require(by, "sector_administrator")
        with self._write() as session:
            return csbs.save(session, code, name, name_ru, by.login)

    def set_language(self, login: str, language: str) -> None:
        with self._write() as session:
            users.set_language(session, login, language)

    def language(self, login: str) -> str:
        with self._read() as session:
            return session.scalar(select(User.language).where(User.login == login)) or "en"

    def actor(self, login: str) -> Actor:
        with self._read() as session:
            return users.actor_for(session, login)

    def authenticate(self, login: str, password: str, address: str | None = None) -> Actor | None:
        """The actor if the password is right; ``None`` if not (unknown logins take as long).

        Repeated failures for one login, or from one ``address``, block further
        tries for a while (:class:`TooManyAttempts`).
        """
        limits = throttle.keys(login, address)
        with self._write() as session:
            throttle.refuse_if_blocked(session, limits, clock.now())
            actor = users.authenticate(session, login, password)
            if actor is not None:
                throttle.clear(session, next(iter(limits)))
                return actor
            blocked = throttle.record_failure(session, limits, clock.now())
            if blocked:
                audit.append(session, [audit.NewEvent(EventKind.LOGINS_BLOCKED, data={"login": login, "keys": len(blocked)})],
                             clock.now())
        return None

    def session_generation(self, login: str) -> int:
        """The number a new web session of ``login`` remembers (see :meth:`session_actor`)."""
        with self._read() as session:
            return sessions.generation(session, login)

    def session_actor(self, login: str, opened_with: int | None) -> Actor:
        """The actor of a web session, unless it was ended since (logout, deactivation, password change)."""
        with self._read() as session:
            return sessions.actor(session, login, opened_with)

    def end_sessions(self, login: str, by: Actor | None = None, reason: str = "logout") -> None:
        """End every web session of ``login``: their own logout, or a sector administrator's decision."""
        if by is not None and by.login != login:
            _require(by, "sector_administrator")
        with self._write() as session:
            sessions.end(session, login, by.login if by else login, reason)

    # -- running processes -----------------------------------------------------------

    def start(self, process_id: str, data: dict[str, Any] | None, actor: Actor) -> str:
        """Start the newest version of ``process_id``; return the new instance id."""
        data = {} if data is None else data
        check_shape(data)
        if process_id == annual_report.PROCESS:  # started for a year, with the draft's figures (11.3)
            return self.start_annual_report(_year_of(data, self.clock.now().year - 1), actor)
        with self._write() as session:
            definition = deploy.latest_definition(session, process_id)
            if definition is None:
                raise NotFound(f"No process {process_id!r} is deployed; run 'courseflow deploy' first.",
                               reason="not_deployed", process=process_id)
            return runtime.start(session, self.definitions, self.definitions.parsed(session, definition.id), data,
                                 actor)

    def complete(self, task_id: str, data: Any, actor: Actor, expected_version: int | None = None) -> None:
        """Complete an open task with form data: the task is open, the actor may do it, the data is valid."""
        def attempt() -> None:
            with self._write() as session:
                found = store.open_task_with_instance(session.connection(), task_id)
                if found is None:
                    runtime.refuse_closed_task(session, task_id)
                row, instance, state_json = found
                via = runtime.check_may_act(actor, row)
                check_shape(data)  # the form itself is checked once the task's data is loaded
                runtime.complete(session, self.definitions, row, data, actor, via, expected_version,
                                 (instance, state_json))
                self._after_completing(session, row, data, actor)
        self._after_due_timers(attempt)

    def _after_completing(self, session: Session, row: store.OpenTaskRow, data: Any, actor: Actor) -> None:
        """What a completed task makes happen outside its process, in the same transaction: the annual report
        made final (11.3), a batch of certificates issued (10.1-10.3)."""
        step = (row.process_id, row.bpmn_id)
        if step == (annual_report.PROCESS, annual_report.REVIEW) and data.get("decision") == annual_report.REDRAFT:
            year = annual_report.year_of(session, row.instance_id)
            annual_report.redraft(session, self.definitions, self._annual_figures(session, year), data, actor)
        elif step == (annual_report.PROCESS, annual_report.REVIEW):
            self._finalise_annual_report(session, annual_report.year_of(session, row.instance_id),
                                         str(data.get("comments") or ""), actor)
        elif step == (certificate_batches.PROCESS, certificate_batches.REVIEW):
            certificate_batches.decide(session, row.instance_id, row.course_id or 0, data, actor.login,
                                       certificate_settings.from_env())

    def send_message(self, instance_id: str, name: str, payload: dict[str, Any] | None, actor: Actor) -> None:
        """Deliver a BPMN message (e.g. "inspection_requested") to a waiting instance."""
        payload = {} if payload is None else payload
        check_shape(payload)

        def attempt() -> None:
            with self._write() as session:
                runtime.deliver_message(session, self.definitions, instance_id, name, payload, actor)
        self._after_due_timers(attempt)

    def _after_due_timers(self, attempt: Callable[[], None]) -> None:
        """Run ``attempt``; if its instance has overdue timers, fire them first (and commit), then retry.

        Timers fire before anything is delivered, so a passed deadline is never
        skipped and an overdue timer and a late event never both run.
        """
        try:
            attempt()
            return
        except runtime.TimersDue as due:
            instance_id = due.args[0]
        with self._write() as session:
            runtime.fire_due_timers(session, self.definitions, instance_id)
        try:
            attempt()
        except runtime.TimersDue:
            raise ProcessFailed("The process's overdue timers could not fire; try again in a moment.",
                                reason="timers_failed") from None

    def claim(self, task_id: str, actor: Actor) -> None:
        with self._write() as session:
            runtime.claim(session, self._open_row(session, task_id), actor)

    def unclaim(self, task_id: str, actor: Actor) -> None:
        with self._write() as session:
            runtime.unclaim(session, self._open_row(session, task_id), actor)

    def sector_tasks(self, actor: Actor, filters: inbox.TaskFilter = inbox.TaskFilter()) -> list[inbox.TaskView]:
        """Every open task of the sector, for its administrator (issue 13): by course, role and person."""
        if not actor.holds("sector_administrator"):
            raise NotAllowed("Only a sector administrator sees every open task of the sector.", reason="needs_role",
                             roles=["sector_administrator"])
        return self.tasks(None, filters)

    def claimed_task(self, task_id: str, actor: Actor) -> inbox.ClaimedTask | None:
        """The task if a colleague of ``actor``'s group (or anyone, for a sector administrator) has claimed it."""
        with self._read() as session:
            row = self._open_row(session, task_id)
            if row.assignee or row.claimed_by in (None, actor.login):
                return None
            if not (actor.holds(row.role, row.scope) or actor.holds("sector_administrator")):
                return None
            return inbox.ClaimedTask(inbox.TaskView.of(row), row.claimed_by, runtime.claimed_since(session, row))

    def reassign_claim(self, task_id: str, login: str, actor: Actor) -> None:
        """A sector administrator hands a group task to ``login`` of its group (issue 13); audited as a claim."""
        with self._write() as session:
            holder = users.actor_for(session, login)
            runtime.reassign_claim(session, self._open_row(session, task_id), actor, holder)

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
        """Fire every due timer of every due instance, and start the quarterly analyses due (11.2); return how
        many timers fired.

        Safe to run from several workers at once: each leases a batch of due
        instances (SKIP LOCKED on PostgreSQL) and fires each in its own
        transaction; a timer that fails is recorded and retried later.
        """
        self.start_quarterly_analyses()
        self.start_due_annual_report()
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
    def _open_row(session: Any, task_id: str) -> store.OpenTaskRow:
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

    def inbox_courses(self, actor: Actor) -> list[inbox.InboxCourse]:
        """The courses in which ``actor`` has open tasks: the inbox's course filter (issue 13)."""
        with self._read() as session:
            return inbox.inbox_courses(session, actor)

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
            values = {**record_values.prefill(session, schema, loaded.instance.course_id),
                      **prefill(schema, task.data if task else {})}
            return inbox.TaskDetail(inbox.TaskView.of(row), schema, loaded.instance.version, values,
                                    loaded.instance.course_id)

    def may_start(self, process_id: str, actor: Actor) -> bool:
        """Whether ``actor`` holds the role of the process's start lane (the rule ``start`` enforces)."""
        with self._read() as session:
            definition = deploy.latest_definition(session, process_id)
            if definition is None:
                return False
            roles = self.definitions.parsed(session, definition.id).start_roles
            return not roles or any(actor.holds(role) for role in roles)

    def start_form(self, process_id: str) -> dict[str, Any] | None:
        """The form a process asks for when started (choices filled in), or None."""
        with self._read() as session:
            definition = deploy.latest_definition(session, process_id)
            if definition is None:
                raise NotFound(f"No process {process_id!r} is deployed.", reason="not_deployed", process=process_id)
            name = self.definitions.parsed(session, definition.id).start_form
            return choices.resolve(session, self.definitions.form(session, definition.id, name)) if name else None

    def course(self, course_id: int) -> courses.CourseView:
        with self._read() as session:
            return courses.course(session, course_id)

    def sheets(self, course_id: int) -> list[courses.SheetView]:
        """The forms submitted in a course's process, as recorded (oldest first), each countersigned sheet with
        its countersignature (7.4, 7.5)."""
        with self._read() as session:
            return courses.with_countersigns([
                replace(sheet, schema=self.definitions.form(session, sheet.definition_id, sheet.sheet))
                if sheet.definition_id is not None else sheet for sheet in courses.sheets(session, course_id)])

    def open_course(self, process_id: str, data: dict[str, Any], actor: Actor, token: str,
                    same_name_confirmed: bool = False) -> int:
        """Open a course from the *New course* form (6.2) once per submission ``token``; return its id.

        A second submission with the same token returns the course the first
        opened; a name already used by a live course needs ``same_name_confirmed``.
        """
        check_shape(data)
        try:
            with self._write() as session:
                opened = course_requests.already_opened(session, token)
                if opened is not None:
                    return opened
                if not same_name_confirmed:
                    course_requests.refuse_same_name(session, str(data.get("course_name") or ""))
                return course_requests.open_once(session, token, actor.login,
                                                 lambda: self._start_in(session, process_id, data, actor))
        except IntegrityError:  # the same submission, a moment earlier, in another transaction
            with self._read() as session:
                opened = course_requests.already_opened(session, token)
            if opened is None:
                raise
            return opened

    def _start_in(self, session: Session, process_id: str, data: dict[str, Any], actor: Actor) -> str:
        definition = deploy.latest_definition(session, process_id)
        if definition is None:
            raise NotFound(f"No process {process_id!r} is deployed; run 'courseflow deploy' first.",
                           reason="not_deployed", process=process_id)
        return runtime.start(session, self.definitions, self.definitions.parsed(session, definition.id), data, actor)

    def withdraw_course(self, course_id: int, reason: str, actor: Actor) -> int:
        """A sector administrator withdraws a course created by mistake (reason required, audited).

        It leaves the lists, its open tasks are withdrawn, its history stays; returns how many tasks were withdrawn.
        """
        _require(actor, "sector_administrator")
        with self._write() as session:
            return withdrawal.withdraw(session, course_id, reason, actor.login)

    def courses(self, statuses: Iterable[str] = STATUSES) -> list[CourseView]:
        """Courses by status: the List (6.2), the catalogue (8.2) or the cancelled (13.5)."""
        with self._read() as session:
            return courses.courses(session, statuses)

    def course_list(self, statuses: Any, query: CourseQuery = CourseQuery()
                    ) -> CourseList:
        """A course list (6.2, 8.2, 13.5) searched, filtered and sorted, with people's names and counts."""
        with self._read() as session:
            return course_list.course_list(session, statuses, query)

    def instance(self, instance_id: str) -> InstanceView:
        with self._read() as session:
            instance = session.get(Instance, instance_id)
            if instance is None:
                raise NotFound(f"There is no process instance {instance_id}.", reason="no_instance", instance=instance_id)
            return InstanceView.of(instance)

    def may_read_history(self, actor: Actor) -> bool:
        """Whether ``actor`` may see histories, replays, step-throughs and path diagrams (HISTORY_READERS)."""
        return may_read_history(actor)

    def replay_course(self, course_id: int, reader: Actor | None = None) -> list[replay.Outcome]:
        """Re-execute every instance of a course from its events; compare with the stored state."""
        _require_history_reader(reader)
        with self._snapshot() as session:
            course = courses.course(session, course_id)
            ids = [course.instance, *session.scalars(select(Instance.id).where(
                Instance.course_id == course_id, Instance.id != course.instance).order_by(Instance.started_at))]
            instances = [self._recorded(session, instance_id) for instance_id in ids]
            outcomes = [self._reexecute(session, instance) for instance in instances]
            broken = links.problems(instances, lambda instance: dict(self.codec.load_state(
                instance["definition_id"], lambda: _definition(session, instance["definition_id"]).spec_json,
                instance["state_json"]).data))
            return [dataclasses.replace(o, status=replay.DIVERGED, event=None, detail=broken[o.instance_id])
                    if o.ok and o.instance_id in broken else o for o in outcomes]

    def history(self, course_id: int, reader: Actor | None = None, **filters: Any) -> list[HistoryEntry]:
        """A course's events for auditors; filters: process, role, actor, since, until."""
        _require_history_reader(reader)
        with self._read() as session:
            return courses.history(session, course_id, name_ru=partial(self.definitions.name_ru, session), **filters)

    def diagrams(self, course_id: int, path: paths.Path | None = None, reader: Actor | None = None,
                 instance_id: str | None = None, definition_id: int | None = None) -> list[diagram.Diagram]:
        """Each process an instance of the course ran, laid out from its version's BPMN DI with ``path`` marked;
        a process called once per CSB (7.3) is drawn once per CSB, each with that CSB's path.

        The instance defaults to the course's driving one, the version to the one it runs on now (a step of the
        step-through passes its own instance, version and path); ``path`` defaults to the path taken so far.
        """
        _require_history_reader(reader)
        with self._read() as session:
            course = courses.course(session, course_id)
            instance_id = instance_id or course.instance
            if instance_id not in _course_instances(session, course_id):
                raise NotFound(f"The instance {instance_id} is not one of course {course_id}'s.")
            loaded = runtime.load(session, self.definitions, instance_id)
            files = json.loads(_definition(session, definition_id or loaded.instance.definition_id).files_json)
            return diagram.drawings(files, loaded.instance.process_id, path or paths.taken(loaded.workflow))

    def export_dossier(self, course_id: int, reader: Actor | None = None) -> dict[str, Any]:
        """Everything needed to check a course's history offline (see engine.proof.dossier)."""
        _require_history_reader(reader)
        with self._snapshot() as session:
            return dossier.build(session, course_id)

    def dossier_report(self, course_id: int, reader: Actor | None = None) -> dossier_report.DossierReport:
        """What the printed dossier shows: read off a fresh export, with every instance re-executed from it."""
        _require_history_reader(reader)
        with self._snapshot() as session:
            exported = dossier.build(session, course_id)
        definitions = exported["definitions"]
        outcomes = [replay.reexecute(instance["events"], lambda d: definitions[str(d)]["spec_json"], self.codec,
                                     instance["state_json"], instance["definition_id"])
                    for instance in exported["instances"]]
        return dossier_report.summarise(exported, outcomes)

    def steps(self, course_id: int, reader: Actor | None = None, number: int | None = None) -> list[replay.Step]:
        """Every instance of the course after each of its events, rebuilt by replay, in the log's order (seq):
        auditors step through the course's whole life, each inspection cycle included.

        With ``number`` (1-based, clamped) only that step carries what was open, the data and the path; the
        others only say what happened (a page shows one step and lists the rest).
        """
        _require_history_reader(reader)
        with self._snapshot() as session:
            histories = [[replay.event_dict(row) for row in session.scalars(
                select(Event).where(Event.instance_id == instance_id).order_by(Event.seq))]
                for instance_id in _course_instances(session, course_id)]
            seqs = sorted(event["seq"] for events in histories for event in events)
            shown = seqs[min(max(number, 1), len(seqs)) - 1] if number is not None and seqs else None
            taken: list[replay.Step] = []
            for events in histories:
                taken += replay.steps(events, lambda definition_id: _definition(session, definition_id).spec_json,
                                      self.codec, lambda seq: shown is None or seq == shown)
            return sorted(taken, key=lambda step: step.seq)

    def course_ids(self) -> list[int]:
        with self._read() as session:
            return list(session.scalars(select(Course.id).order_by(Course.id)))

    def _replay(self, session: Any, instance_id: str) -> replay.Outcome:
        return self._reexecute(session, self._recorded(session, instance_id))

    @staticmethod
    def _recorded(session: Any, instance_id: str) -> dict[str, Any]:
        """An instance as a dossier holds it: its stored state and version, and its events."""
        rows = session.scalars(select(Event).where(Event.instance_id == instance_id).order_by(Event.seq))
        state, definition_id = session.execute(select(Instance.state_json, Instance.definition_id)
                                               .where(Instance.id == instance_id)).one()
        return {"id": instance_id, "definition_id": definition_id, "state_json": state,
                "events": [replay.event_dict(row) for row in rows]}

    def _reexecute(self, session: Any, instance: dict[str, Any]) -> replay.Outcome:
        return replay.reexecute(instance["events"], lambda definition_id: _definition(session, definition_id).spec_json,
                                self.codec, instance["state_json"], instance["definition_id"])

    def verify(self) -> audit.Verdict:
        """Recompute the chain over every event; check the signed checkpoints (with COURSEFLOW_CHECKPOINT_KEY set),
        and that the events are consistent with the grants in force and with the tables derived from them."""
        key_path = checkpoint_key_path()
        key = checkpoints.load_public(key_path) if key_path else None
        with self._snapshot() as session:
            verdict = audit.verify(session)
            if not verdict.ok:
                return verdict
            count, problem = checkpoints.verify(session, key) if key is not None else (0, None)
            problem = problem or next(iter(consistency.check(session)), None)
        if problem:
            return audit.Verdict(False, verdict.events, None, problem, count)
        return replace(verdict, checkpoints=count)

    def verify_log(self, reader: Actor | None = None, limited: bool = False) -> log_check.LogCheck:
        """What `courseflow verify` checks, for an auditor's page: instances and events checked, each problem
        with its event and instance, and when it was checked.

        ``limited`` (a web request) refuses a log larger than COURSEFLOW_VERIFY_WEB_LIMIT events before reading it.
        """
        _require_history_reader(reader)
        if limited:
            with self._read() as session:
                log_check.refuse_if_too_big(session, log_check.web_limit(os.environ))
        verdict = self.verify()
        with self._read() as session:
            return log_check.report(session, verdict, self.clock.now())

    def checkpoint(self, by: str | None = None) -> checkpoints.CheckpointView:
        """Sign the event log as it is now with the key in COURSEFLOW_CHECKPOINT_KEY (kept outside the database)."""
        key_path = checkpoint_key_path()
        if key_path is None:
            raise CourseFlowError("Set COURSEFLOW_CHECKPOINT_KEY to the checkpoint key file "
                                  "('courseflow checkpoint --new-key FILE' makes one).")
        key = checkpoints.load_private(key_path)
        with self._write() as session:
            return checkpoints.make(session, key, clock.now(), by)

    # -- mail (see engine.mail) -------------------------------------------------------------

    def deliver_mail(self, batch: int = 100) -> MailRun:
        """One pass of the mail worker: queue due reminders, overdue notices and digests, then send the outbox.

        Without COURSEFLOW_SMTP_URL nothing is sent and mail waits in the
        outbox. Several workers may run at once: each leases its own messages
        (SKIP LOCKED on PostgreSQL), so no message goes twice.
        """
        settings = mail_settings.current()
        domain = mail_settings.domain_from_env(os.environ)
        skip_locked = not self.db.is_sqlite
        while True:
            with self._write() as session:
                if mail_notify.address_pending(session, settings, domain, skip_locked, batch) < batch:
                    break
        with self._write() as session:
            notices = mail_notices.scan(session, settings, domain, skip_locked)
            digests = mail_digest.compose_due(session, settings, domain, skip_locked)
        if settings.smtp is None:
            with self._read() as session:
                held = mail_outbox.counts(session).get("queued", 0)
            return MailRun(notices, digests, held=held)
        outcomes: list[mail_outbox.Result] = []
        while True:
            with self._write() as session:
                leased = mail_outbox.lease(session, batch, skip_locked)
            if not leased:
                break
            results = mail_smtp.send(settings, leased)
            with self._write() as session:
                mail_outbox.record(session, leased, results)
            outcomes += results
            if len(leased) < batch:
                break
        count = {kind: sum(1 for r in outcomes if r.outcome == kind)
                 for kind in (mail_outbox.SENT_OK, mail_outbox.TEMPORARY, mail_outbox.PERMANENT)}
        return MailRun(notices, digests, count[mail_outbox.SENT_OK], count[mail_outbox.TEMPORARY],
                       count[mail_outbox.PERMANENT])

    def outbox(self, actor: Actor, state: str | None = None, limit: int = 200, offset: int = 0
               ) -> list[mail_outbox.OutboxView]:
        """The outbox, newest first (sector administrators)."""
        _require(actor, "sector_administrator")
        with self._read() as session:
            return mail_outbox.views(session, state, limit, offset)

    def outbox_counts(self, actor: Actor) -> dict[str, int]:
        """How many messages are in each state (queued, digest, digested, sent, failed)."""
        _require(actor, "sector_administrator")
        with self._read() as session:
            return mail_outbox.counts(session)

    def outbox_message(self, message: int, actor: Actor) -> mail_outbox.OutboxDetail:
        """One message with its text and HTML (sector administrators)."""
        _require(actor, "sector_administrator")
        with self._read() as session:
            return mail_outbox.detail(session, message)

    def retry_mail(self, message: int, actor: Actor) -> None:
        """Queue a failed message again (sector administrators)."""
        _require(actor, "sector_administrator")
        with self._write() as session:
            mail_outbox.retry(session, message, actor.login)

    def mail_preference(self, login: str) -> str:
        """immediately, daily or off."""
        with self._read() as session:
            return mail_preferences.get(session, login)

    def set_mail_preference(self, login: str, frequency: str) -> None:
        with self._write() as session:
            mail_preferences.set_(session, login, frequency)

    # -- §12 announcement (see engine.announcement) ----------------------------------------

    def nmis(self, actor: Actor) -> list[nmi_directory.NmiView]:
        """The NMI directory (the Secretariat and the sector administrator)."""
        _require_any(actor, "secretariat", "sector_administrator")
        with self._read() as session:
            return nmi_directory.views(session)

    def save_nmi(self, country: str, name: str, email: str, language: str, actor: Actor) -> None:
        """Add an NMI to the directory, or change the address of the NMI of that name."""
        _require_any(actor, "secretariat", "sector_administrator")
        with self._write() as session:
            nmi_directory.save(session, country, name, email, language, actor.login)

    def remove_nmi(self, nmi_id: int, actor: Actor) -> None:
        _require_any(actor, "secretariat", "sector_administrator")
        with self._write() as session:
            nmi_directory.remove(session, nmi_id, actor.login)

    def import_nmis(self, text: str, actor: Actor) -> nmi_directory.NmiImportReport:
        """Add or update the NMIs of a CSV file (country, nmi, email[, language]); all rows or none."""
        _require_any(actor, "secretariat", "sector_administrator")
        with self._write() as session:
            return nmi_directory.import_csv(session, text, actor.login)

    def invitation_preview(self, course_id: int, actor: Actor) -> dict[str, InvitationPreview]:
        """The invitation letter (12.1) in English and Russian, as the NMIs would get it; sends nothing."""
        _require(actor, "secretariat")
        with self._read() as session:
            return {language: InvitationPreview(letter.subject, letter.as_text(), letter.as_html())
                    for language, letter in nmi_invitations.preview(session, course_id).items()}

    def send_invitations(self, course_id: int, actor: Actor) -> int:
        """Queue one invitation letter per NMI not yet invited to the published course (12.1); return how many."""
        _require(actor, "secretariat")
        with self._write() as session:
            return nmi_invitations.send(session, course_id, actor.login, mail_settings.domain_from_env(os.environ))

    def invitations(self, course_id: int, actor: Actor) -> list[nmi_invitations.InvitationView]:
        """Who was sent the course's invitation, when, by whom, and whether it was delivered."""
        _require_any(actor, "secretariat", "sector_administrator")
        with self._read() as session:
            return nmi_invitations.views(session, course_id)

    def public_catalogue(self) -> public_catalogue.Catalogue:
        """The COOMET courses anyone may see (12.2): published, not cancelled."""
        with self._read() as session:
            return public_catalogue.catalogue(session)
    # -- monitoring (§9): the platform's reports in, the sector's picture out ---------------

    def set_platform_course(self, course_id: int, platform_course_id: str | None, platform_url: str | None,
                            actor: Actor) -> None:
        """Record the course's Moodle course id and address on the BIPM platform (9.1); the administrator's."""
        _require(actor, "sector_administrator")
        url = (platform_url or "").strip() or None
        if url is not None and not url.lower().startswith(("http://", "https://")):
            raise CourseFlowError("The platform address must be an http(s) link, e.g. https://elearning.bipm.org/course/view.php?id=12.",
                                  reason="platform_url")
        with self._write() as session:
            course = _course_row(session, course_id)
            course.platform_course_id = (platform_course_id or "").strip()[:50] or None
            course.platform_url = url
            audit.append(session, [audit.NewEvent(EventKind.COURSE_PLATFORM_SET, actor=actor.login, data={
                "course_id": course_id, "platform_course_id": course.platform_course_id, "platform_url": url})],
                clock.now())

    def import_monitoring(self, course_id: int, content: bytes, filename: str, actor: Actor | None = None,
                          kind: str | None = None, period: Period | str | None = None, activity: str | None = None,
                          pass_grade: float | None = None) -> monitoring_store.ImportReport:
        """Import one of the platform's reports for a course and period (9.2); the same file again changes nothing.

        ``actor`` None is the operator at the command line. A file that does not fit is refused with its
        row and column (:class:`FileRefused`) and nothing is stored.
        """
        digest = hashlib.sha256(content).hexdigest()
        with self._read() as session:
            course = _course_row(session, course_id)
            if actor is not None:
                monitoring_access.require_monitor(actor, course)
            done = monitoring_store.earlier(session, course_id, digest)
        if done is not None:
            return done
        parsed = reports.parse(content, filename, kind, activity, pass_grade)
        return self._store_import(course_id, parsed, filename, digest, actor, period)

    def import_figures(self, course_id: int, figures: list[ActivityFigures], period: Period | str,
                       actor: Actor | None = None) -> monitoring_store.ImportReport:
        """Views and participants per module typed in from Moodle's activity report (9.2 items 1-2)."""
        parsed = participation.typed(figures)
        digest = hashlib.sha256(json.dumps([str(_period(period)), [vars(f) for f in figures]],
                                           ensure_ascii=False).encode()).hexdigest()
        return self._store_import(course_id, parsed, "(typed in)", digest, actor, period)

    def sync_platform(self, course_id: int, token: str, base_url: str | None = None, actor: Actor | None = None
                      ) -> monitoring_store.ImportReport:
        """Fetch the course's completions through the platform's web services and import them (9.1).

        ``base_url`` defaults to the site of the course's platform address. The platform is asked
        outside any transaction; what it answered is stored like an uploaded report (the same
        answer again changes nothing).
        """
        with self._read() as session:
            course = _course_row(session, course_id)
            if actor is not None:
                monitoring_access.require_monitor(actor, course)
            platform_id, url = course.platform_course_id, course.platform_url
        if not platform_id:
            raise CourseFlowError(f"Course {course_id} has no platform course id: record it first "
                                  "('courseflow monitoring platform').", reason="no_platform_id")
        site = base_url or _site_of(url)
        parsed = webservice.fetch(webservice.MoodleClient(site, token), platform_id)
        digest = hashlib.sha256(json.dumps([[r.person.key, r.activity, r.state, str(r.at)] for r in parsed.records],
                                           ensure_ascii=False).encode()).hexdigest()
        return self._store_import(course_id, parsed, f"{site} (web services)", digest, actor, None)

    def _store_import(self, course_id: Any, parsed: Any, filename: Any, digest: Any, actor: Any, period: Any) -> monitoring_store.ImportReport:
        with self._write() as session:
            course = _course_row(session, course_id)
            if actor is not None:
                monitoring_access.require_monitor(actor, course)
            done = monitoring_store.earlier(session, course_id, digest)
            if done is not None:
                return done
            upload = monitoring_store.Upload(course_id, filename, digest, _period(period),
                                             actor.login if actor else None)
            report = monitoring_store.apply(session, upload, parsed, clock.now())
            certificate_batches.propose(session, self.definitions, course_id)  # §10: new eligible people reviewed
            return report

    def monitoring_summary(self, course_id: int, actor: Actor | None = None, period: Period | str | None = None
                           ) -> monitoring_summary.Summary:
        """A course's participants, completions, passes and failures, views and imports for a period (9.1, 9.3)."""
        with self._read() as session:
            course = _course_row(session, course_id)
            if actor is not None:
                monitoring_access.require_monitor(actor, course)
            return monitoring_summary.summary(session, course_id, _period(period))

    def participant_states(self, course_id: int, actor: Actor | None = None, limit: int | None = None
                           ) -> list[ParticipantStates]:
        """Per participant, per activity: incomplete / complete / passed / failed / viewed, with its date and import.

        What §10 certificates read (10.1: all modules completed, all tests passed). ``limit``: the first N by name.
        """
        with self._read() as session:
            course = _course_row(session, course_id)
            if actor is not None:
                monitoring_access.require_monitor(actor, course)
            return monitoring_summary.participant_states(session, course_id, limit)

    def may_monitor(self, course_id: int, actor: Actor) -> bool:
        with self._read() as session:
            return monitoring_access.may_monitor(actor, _course_row(session, course_id))

    def monitoring_overview(self, actor: Actor | None = None, period: Period | str | None = None
                            ) -> monitoring_overview.Overview:
        """Every course side by side for a period, with TC 4's indicator Ind-e.1.6 (9.3)."""
        if actor is not None:
            monitoring_access.require_overview(actor)
        with self._read() as session:
            return monitoring_overview.overview(session, _period(period))

    def purge_participants(self) -> int:
        """Delete participants not reported for COURSEFLOW_MONITORING_RETENTION_DAYS; return how many."""
        days = retention.retention_days()
        with self._write() as session:
            count = retention.purge(session, clock.now(), days)
            if count:
                audit.append(session, [audit.NewEvent(EventKind.PARTICIPANTS_PURGED, data={"count": count, "days": days})],
                             clock.now())
            return count
    # -- §10 certificates (see engine.certificates) ----------------------------------------

    def certificate_eligibility(self, course_id: int, actor: Actor | None = None
                                ) -> list[certificate_eligibility.Eligibility]:
        """Every participant of the course: eligible for a certificate or not, and why (10.1)."""
        with self._read() as session:
            course = _course_row(session, course_id)
            if actor is not None:
                monitoring_access.require_monitor(actor, course)
            return certificate_eligibility.course_eligibility(session, course_id)

    def issue_certificates(self, course_id: int, actor: Actor, participant_ids: list[int] | None = None
                           ) -> list[certificate_issuing.Issued]:
        """Issue certificates to the eligible participants without one (or those named), mail them (10.1-10.3).

        The sector administrator's. Each PDF is stored, and written to ``COURSEFLOW_CERTIFICATE_DIR`` too.
        """
        _require(actor, "sector_administrator")
        settings = certificate_settings.from_env()
        with self._write() as session:
            _course_row(session, course_id)
            made = certificate_issuing.issue(session, course_id, participant_ids, actor.login, settings)
        return [_written(issued, pdf, settings) for issued, pdf in made]

    def reissue_certificate(self, number: str, actor: Actor) -> certificate_issuing.Issued:
        """A corrected certificate from the current data, in place of ``number``, which then says it was superseded."""
        _require(actor, "sector_administrator")
        settings = certificate_settings.from_env()
        with self._write() as session:
            old = certificate_verification.supersedable(session, number)
            participant = session.scalar(select(Participant.id).where(Participant.course_id == old.course_id,
                                                                      Participant.key == old.participant_key))
            if participant is None:
                raise NotFound(f"The holder of {number} is no longer among the course's participants.",
                               reason="holder_gone", number=number)
            made = certificate_issuing.issue(session, old.course_id, [participant], actor.login, settings, old)
        return _written(*made[0], settings)

    def revoke_certificate(self, number: str, reason: str, actor: Actor) -> None:
        """Revoke: the certificate stays, with the date, the reason and who (shown on its verification page)."""
        _require(actor, "sector_administrator")
        with self._write() as session:
            certificate_verification.revoke(session, number, reason, actor.login)

    def verify_certificate(self, token: str) -> certificate_verification.Verification:
        """Public: valid, revoked, superseded or unknown — nothing else."""
        with self._read() as session:
            return certificate_verification.by_token(session, token)

    def verify_certificate_pdf(self, content: bytes) -> certificate_verification.Verification:
        """Public: the certificate whose PDF has exactly this content (its sha256), or unknown."""
        with self._read() as session:
            return certificate_verification.by_pdf(session, content)

    def request_certificate(self, course_id: int, email: str) -> None:
        """A student's own request (10.3): if the address is an eligible participant's, their certificate is sent
        again, or — not issued yet — they are put to the administrator's review (a batch of one, unless they are
        in an open batch already); otherwise nothing happens. The caller says the same either way."""
        address = email.strip().casefold()
        with self._write() as session:
            for verdict in certificate_eligibility.course_eligibility(session, course_id):
                if verdict.eligible and (verdict.email or "").casefold() == address and address:
                    if verdict.certificate is None:
                        certificate_batches.propose_requested(session, self.definitions, course_id, verdict)
                    else:
                        certificate_issuing.send_again(session, verdict.certificate)
                    return

    def certificates(self, actor: Actor, course_id: int | None = None, year: int | None = None, search: str = ""
                     ) -> list[certificate_register.CertificateView]:
        """The register of issued certificates (the sector administrator and auditors)."""
        _require_any(actor, "sector_administrator", "auditor")
        with self._read() as session:
            return certificate_register.views(session, course_id, year, search)

    def certificates_export(self, actor: Actor, kind: str, course_id: int | None = None, year: int | None = None,
                            search: str = "") -> bytes:
        """The register as ``csv`` or ``xlsx``."""
        rows = self.certificates(actor, course_id, year, search)
        if kind == "xlsx":
            return certificate_register.as_xlsx(rows)
        if kind == "csv":
            return certificate_register.as_csv(rows).encode("utf-8-sig")
        raise CourseFlowError(f"Export as csv or xlsx, not {kind!r}.", reason="export_kind")

    def certificate_pdf(self, number: str, actor: Actor) -> bytes:
        _require_any(actor, "sector_administrator", "auditor")
        with self._read() as session:
            return certificate_issuing.valid_certificate(session, number).pdf

    def certificate_counts(self, period: Period | str | None = None) -> dict[int, int]:
        """Valid certificates per course id issued in the period (the monitoring overview, the annual report)."""
        chosen = _period(period)
        start = dt.datetime.combine(chosen.start, dt.time(), dt.UTC) if chosen.start else None
        end = dt.datetime.combine(chosen.end + dt.timedelta(days=1), dt.time(), dt.UTC) if chosen.end else None
        with self._read() as session:
            return certificate_register.counts(session, start, end)

    # -- §11 satisfaction: results, quarterly analyses, questionnaire access -------------------------

    def satisfaction(self, course_id: int, actor: Actor | None = None, period: str | None = None
                     ) -> SatisfactionResults:
        """A course's questionnaire results (11.1) for ``period`` (``FROM..TO``, dates or quarters; all when empty).

        ``actor``, if given, must be the course's coordinator, a sector administrator, TC 4 or an auditor;
        fewer answers than ``COURSEFLOW_SATISFACTION_MIN_ANSWERS`` are given only as a count.
        """
        chosen = parse_period(period)
        with self._read() as session:
            course = courses.course(session, course_id)
            if actor is not None:
                satisfaction_access.require_reader(actor, course)
            found = satisfaction_answers.answers(session, course_id, chosen)
            criteria = criteria_of(self._questionnaire_form(session))
            return aggregate(course_id, chosen.label, found, criteria, self.satisfaction_min_answers)

    def may_read_satisfaction(self, course_id: int, actor: Actor) -> bool:
        with self._read() as session:
            return satisfaction_access.may_read(actor, courses.course(session, course_id))

    def start_quarterly_analyses(self) -> int:
        """11.2: start the analysis of the quarter that ended last for every course in the catalogue that has
        none yet (each in its own transaction; another worker's start of the same one is skipped). Return how
        many started."""
        with self._read() as session:
            due = quarterly.due(session, self.clock.now())
        started = 0
        for course_id, quarter in due:
            try:
                with self._write() as session:
                    started += quarterly.start(session, self.definitions, course_id, quarter,
                                               self._questionnaire_form(session),
                                               self.satisfaction_min_answers) is not None
            except IntegrityError:
                continue  # another worker started this one at the same moment
            except CourseFlowError as error:  # never let one course stop the timers of the tick
                log.warning("quarterly analysis of course %s for %s not started: %s", course_id, quarter.label, error)
        return started

    def quarterly_analyses(self, course_id: int | None = None, year: int | None = None
                           ) -> list[quarterly.QuarterlyAnalysisView]:
        """The 11.2 analyses started (of one course, of one year's quarters), each with what was recorded."""
        with self._read() as session:
            return quarterly.analyses(session, course_id, year)

    def questionnaire_access(self, course_id: int) -> str:
        """"open" (anyone with the link) or "codes" (single-use codes from the coordinator)."""
        with self._read() as session:
            courses.course(session, course_id)
            return codes.mode(session, course_id)

    def unused_questionnaire_codes(self, course_id: int) -> int:
        with self._read() as session:
            return codes.unused(session, course_id)

    def may_manage_questionnaire(self, course_id: int, actor: Actor) -> bool:
        with self._read() as session:
            return satisfaction_access.may_manage_codes(actor, courses.course(session, course_id))

    def set_questionnaire_access(self, course_id: int, mode: str, actor: Actor) -> None:
        with self._write() as session:
            self._require_code_manager(session, course_id, actor)
            codes.set_mode(session, course_id, mode, actor.login)

    def issue_questionnaire_codes(self, course_id: int, count: int, actor: Actor) -> list[str]:
        """New single-use codes for the course's questionnaire: shown once, only their hashes are kept."""
        with self._write() as session:
            self._require_code_manager(session, course_id, actor)
            return codes.issue(session, course_id, count, actor.login)

    def answer_questionnaire(self, course_id: int, answers: dict[str, Any], code: str | None = None) -> str:
        """Record an anonymous Appendix 3 answer (11.1) about a course in the catalogue: a used code is
        consumed in the same transaction; a flood is refused. Return the answer's instance id."""
        data = {**answers, "course_id": course_id}
        check_shape(data)
        with self._write() as session:
            course = courses.course(session, course_id)
            if course.status not in CATALOGUE_STATUSES:
                raise NotFound(f"The course {course_id} is not in the catalogue; its questionnaire is closed.",
                               reason="questionnaire_closed")
            codes.admit(session, course_id, code)
            definition = deploy.latest_definition(session, satisfaction_answers.PROCESS)
            if definition is None:
                raise NotFound("The questionnaire process is not deployed; run 'courseflow deploy' first.",
                               reason="not_deployed", process="satisfaction")
            return runtime.start(session, self.definitions, self.definitions.parsed(session, definition.id), data,
                                 ANONYMOUS_STUDENT)

    @staticmethod
    def _require_code_manager(session: Any, course_id: int, actor: Actor) -> None:
        if not satisfaction_access.may_manage_codes(actor, courses.course(session, course_id)):
            raise NotAllowed("Only the course's coordinator or a sector administrator may set how its "
                             "questionnaire is answered.", reason="needs_role",
                             roles=["course_coordinator", "sector_administrator"])

    def _questionnaire_form(self, session: Any) -> dict[str, Any]:
        definition = deploy.latest_definition(session, satisfaction_answers.PROCESS)
        if definition is None:
            return {}
        name = self.definitions.parsed(session, definition.id).start_form
        return self.definitions.form(session, definition.id, name) if name else {}

    # -- §11.3 and §9.3: the annual report to TC 4, course-independent documents ------------------

    def annual_report(self, year: int, actor: Actor | None = None, comments: str = ""
                      ) -> report_figures.AnnualReport:
        """The year's report from the current data (11.3, 9.3); ``actor``, if given, must be a sector
        administrator, TC 4 or an auditor."""
        if actor is not None:
            _require_any(actor, *REPORT_READERS)
        _check_year(year)
        with self._snapshot() as session:
            criteria = criteria_of(self._questionnaire_form(session))
            report = report_figures.assemble(session, year, clock.now(), criteria, self.satisfaction_min_answers)
        return replace(report, comments=comments)

    def annual_report_pdf(self, year: int, language: str = "en", actor: Actor | None = None, draft: bool = False,
                          comments: str = "") -> bytes:
        """The report as an A4 PDF in English or Russian, charts included."""
        return report_pdf.render(self.annual_report(year, actor, comments), language, draft)

    def annual_report_xlsx(self, year: int, actor: Actor | None = None) -> bytes:
        return report_xlsx.render(self.annual_report(year, actor))

    def start_annual_report(self, year: int, actor: Actor) -> str:
        """Start the year's report process (11.3, 9.3) with the draft's figures for the administrator's review;
        once per year. Return the instance id."""
        _require(actor, "sector_administrator")
        _check_year(year)
        with self._write() as session:
            return self._start_annual_report(session, year, actor)

    def _start_annual_report(self, session: Session, year: int, actor: Actor) -> str:
        return annual_report.start(session, self.definitions, self._annual_figures(session, year), actor)

    def _annual_figures(self, session: Session, year: int) -> report_figures.AnnualReport:
        """The year's figures as of now (engine clock), in the caller's transaction."""
        criteria = criteria_of(self._questionnaire_form(session))
        return report_figures.assemble(session, year, clock.now(), criteria, self.satisfaction_min_answers)

    def start_due_annual_report(self) -> str | None:
        """In January (engine clock), start the report of the year just ended unless it was started; idempotent."""
        with self._read() as session:
            year = annual_report.due_year(session, self.clock.now())
        if year is None:
            return None
        try:
            with self._write() as session:
                return self._start_annual_report(session, year, annual_report.SCHEDULER)
        except IntegrityError:
            return None  # another worker started it at the same moment
        except CourseFlowError as error:  # never let the report stop the timers of the tick
            log.warning("annual report for %s not started: %s", year, error)
            return None

    def annual_report_runs(self, actor: Actor | None = None) -> dict[int, str]:
        """{year: instance id} of every annual report process started."""
        if actor is not None:
            _require_any(actor, *REPORT_READERS)
        with self._read() as session:
            return annual_report.runs(session)

    def _finalise_annual_report(self, session: Session, year: int, comments: str, actor: Actor
                                ) -> list[report_documents.DocumentView]:
        """Make the final report (PDF in English and Russian, XLSX), store it with its sha256 among the
        course-independent documents and queue it to every TC 4 member (11.3, 9.3), in the caller's transaction."""
        report = replace(self._annual_figures(session, year), comments=comments.strip())
        files: list[tuple[str, str, str | None, bytes]] = [
            (f"annual-report-{year}-{language}.pdf", report_documents.PDF, language,
             report_pdf.render(report, language)) for language in ("en", "ru")]
        files.append((f"annual-report-{year}.xlsx", report_documents.XLSX, None, report_xlsx.render(report)))
        return self._store_annual_report(session, year, files, report.comments, actor)

    def _store_annual_report(self, session: Session, year: int, files: list[tuple[str, str, str | None, bytes]],
                             comments: str, actor: Actor) -> list[report_documents.DocumentView]:
        if report_documents.exists(session, report_documents.ANNUAL_REPORT, year):
            raise CourseFlowError(f"The annual report for {year} is final already: see the Documents page.",
                                  reason="report_final", year=year)
        now = clock.now()
        stored = [report_documents.store(session, report_documents.ANNUAL_REPORT, year, name, kind, content, now,
                                         actor.login, language, comments or None)
                  for name, kind, language, content in files]
        pdfs = {d.language: d for d in stored if d.language}
        mails = report_delivery.send(session, year, pdfs, mail_settings.domain_from_env(os.environ))
        audit.append(session, [audit.NewEvent(EventKind.ANNUAL_REPORT_FINALISED, actor=actor.login, data={
            "year": year, "documents": {d.filename: d.sha256 for d in stored}, "mails": mails})], now)
        return [report_documents.DocumentView.of(d) for d in stored]

    def documents(self, actor: Actor | None = None) -> list[report_documents.DocumentView]:
        """The course-independent documents (the annual reports), newest year first."""
        if actor is not None:
            _require_any(actor, *REPORT_READERS)
        with self._read() as session:
            return report_documents.listing(session)

    def document(self, document_id: int, actor: Actor | None = None) -> report_documents.DocumentFile:
        if actor is not None:
            _require_any(actor, *REPORT_READERS)
        with self._read() as session:
            return report_documents.read(session, document_id)

    # -- plumbing -------------------------------------------------------------------------

    @contextlib.contextmanager
    def _write(self) -> Iterator[Session]:
        """One write transaction at one instant of the engine clock.

        Everything the transaction does (timers computed, scripts calling now(),
        the events' time) sees the same instant, so a replay at the recorded
        time reproduces it exactly.
        """
        with clock.use_clock(clock.FixedClock(self.clock.now())), self.db.write() as session:
            hot.attach(session, self.hot)
            yield session
        hot.committed(session)

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


def _course_instances(session: Session, course_id: int) -> list[str]:
    """Every instance of a course, oldest first: its driving one and every one started about it."""
    course = courses.course(session, course_id)
    return list(session.scalars(select(Instance.id).where(
        (Instance.id == course.instance) | (Instance.course_id == course_id)).order_by(Instance.started_at, Instance.id)))


def _course_row(session: Session, course_id: int) -> Course:
    course = session.get(Course, course_id)
    if course is None:
        raise NotFound(f"There is no course {course_id}.", reason="no_course", course=course_id)
    return course


def _site_of(url: str | None) -> str:
    """The Moodle site of a course address: https://host/path/course/view.php?id=12 -> https://host/path."""
    if not url:
        raise CourseFlowError("The course has no platform address: record it, or name the site's address.",
                              reason="no_platform_url")
    return url.split("/course/view.php", 1)[0]


def _period(period: Period | str | None) -> Period:
    return period if isinstance(period, Period) else Period.parse(period)


def _written(issued: certificate_issuing.Issued, pdf: bytes, settings: certificate_settings.CertificateSettings
             ) -> certificate_issuing.Issued:
    """The PDF also written as a file (after the transaction committed); the issued certificate with its path."""
    try:
        settings.directory.mkdir(parents=True, exist_ok=True)
        path = settings.directory / f"{issued.number}.pdf"
        path.write_bytes(pdf)
    except OSError as error:
        log.warning("certificate %s: PDF not written to %s: %s", issued.number, settings.directory, error)
        return issued
    return replace(issued, pdf_path=str(path.resolve()))


ANONYMOUS_STUDENT = Actor("anonymous", frozenset({("student", None)}))
def checkpoint_public_key(path: Path | None = None) -> Any:
    """The checkpoint key (public part) from ``path`` or COURSEFLOW_CHECKPOINT_KEY; ``None`` if neither is set."""
    path = path or checkpoint_key_path()
    return checkpoints.load_public(path) if path else None


def new_checkpoint_key(path: Path) -> str:
    """Write a new Ed25519 checkpoint key file (never overwriting one); return its key id."""
    return checkpoints.generate_key(path)


def _require_history_reader(reader: Actor | None) -> None:
    """Front ends pass the person asking (``None``: the operator's own command line)."""
    if reader is not None and not may_read_history(reader):
        raise NotAllowed("Histories, replays and path diagrams show who decided what: only auditors, sector "
                         "administrators and the Secretariat may see them.", reason="history_readers")
def _note(note: str | None) -> str | None:
    """A change note as kept: trimmed, None when empty; refused when longer than a paragraph or two."""
    note = (note or "").strip()
    if len(note) > MAX_NOTE:
        raise CourseFlowError(f"The change note has {len(note)} characters; keep it under {MAX_NOTE}.",
                              reason="note_too_long", typed=len(note), limit=MAX_NOTE)
    return note or None


REPORT_READERS = ("sector_administrator", "tc4", "auditor")


def _year_of(data: dict[str, Any], default: int) -> int:
    try:
        return int(data.get("year") or default)
    except (TypeError, ValueError):
        raise CourseFlowError(f"The year {data.get('year')!r} is not a year: give four digits, e.g. 2026.",
                              reason="year_invalid")


def _check_year(year: int) -> None:
    if not 2000 <= year <= 2200:
        raise CourseFlowError(f"The year {year} is not one a report can be made for: give four digits, e.g. 2026.",
                              reason="year_invalid")


def _definition(session: Session, definition_id: int) -> Definition:
    found = session.get(Definition, definition_id)
    if found is None:
        raise NotFound(f"There is no deployed definition {definition_id}: the database lost a row the history needs.",
                       reason="no_definition")
    return found


def _require(actor: Actor, role: str) -> None:
    if not actor.holds(role):
        raise NotAllowed(f"This needs the role {role}.", reason="needs_role", roles=[role])


def _require_any(actor: Actor, *roles: str) -> None:
    if not any(actor.holds(role) for role in roles):
        raise NotAllowed(f"This needs the role {' or '.join(roles)}.", reason="needs_role", roles=list(roles))


@dataclass(frozen=True)
class InvitationPreview:
    """An invitation letter as an NMI gets it (12.1)."""

    subject: str
    text: str
    html: str
