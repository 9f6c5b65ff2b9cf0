"""CourseFlow's workflow engine: versioned BPMN definitions, persistent
instances, role-scoped tasks and a tamper-evident event log.

This module is the engine's whole public API: the :class:`Engine` front door,
the views its methods return, the filters they take, and the errors they
raise. Front ends (``webapp``: views and the command line) import only from
here; nothing in the engine imports Flask.

Where things live:

- ``engine.base`` — database, tables, schema upgrades, clock, settings, errors, serialization
- ``engine.definitions`` — BPMN and form checks, deploy, versions and their comparison, the form library
- ``engine.instances`` — load → check → run → persist, open tasks and the inbox, timers, choices, migration
- ``engine.proof`` — the hash-chained event log, replay, the dossier, paths and diagrams
- ``engine.registry`` — courses, people, roles and CSBs
- ``engine.mail`` — the outbox, notifications of tasks, preferences, SMTP delivery
- ``engine.announcement`` — §12: the NMI directory, invitation letters, the public course list
- ``engine.monitoring`` — the BIPM platform's reports imported per course, the course and sector figures (§9)
- ``engine.trial`` — trial runs of a draft on a throw-away database
- ``engine.certificates`` — §10: eligibility, numbered certificates as PDFs, verification, revocation, the register
"""
from engine.announcement.catalogue import Catalogue, PublicCourse
from engine.announcement.directory import NmiImportReport, NmiView
from engine.announcement.invitations import InvitationView
from engine.base.clock import Clock, FixedClock, SystemClock
from engine.base.errors import (
                                Busy,
                                ChangedMeanwhile,
                                CourseFlowError,
                                FieldError,
                                FileRefused,
                                InvalidData,
                                NotAllowed,
                                NotFound,
                                PlatformError,
                                Problem,
                                ProcessFailed,
                                Refused,
                                TaskNotOpen,
)
from engine.base.vocabulary import CATALOGUE_STATUSES, LIST_STATUSES, STATUSES
from engine.certificates.eligibility import Eligibility, Evidence
from engine.certificates.issuing import Issued
from engine.certificates.register import CertificateView
from engine.certificates.verification import Verification
from engine.definitions.bpmn import HUMAN_TASKS
from engine.definitions.checks import SourceFile, file_name_problem
from engine.definitions.compare import Change, Conflict, VersionView
from engine.definitions.deploy import DeployReport
from engine.definitions.form_library import FormReport
from engine.instances.inbox import ClaimedTask, InboxCourse, TaskDetail, TaskFilter, TaskView
from engine.instances.migration import MigrationCheck, MigrationResult, Waiting
from engine.mail.delivery import MailRun
from engine.mail.models import FREQUENCIES as MAIL_FREQUENCIES
from engine.mail.outbox import OutboxDetail, OutboxView
from engine.mail.settings import check_production
from engine.monitoring.overview import CourseFigures, Overview
from engine.monitoring.period import Period
from engine.monitoring.records import KINDS as MONITORING_KINDS
from engine.monitoring.records import ActivityFigures
from engine.monitoring.store import ImportReport
from engine.monitoring.summary import ActivityState, ActivitySummary, ImportView, ParticipantStates, Summary
from engine.proof.audit import Verdict
from engine.proof.checkpoints import CheckpointView
from engine.proof.diagram import Diagram, Edge, Shape
from engine.proof.dossier import Finding
from engine.proof.dossier import verify as verify_dossier
from engine.proof.dossier_report import (
                                DefinitionRecord,
                                DossierReport,
                                InstanceRecord,
                                LoggedEvent,
                                SignedSheet,
                                Signer,
)
from engine.proof.log_check import LogCheck, LogProblem
from engine.proof.paths import Path
from engine.proof.replay import Outcome, Step
from engine.registry.course_list import SORTS as COURSE_SORTS
from engine.registry.course_list import CourseList, CourseQuery, CourseRow
from engine.registry.courses import CourseView, HistoryEntry, SheetView
from engine.registry.csbs import CsbView
from engine.registry.roles import ROLES, Actor, Role
from engine.registry.users import MIN_PASSWORD, Contact, Grant, UserView
from engine.reports.documents import DocumentFile, DocumentView
from engine.reports.figures import AnnualReport, CourseReport, Milestone, OpenItem
from engine.satisfaction.quarterly import QuarterlyAnalysisView
from engine.satisfaction.quarters import InvalidPeriod
from engine.satisfaction.results import GRADES, SCORES, CriterionResult, QuarterResult, SatisfactionResults
from engine.security.throttle import TooManyAttempts
from engine.service import Engine, InvitationPreview, checkpoint_public_key, new_checkpoint_key
from engine.trial.sandbox import TRIAL_USER, TrialView
from engine.views import DefinitionView, InstanceView

__all__ = [
    # the front door
    "Engine",
    # people and time
    "Actor", "Role", "ROLES", "Clock", "FixedClock", "SystemClock",
    # views and filters
    "TaskFilter", "TaskView", "TaskDetail", "InboxCourse", "ClaimedTask", "CourseView", "SheetView", "HistoryEntry", "UserView", "Contact", "Grant", "CsbView",
    "CourseQuery", "CourseList", "CourseRow", "COURSE_SORTS",
    "DefinitionView", "InstanceView", "VersionView", "Change", "DeployReport", "FormReport",
    "MigrationCheck", "MigrationResult", "Verdict", "Outcome", "Step", "Path", "Diagram", "Shape", "Edge",
    "Finding", "SourceFile",
    # mail: a worker pass, the outbox, the choices of how often
    "MailRun", "OutboxView", "OutboxDetail", "MAIL_FREQUENCIES",
    # §12: the NMI directory, invitations, the public course list
    "NmiView", "NmiImportReport", "InvitationView", "InvitationPreview", "Catalogue", "PublicCourse",
    # monitoring (§9)
    "Period", "ActivityFigures", "ImportReport", "Summary", "ActivitySummary", "ImportView", "ParticipantStates",
    "ActivityState", "Overview", "CourseFigures", "MONITORING_KINDS",
    # §10 certificates
    "Eligibility", "Evidence", "Issued", "CertificateView", "Verification",
    # §11 satisfaction
    "SatisfactionResults", "CriterionResult", "InvalidPeriod", "QuarterlyAnalysisView", "QuarterResult", "GRADES", "SCORES",
    "Finding", "SourceFile", "CheckpointView",
    "TaskFilter", "TaskView", "TaskDetail", "CourseView", "SheetView", "HistoryEntry", "UserView",
    "DefinitionView", "InstanceView", "VersionView", "Change", "Conflict", "DeployReport", "FormReport",
    "MigrationCheck", "MigrationResult", "Waiting", "Verdict", "Outcome", "Step", "Path", "Diagram", "Shape", "Edge",
    "Finding", "SourceFile", "TrialView",
    # the user of a trial run's throw-away engine: holds every role
    "TRIAL_USER",
    # §11.3 and §9.3: the annual report to TC 4, course-independent documents
    "AnnualReport", "CourseReport", "Milestone", "OpenItem", "DocumentView", "DocumentFile",
    # the course lists: 6.2, 8.2 and every status
    "LIST_STATUSES", "CATALOGUE_STATUSES", "STATUSES",
    # BPMN element types of the tasks people do (the modeller's lint uses them)
    "HUMAN_TASKS",
    # pure checks a front end may run before asking the engine
    "file_name_problem", "verify_dossier", "check_production",
    # errors
    "CourseFlowError", "ChangedMeanwhile", "InvalidData", "NotAllowed", "NotFound", "ProcessFailed", "TaskNotOpen",
    "FileRefused", "PlatformError", "Problem", "FieldError",
    "file_name_problem", "verify_dossier", "MIN_PASSWORD",
    # errors
    "CourseFlowError", "ChangedMeanwhile", "InvalidData", "NotAllowed", "NotFound", "ProcessFailed", "TaskNotOpen", "Refused",
    "file_name_problem", "verify_dossier", "checkpoint_public_key", "new_checkpoint_key",
    # errors
    "CourseFlowError", "Busy", "ChangedMeanwhile", "InvalidData", "NotAllowed", "NotFound", "ProcessFailed", "TaskNotOpen",
    "TooManyAttempts",
    "Problem", "FieldError",
    # the auditor's printed dossier and whole-log check
    "DossierReport", "InstanceRecord", "LoggedEvent", "DefinitionRecord", "SignedSheet", "Signer", "LogCheck", "LogProblem",
]
