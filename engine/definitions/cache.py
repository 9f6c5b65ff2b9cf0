"""What a deployed definition version holds, parsed once and cached.

Definition rows never change after deploy, so their spec, forms and lane
roles are read from the database text once per process and then reused.
"""
from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from typing import Any

from SpiffWorkflow.bpmn.specs.mixins.events.start_event import StartEvent
from sqlalchemy.orm import Session

from engine.base.errors import NotFound, ProcessFailed
from engine.base.models import Definition
from engine.base.serialization import WorkflowCodec
from engine.definitions import bpmn


@dataclass(frozen=True)
class Parsed:
    id: int
    process_id: str
    version: int
    name: str
    forms: dict[str, dict[str, Any]]
    lanes: dict[str, str]
    start_roles: frozenset[str]
    start_form: str | None
    names_ru: dict[tuple[str, str], str]  # (process id, BPMN id) → the element's ``nameRu``, called processes too


class DefinitionCache:
    def __init__(self, codec: WorkflowCodec):
        self.codec = codec
        self._parsed: dict[int, Parsed] = {}
        self._lock = threading.Lock()

    def parsed(self, session: Session, definition_id: int) -> Parsed:
        with self._lock:
            found = self._parsed.get(definition_id)
        if found is None:
            found = self._parse(session, self._row(session, definition_id))
            with self._lock:
                self._parsed[definition_id] = found
        return found

    def form(self, session: Session, definition_id: int, name: str | None) -> dict[str, Any]:
        """The JSON Schema a task of this version binds (an open object if it binds none)."""
        if not name:
            return {"type": "object"}
        forms = self.parsed(session, definition_id).forms
        if name not in forms:
            raise ProcessFailed(f"the form {name!r} is missing from this process version; a process owner must "
                                f"deploy it again with its forms", reason="process_failed")
        return forms[name]

    def new_workflow(self, session: Session, definition_id: int) -> Any:
        return self.codec.new_workflow(definition_id, self._spec_json(session, definition_id))

    def load_workflow(self, session: Session, definition_id: int, state_json: str) -> Any:
        try:
            return self.codec.load_state(definition_id, self._spec_json(session, definition_id), state_json)
        except Exception as error:  # a damaged state row must not surface as a traceback
            raise ProcessFailed(f"the stored state of this process cannot be read ({type(error).__name__}: "
                                f"{error}); an auditor should check it", reason="process_failed") from None

    def _spec_json(self, session: Session, definition_id: int) -> Any:
        return lambda: self._row(session, definition_id).spec_json

    @staticmethod
    def _row(session: Session, definition_id: int) -> Definition:
        row = session.get(Definition, definition_id)
        if row is None:
            raise NotFound(f"There is no process definition {definition_id}.", reason="no_definition")
        return row

    def name_ru(self, session: Session, definition_id: int | None, process_id: str | None,
                bpmn_id: str | None) -> str | None:
        """An element's Russian name as its definition version says (``nameRu``), if it has one."""
        if definition_id is None or not bpmn_id:
            return None
        return self.parsed(session, definition_id).names_ru.get((process_id or "", bpmn_id))

    def _parse(self, session: Session, definition: Definition) -> Parsed:
        spec, _ = self.codec.specs(definition.id, lambda: definition.spec_json)
        lanes = json.loads(definition.lanes_json)
        starts = [ts for ts in spec.task_specs.values() if isinstance(ts, StartEvent)]
        roles = frozenset(lanes[ts.lane] for ts in starts if ts.lane in lanes and lanes[ts.lane])
        forms = [ts.extensions.get("properties", {}).get(bpmn.FORM_PROPERTY) for ts in starts
                 if hasattr(ts, "extensions")]
        return Parsed(definition.id, definition.process_id, definition.version, definition.name,
                      json.loads(definition.forms_json), lanes, roles, next((f for f in forms if f), None),
                      _names_ru([spec, *self.codec.specs(definition.id, lambda: definition.spec_json)[1].values()]))


def _names_ru(specs: list[Any]) -> dict[tuple[str, str], str]:
    """Every element's Russian name (its ``nameRu`` property) by process and BPMN id."""
    return {(spec.name, ts.bpmn_id): name for spec in specs for ts in spec.task_specs.values()
            if (name := getattr(ts, "extensions", {}).get("properties", {}).get(bpmn.NAME_RU_PROPERTY))}
