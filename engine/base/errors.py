"""The engine's own exceptions.

Every refusal the engine makes is one of these, with a message a person can
act on. ``str(error)`` is that message in English (the CLI and logs show it);
``reason`` is a stable key and ``params`` the values the message names, so the
web app can say the same in the reader's language. Nobody sees a traceback.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


class CourseFlowError(Exception):
    """Base class: something the caller asked for cannot be done.

    ``reason`` names the refusal for translation (empty: the English text only); ``params`` are its values:
    strings, numbers, datetimes, and role keys under ``role``/``roles``.
    """

    def __init__(self, message: str = "", /, *, reason: str = "", **params: Any):
        self.reason = reason
        self.params = params
        super().__init__(message)


class NotFound(CourseFlowError):
    """The named thing (task, instance, user, process) does not exist."""


class NotAllowed(CourseFlowError):
    """The actor may not do this (wrong role, wrong scope, not the assignee)."""


class Refused(CourseFlowError):
    """A refused input (a field a person typed): the reason first, as in ``Refused("login_taken", text, login=…)``."""

    def __init__(self, reason: str, message: str, **params: Any):
        super().__init__(message, reason=reason, **params)


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

    def __init__(self, message: str, row: int | None = None, column: int | None = None, *, reason: str = "",
                 **params: Any):
        self.row, self.column = row, column
        where = ", ".join(part for part in (f"row {row}" if row else "", f"column {column}" if column else "") if part)
        super().__init__(f"{where}: {message}" if where else message, reason=reason, **params)


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
        super().__init__(f"The form has {len(errors)} problem(s):\n{lines}", reason="invalid_data", count=len(errors))


@dataclass(frozen=True)
class Problem:
    """One deploy-check finding: where it is and what to fix."""

    file: str
    message: str
    element: str | None = None
    line: int | None = None
    code: str = ""  # the kind of problem, and ``params`` its values, for saying it in the reader's language
    params: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    def __str__(self) -> str:
        where = self.file
        if self.line:
            where += f":{self.line}"
        if self.element:
            where += f" [{self.element}]"
        return f"{where}: {self.message}"
