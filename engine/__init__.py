"""CourseFlow's workflow engine: versioned BPMN definitions, persistent
instances, role-scoped tasks and a tamper-evident event log.

Nothing here imports Flask; front ends call :class:`Engine`.
"""
from .clock import FixedClock, SystemClock
from .errors import (ChangedMeanwhile, CourseFlowError, InvalidData, NotAllowed, NotFound, ProcessFailed,
                     TaskNotOpen)
from .roles import ROLES, Actor
from .service import Engine

__all__ = ["Engine", "Actor", "ROLES", "FixedClock", "SystemClock", "CourseFlowError", "ChangedMeanwhile",
           "InvalidData", "NotAllowed", "NotFound", "ProcessFailed", "TaskNotOpen"]
