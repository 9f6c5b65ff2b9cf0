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
- ``engine.trial`` — trial runs of a draft on a throw-away database
"""
from engine.base.clock import Clock, FixedClock, SystemClock
from engine.base.errors import (
                                ChangedMeanwhile,
                                CourseFlowError,
                                FieldError,
                                InvalidData,
                                NotAllowed,
                                NotFound,
                                Problem,
                                ProcessFailed,
                                TaskNotOpen,
)
from engine.definitions.bpmn import HUMAN_TASKS
from engine.definitions.checks import SourceFile, file_name_problem
from engine.definitions.compare import Change, Conflict, VersionView
from engine.definitions.deploy import DeployReport
from engine.definitions.form_library import FormReport
from engine.instances.inbox import TaskDetail, TaskFilter, TaskView
from engine.instances.migration import MigrationCheck, MigrationResult, Waiting
from engine.proof.audit import Verdict
from engine.proof.diagram import Diagram, Edge, Shape
from engine.proof.dossier import Finding
from engine.proof.dossier import verify as verify_dossier
from engine.proof.paths import Path
from engine.proof.replay import Outcome, Step
from engine.registry.courses import CATALOGUE_STATUSES, LIST_STATUSES, STATUSES, CourseView, HistoryEntry, SheetView
from engine.registry.roles import ROLES, Actor, Role
from engine.registry.users import UserView
from engine.service import Engine
from engine.trial.sandbox import TRIAL_USER, TrialView
from engine.views import DefinitionView, InstanceView

__all__ = [
    # the front door
    "Engine",
    # people and time
    "Actor", "Role", "ROLES", "Clock", "FixedClock", "SystemClock",
    # views and filters
    "TaskFilter", "TaskView", "TaskDetail", "CourseView", "SheetView", "HistoryEntry", "UserView",
    "DefinitionView", "InstanceView", "VersionView", "Change", "Conflict", "DeployReport", "FormReport",
    "MigrationCheck", "MigrationResult", "Waiting", "Verdict", "Outcome", "Step", "Path", "Diagram", "Shape", "Edge",
    "Finding", "SourceFile", "TrialView",
    # the user of a trial run's throw-away engine: holds every role
    "TRIAL_USER",
    # the course lists: 6.2, 8.2 and every status
    "LIST_STATUSES", "CATALOGUE_STATUSES", "STATUSES",
    # BPMN element types of the tasks people do (the modeller's lint uses them)
    "HUMAN_TASKS",
    # pure checks a front end may run before asking the engine
    "file_name_problem", "verify_dossier",
    # errors
    "CourseFlowError", "ChangedMeanwhile", "InvalidData", "NotAllowed", "NotFound", "ProcessFailed", "TaskNotOpen",
    "Problem", "FieldError",
]
