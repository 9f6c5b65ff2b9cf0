"""Every sequence flow of every file in processes/ is taken by some scenario of test_coomet."""
from __future__ import annotations

import inspect

from lxml import etree

from engine import Engine, FixedClock
from engine.base.models import Instance
from engine.definitions import bpmn
from engine.instances import runtime
from engine.proof import paths
from tests import test_coomet
from tests.conftest import START
from tests.coomet import REPO, deploy_with_people


def all_flows() -> dict[tuple[str, str, str], str]:
    """(process, source, target) -> "file: flow id" for every sequence flow in processes/."""
    flows = {}
    for path in sorted((REPO / "processes").glob("*.bpmn")):
        for process in bpmn.processes(etree.parse(str(path))):
            for flow in process.iter(f"{{{bpmn.BPMN_NS}}}sequenceFlow"):
                flows[(process.get("id"), flow.get("sourceRef"), flow.get("targetRef"))] = \
                    f"{path.name}: {flow.get('id')}"
    return flows


def scenarios():
    for name, function in inspect.getmembers(test_coomet, inspect.isfunction):
        if name.startswith("test_") and list(inspect.signature(function).parameters) == ["coomet", "clock"]:
            yield name, function


def test_every_sequence_flow_is_taken_by_some_scenario(tmp_path):
    flows, seen = all_flows(), set()
    for index, (name, scenario) in enumerate(scenarios()):
        clock = FixedClock(START)
        engine = Engine(f"sqlite:///{tmp_path / f'{index}.db'}", clock)
        engine.init()
        deploy_with_people(engine)
        scenario(engine, clock)
        for course_id in engine.course_ids():  # every scenario's history replays to its stored state
            assert all(outcome.ok for outcome in engine.replay_course(course_id)), (name, course_id)
        with engine.db.read() as session:
            for instance_id in session.scalars(Instance.__table__.select().with_only_columns(Instance.id)):
                seen |= paths.taken(runtime.load(session, engine.definitions, instance_id).workflow).steps
        engine.close()
    missing = sorted(where for key, where in flows.items() if key not in seen)
    assert not missing, f"sequence flows no scenario takes: {missing}"
