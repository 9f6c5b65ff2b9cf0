"""Turning workflows into stored text and back.

The spec (the parsed process and the processes it calls) is serialized once per
definition version and kept out of each instance's state; restored specs are
cached per definition, so loading an instance only restores its tasks and data.
"""
from __future__ import annotations

import datetime as dt
import json
import threading
from collections import OrderedDict
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter, WorkflowConverter
from SpiffWorkflow.bpmn.serializer.helpers.encoder import create_encoder
from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG

from engine.definitions.scripts import script_engine

STATE_FORMAT = "courseflow-state/1"


class _StateOnlyWorkflowConverter(BpmnWorkflowConverter):  # type: ignore[misc]  # SpiffWorkflow is untyped
    """The top workflow without its specs; they are handed in on restore."""

    def to_dict(self, workflow: Any) -> Any:
        dct = WorkflowConverter.to_dict(self, workflow)
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        return dct

    def from_dict(self, dct: Any, spec: Any = None, subprocess_specs: Any = None) -> Any:
        dct = dict(dct, spec=spec, subprocess_specs=subprocess_specs or {})
        return super().from_dict(dct)


def _registry() -> Any:
    config = dict(SPIFF_CONFIG)
    config[BpmnWorkflow] = _StateOnlyWorkflowConverter
    registry = BpmnWorkflowSerializer.configure(config)
    registry.register(dt.date, lambda v: {"value": v.isoformat()}, lambda v: dt.date.fromisoformat(v["value"]))
    registry.register(Decimal, lambda v: {"value": str(v)}, lambda v: Decimal(v["value"]))
    return registry


class WorkflowCodec:
    """Serializes specs and instance states; caches restored specs by definition id."""

    def __init__(self, cache_size: int = 64):
        self.registry = _registry()
        # Task data is converted while dumping (as SpiffWorkflow's own serializer does).
        self._encoder = create_encoder(self.registry)
        self._specs: OrderedDict[int, tuple[Any, ...]] = OrderedDict()
        self._cache_size = cache_size
        self._lock = threading.Lock()

    def dump_spec(self, spec: Any, subprocess_specs: dict[str, Any]) -> str:
        return json.dumps({
            "spec": self.registry.convert(spec),
            "subprocess_specs": {name: self.registry.convert(s) for name, s in subprocess_specs.items()},
        })

    def specs(self, definition_id: int, spec_json: Callable[[], str]) -> tuple[Any, ...]:
        """The restored (spec, subprocess_specs) of a definition version, cached.

        ``spec_json`` is called for the stored text only when the cache misses.
        """
        with self._lock:
            if definition_id in self._specs:
                self._specs.move_to_end(definition_id)
                return self._specs[definition_id]
        dct = json.loads(spec_json())
        restored = (self.registry.restore(dct["spec"]),
                    {name: self.registry.restore(s) for name, s in dct["subprocess_specs"].items()})
        with self._lock:
            self._specs[definition_id] = restored
            while len(self._specs) > self._cache_size:
                self._specs.popitem(last=False)
        return restored

    def new_workflow(self, definition_id: int, spec_json: Callable[[], str]) -> BpmnWorkflow:
        spec, subprocess_specs = self.specs(definition_id, spec_json)
        return BpmnWorkflow(spec, subprocess_specs, script_engine=script_engine())

    def dump_state(self, workflow: BpmnWorkflow) -> str:
        dct = self.registry.convert(workflow)
        dct["format"] = STATE_FORMAT
        return json.dumps(dct, separators=(",", ":"), cls=self._encoder)

    def load_state(self, definition_id: int, spec_json: Callable[[], str], state_json: str) -> BpmnWorkflow:
        spec, subprocess_specs = self.specs(definition_id, spec_json)
        dct = json.loads(state_json)
        dct.pop("format", None)
        workflow = self.registry.restore(dct, spec=spec, subprocess_specs=subprocess_specs)
        workflow.script_engine = script_engine()  # not serialized: set after every load
        return workflow
