"""The engine's own exceptions.

Every refusal the engine makes is one of these, with a message a person can
act on. Front ends (CLI, web) show ``str(error)`` and never a traceback.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


class CourseFlowError(Exception):
    """Base class: something the caller asked for cannot be done."""


class NotFound(CourseFlowError):
    """The named thing (task, instance, user, process) does not exist."""


class NotAllowed(CourseFlowError):
    """The actor may not do this (wrong role, wrong scope, not the assignee)."""


class Refused(CourseFlowError):
    """A refusal a front end translates: ``reason`` is a stable key, ``params`` the values the message names."""

    def __init__(self, reason: str, message: str, **params: str):
        self.reason = reason
        self.params = params
        super().__init__(message)


class TaskNotOpen(CourseFlowError):
    """The task exists but cannot be completed now (completed, cancelled, waiting)."""


class ChangedMeanwhile(CourseFlowError):
    """Someone else changed the instance after the caller loaded it: reload and retry."""


class Busy(CourseFlowError):
    """The database is held by another writer (or a lock wait ran out): nothing was done; try again shortly."""


BUSY = "The database is busy with another change; nothing was done. Try again in a moment."


class ProcessFailed(CourseFlowError):
    """A script, condition or timer expression of the process failed while running.

    The transaction is rolled back: the instance stays as it was before the call.
    """


class FileRefused(CourseFlowError):
    """An uploaded report does not fit (9.2): nothing of it was stored; row and column say where (1-based)."""

    def __init__(self, message: str, row: int | None = None, column: int | None = None):
        self.row, self.column = row, column
        where = ", ".join(part for part in (f"row {row}" if row else "", f"column {column}" if column else "") if part)
        super().__init__(f"{where}: {message}" if where else message)


class PlatformError(CourseFlowError):
    """The BIPM platform's web services could not be reached or refused the call (9.1)."""


@dataclass(frozen=True)
class FieldError:
    """One problem with submitted form data, located by its JSON path.

    ``code`` names the kind of problem and ``params`` the values it mentions, so a front end can say it in
    the reader's language; ``message`` says it in English.
    """

    path: str
    message: str
    code: str = ""
    params: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    def __str__(self) -> str:
        return f"{self.path or '(form)'}: {self.message}"


class InvalidData(CourseFlowError):
    """Submitted form data does not satisfy the task's JSON Schema."""

    def __init__(self, errors: list[FieldError]):
        self.errors = errors
        lines = "\n".join(f"  - {e}" for e in errors)
        super().__init__(f"The form has {len(errors)} problem(s):\n{lines}")


@dataclass(frozen=True)
class Problem:
    """One deploy-check finding: where it is and what to fix."""

    file: str
    message: str
    element: str | None = None
    line: int | None = None

    def __str__(self) -> str:
        where = self.file
        if self.line:
            where += f":{self.line}"
        if self.element:
            where += f" [{self.element}]"
        return f"{where}: {self.message}"
