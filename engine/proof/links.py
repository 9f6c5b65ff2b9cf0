"""The links between a course's instances: each cycle (13.1) starts with what the one before ended with.

Replay proves each instance on its own; this proves the chain between them.
An instance started by ``continueWith`` names its predecessor in its
``instance_started`` event; the predecessor names it back in its
``instance_completed`` event, and the successor's start data must be exactly
the data the predecessor ended with (its stored state, which replay proves)
plus the course id. Works on the plain dicts of a dossier, so it runs offline.
"""
from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from engine.base.vocabulary import EventKind
from engine.proof import audit


def problems(instances: list[dict[str, Any]], ended_with: Callable[[dict[str, Any]], dict[str, Any]]) -> dict[str, str]:
    """{successor id: what is wrong} for each instance whose link to its predecessor does not hold.

    ``instances`` are dossier-shaped (id, events); ``ended_with`` gives an
    instance's final data from its stored state.
    """
    by_id = {instance["id"]: instance for instance in instances}
    found = {}
    for instance in instances:
        started = _data(instance, EventKind.INSTANCE_STARTED)
        follows = started.get("follows")
        if follows is None:
            continue
        problem = _problem(instance["id"], follows, started, by_id.get(follows), ended_with)
        if problem:
            found[instance["id"]] = problem
    return found


def _problem(successor: str, follows: str, started: dict[str, Any], predecessor: dict[str, Any] | None,
             ended_with: Callable[[dict[str, Any]], dict[str, Any]]) -> str:
    if predecessor is None:
        return f"it follows instance {follows}, which is not among the course's instances"
    if _data(predecessor, EventKind.INSTANCE_COMPLETED).get("continued_by") != successor:
        return f"instance {follows}, which it follows, does not record that it continued in this one"
    data = started.get("data") or {}
    try:
        expected = {**ended_with(predecessor), "course_id": data.get("course_id")}
    except Exception as error:  # a damaged state: its own replay says so too
        return f"the state of instance {follows} cannot be read ({type(error).__name__})"
    if audit.canonical(data) != audit.canonical(expected):
        return f"it did not start with the data instance {follows} ended with"
    return ""


def _data(instance: dict[str, Any], kind: EventKind) -> dict[str, Any]:
    """The data of the instance's first event of ``kind`` ({} if none)."""
    event = next((e for e in instance["events"] if e["kind"] == kind), None)
    return json.loads(event["data_json"]) if event is not None else {}
