"""Regression tests for hostile or unlucky input found in review: each gets a clear refusal, nothing half-done."""
from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import select, text

from engine import ProcessFailed
from engine.base.models import Event, Instance
from engine.definitions.checks import SourceFile
from tests.conftest import FIXTURES

GOOD = (FIXTURES / "processes" / "review.bpmn").read_text()
FORMS = {p.name: p.read_text() for p in (FIXTURES / "forms").glob("*.json")}
BUILD = "csb_reviews = {code: {} for code in csbs}"


def deploy_text(engine, bpmn_text, forms=FORMS, name="review.bpmn"):
    return engine.deploy_files([SourceFile(name, bpmn_text.encode() if isinstance(bpmn_text, str) else bpmn_text)],
                               dict(forms))


def messages(report):
    return [p.message for p in report.problems]


@pytest.mark.parametrize("script, word", [
    ("match 1:\n    case int(__class__=c):\n        x = c", "match"),
    ("while True:\n    x = 1", "while"),
    ("try:\n    x = 1\nexcept Exception:\n    x = 2", "try"),
])
def test_escapes_through_other_syntax_are_refused(engine, script, word):
    assert any(f"'{word}' is not allowed" in m for m in messages(deploy_text(engine, GOOD.replace(BUILD, script))))


def test_script_failures_of_any_kind_become_process_failures(engine, people):
    deploy_text(engine, GOOD.replace(BUILD, "csb_reviews = {code: {} for code in csbs}\nbig = range(10**9)"))
    engine.start("review", {}, people["admin"])
    (task,) = engine.tasks(people["admin"])
    with pytest.raises(ProcessFailed, match="range of"):
        engine.complete(task.id, {"title": "x", "csbs": ["TC 2"], "creator": "bob"}, people["admin"])
    assert [t.id for t in engine.tasks(people["admin"])] == [task.id]


def test_unsavable_values_are_refused_not_crashed(engine, people):
    deploy_text(engine, GOOD.replace(BUILD, "csb_reviews = {code: {} for code in csbs}\nodd = range(3)"))
    engine.start("review", {}, people["admin"])
    (task,) = engine.tasks(people["admin"])
    with pytest.raises(ProcessFailed):
        engine.complete(task.id, {"title": "x", "csbs": ["TC 2"], "creator": "bob"}, people["admin"])


def test_non_utf8_bpmn_and_bad_form_dialect_are_problems(engine):
    report = deploy_text(engine, GOOD.replace("Test task", "Test täsk").encode("latin-1"))
    assert any("not UTF-8" in m for m in messages(report))
    forms = {**FORMS, "fix.json": json.dumps({"$schema": 5, "type": "object"})}
    assert any("use 'https://json-schema.org/draft/2020-12/schema'" in m
               for m in messages(deploy_text(engine, GOOD, forms)))
    forms = {**FORMS, "fix.json": json.dumps({"type": "object", "properties": {"a": {"$ref": "#/$defs/gone"}}})}
    assert any("($ref)" in m for m in messages(deploy_text(engine, GOOD, forms)))


def test_message_catcher_outside_any_lane_is_refused(engine):
    text_ = GOOD.replace('<bpmn:endEvent id="late_end">',
                         '<bpmn:intermediateCatchEvent id="wait_msg"><bpmn:messageEventDefinition '
                         'id="m_def" messageRef="poke"/></bpmn:intermediateCatchEvent><bpmn:endEvent id="late_end">')
    text_ = text_.replace('<bpmn:collaboration', '<bpmn:message id="poke" name="poke"/><bpmn:collaboration')
    assert any("waits for a message but is in no lane" in m for m in messages(deploy_text(engine, text_)))


def test_lane_without_a_name_is_refused(engine):
    report = deploy_text(engine, GOOD.replace('<bpmn:lane id="lane_creator" name="course_creator">',
                                              '<bpmn:lane id="lane_creator">'))
    assert any("the lane has no name" in m for m in messages(report))


def test_a_called_process_keeps_its_deployed_forms(engine, people):
    engine.deploy_directory(FIXTURES / "processes", FIXTURES / "forms")
    parent = (FIXTURES / "processes" / "parent.bpmn").read_text().replace('name="Wrap up"', 'name="Wrap it up"')
    report = engine.deploy_files([SourceFile("parent.bpmn", parent.encode())], {"fix.json": FORMS["fix.json"]})
    assert report.deployed == [("parent", 2)]
    engine.start("parent", {}, people["admin"])
    (write,) = engine.tasks(people["bob"])
    assert engine.task(write.id).schema["required"] == ["done"]


def test_same_file_name_in_two_folders_keeps_both_processes(engine):
    child = (FIXTURES / "processes" / "child.bpmn").read_text()
    parent = (FIXTURES / "processes" / "parent.bpmn").read_text()
    engine.deploy_files([SourceFile("diagram.bpmn", child.encode())], dict(FORMS))
    engine.deploy_files([SourceFile("diagram.bpmn", parent.encode())], dict(FORMS))
    changed = parent.replace('name="Wrap up"', 'name="Wrap it up"')
    assert engine.deploy_files([SourceFile("diagram.bpmn", changed.encode())], dict(FORMS)).deployed == [("parent", 2)]
    with engine.db.read() as session:
        stored = session.scalar(text("SELECT bpmn_xml FROM definitions WHERE process_id = 'parent' AND version = 2"))
    assert 'id="parent"' in stored


def test_a_timer_due_exactly_now_neither_loops_nor_crashes(engine, deployed, people, clock):
    instance = engine.start("timers", {}, people["admin"])
    clock.set(engine.instance(instance).next_timer_at)
    assert engine.tick() == 0
    clock.advance(seconds=1)
    assert engine.tick() == 1


def test_a_failing_timer_does_not_block_the_others(engine, deployed, people, clock):
    broken, healthy = (engine.start("timers", {}, people["admin"]) for _ in range(2))
    with engine.db.engine.begin() as connection:
        connection.execute(text("UPDATE instances SET state_json = '{\"broken\": true}' WHERE id = :i"),
                           {"i": broken})
    engine.hot.clear()  # the broken state is what a restarted server finds: nothing kept in memory
    clock.advance(days=1, seconds=1)
    assert engine.tick() == 1
    assert [t.instance for t in engine.tasks(people["admin"])] == [healthy]
    with engine.db.read() as session:
        failed = session.scalars(select(Event).where(Event.kind == "timer_failed")).one()
        retry = session.get(Instance, broken).next_timer_at
    assert failed.instance_id == broken and retry == clock.now() + dt.timedelta(hours=1)
    assert engine.tick() == 0 and engine.verify().ok


def test_a_claim_moves_the_version_on(engine, deployed, people):
    engine.start("review", {}, people["admin"])
    (prepare,) = engine.tasks(people["admin"])
    before = engine.task(prepare.id).instance_version
    engine.claim(prepare.id, people["admin"])
    assert engine.task(prepare.id).instance_version == before + 1


def test_a_deleted_chain_head_is_tampering(engine, deployed):
    with engine.db.engine.begin() as connection:
        connection.execute(text("DELETE FROM chain_head"))
    verdict = engine.verify()
    assert not verdict.ok and "chain head is missing" in verdict.reason
