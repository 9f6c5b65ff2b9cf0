"""What a deployed definition version holds, parsed once and cached.

Definition rows never change after deploy, so their spec, forms and lane
roles are read from the database text once per process and then reused.
"""
from __future__ import annotations

import json
import threading
from dataclasses import dataclass

from SpiffWorkflow.bpmn.specs.mixins.events.start_event import StartEvent

from . import bpmn
from .models import Definition
from .serialization import WorkflowCodec


@dataclass(frozen=True)
class Parsed:
    forms: dict[str, dict]
    lanes: dict[str, str]
    start_roles: frozenset[str]
    start_form: str | None


class DefinitionCache:
    def __init__(self, codec: WorkflowCodec):
        self.codec = codec
        self._parsed: dict[int, Parsed] = {}
        self._lock = threading.Lock()

    def parsed(self, definition: Definition) -> Parsed:
        with self._lock:
            found = self._parsed.get(definition.id)
        if found is None:
            found = self._parse(definition)
            with self._lock:
                self._parsed[definition.id] = found
        return found

    def form(self, definition: Definition, name: str | None) -> dict:
        """The JSON Schema a task of this version binds (an open object if none)."""
        return self.parsed(definition).forms.get(name) or {"type": "object"}

    def _parse(self, definition: Definition) -> Parsed:
        spec, _ = self.codec.specs(definition.id, definition.spec_json)
        lanes = json.loads(definition.lanes_json)
        starts = [ts for ts in spec.task_specs.values() if isinstance(ts, StartEvent)]
        roles = frozenset(lanes[ts.lane] for ts in starts if ts.lane in lanes and lanes[ts.lane])
        forms = [ts.extensions.get("properties", {}).get(bpmn.FORM_PROPERTY) for ts in starts
                 if hasattr(ts, "extensions")]
        return Parsed(json.loads(definition.forms_json), lanes, roles, next((f for f in forms if f), None))
