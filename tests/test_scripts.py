"""Script rules at run time, and values the state serializer must carry."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from engine.base.serialization import WorkflowCodec
from engine.definitions.scripts import RestrictedEnvironment, ScriptRuleError
from tests.conftest import FIXTURES


def test_run_time_refuses_what_deploy_refuses():
    """A timer or condition computed at run time is checked again before it runs."""
    environment = RestrictedEnvironment()
    with pytest.raises(ScriptRuleError, match="__class__"):
        environment.evaluate("x.__class__", {"x": 1})
    with pytest.raises(ScriptRuleError, match="imports"):
        environment.execute("import os", {})
    assert environment.evaluate("sorted(codes)[0]", {"codes": ["b", "a"]}) == "a"


def test_scripts_see_safe_builtins_only():
    environment = RestrictedEnvironment()
    with pytest.raises(NameError):
        environment.evaluate("print", {})
    context = {"n": 2}
    environment.execute("total = sum(range(n)) + len([1])", context)
    assert context["total"] == 2 and "__builtins__" not in context


def test_dates_and_decimals_survive_a_save_and_load():
    from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser

    parser = SpiffBpmnParser()
    parser.add_bpmn_file(str(FIXTURES / "processes" / "review.bpmn"))
    codec = WorkflowCodec()
    spec_json = codec.dump_spec(parser.get_spec("review"), parser.get_subprocess_specs("review"))
    workflow = codec.new_workflow(1, lambda: spec_json)
    workflow.task_tree.data.update(on=dt.date(2026, 3, 1), fee=Decimal("12.50"))
    restored = codec.load_state(1, lambda: spec_json, codec.dump_state(workflow))
    assert restored.task_tree.data == {"on": dt.date(2026, 3, 1), "fee": Decimal("12.50")}
