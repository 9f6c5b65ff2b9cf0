"""What follows a finished instance: the next instance its end event names (``continueWith``, 13.1).

An end event with the property ``continueWith`` (a process id) declares that
the course goes on in a new instance of that process: a course is created and
published in one instance (§6-§8), and each inspection cycle (§13) is then a
bounded instance of its own, so a course's thirtieth year costs what its first
did. The successor is started in the same transaction as the predecessor
completes, on the newest deployed version, for the same course and with the
predecessor's data; the course record's driving instance moves to it, and the
two instances' events name each other.
"""
from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from engine.base.errors import ProcessFailed
from engine.base.models import Course
from engine.definitions import deploy
from engine.definitions.bpmn import CONTINUE_PROPERTY
from engine.definitions.cache import DefinitionCache
from engine.instances import runtime
from engine.instances.store import InstanceRow
from engine.proof import audit
from engine.registry.roles import Actor

ENGINE_LOGIN = "courseflow"  # who starts a successor: the engine itself, as for the scheduled analyses (11.2)


@dataclass(frozen=True)
class Successor:
    """The instance to start when an instance ends at an end event with ``continueWith``."""

    instance_id: str
    process_id: str
    data: dict[str, Any]


def successor(workflow: Any, completed: list[Any], course_id: int | None) -> Successor | None:
    """The successor named by the top-level end event just reached among ``completed``, if any."""
    for task in completed:
        process_id = _continue_with(task) if task.workflow is workflow else None
        if process_id:  # the data the process ended with (its end event's), as plain data, as recorded
            data = json.loads(audit.canonical({**workflow.data, "course_id": course_id}))
            return Successor(str(uuid.uuid4()), process_id, data)
    return None


def _continue_with(task: Any) -> str | None:
    value = getattr(task.task_spec, "extensions", {}).get("properties", {}).get(CONTINUE_PROPERTY)
    return value.strip() or None if isinstance(value, str) else None


def completed_data(following: Successor | None) -> dict[str, Any]:
    """What the predecessor's ``instance_completed`` event records about its successor."""
    return {} if following is None else {"continued_by": following.instance_id, "continued_with": following.process_id}


def start(session: Session, definitions: DefinitionCache, predecessor: InstanceRow, following: Successor) -> None:
    """Start ``following`` for the predecessor's course; the course is driven by it from now on."""
    definition = deploy.latest_definition(session, following.process_id)
    if definition is None:
        raise ProcessFailed(f"The process \"{predecessor.process_id}\" continues with \"{following.process_id}\", "
                            f"which is not deployed: a process owner must deploy it. Nothing was saved.")
    parsed = definitions.parsed(session, definition.id)
    course = session.get(Course, predecessor.course_id) if predecessor.course_id is not None else None
    if course is not None and course.instance_id == predecessor.id:
        course.instance_id = following.instance_id
    engine_actor = Actor(ENGINE_LOGIN, frozenset((role, None) for role in parsed.start_roles))
    runtime.start(session, definitions, parsed, following.data, engine_actor, instance_id=following.instance_id,
                  noted={"follows": predecessor.id, "follows_process": predecessor.process_id})
