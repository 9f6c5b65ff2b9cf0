"""Deploy: versions by content, and every check reported with file, element, line and a fix."""
from __future__ import annotations

import json

import pytest

from engine.definitions.checks import SourceFile
from tests.conftest import FIXTURES

GOOD = (FIXTURES / "processes" / "review.bpmn").read_text()
FORMS = {p.name: p.read_text() for p in (FIXTURES / "forms").glob("*.json")}


def deploy_text(engine, text, forms=FORMS, name="review.bpmn"):
    return engine.deploy_files([SourceFile(name, text.encode())], dict(forms))


def problems_of(report):
    return [(p.element, p.line, p.message) for p in report.problems]


def test_identical_content_deploys_nothing_new(engine):
    assert deploy_text(engine, GOOD).deployed == [("review", 1)]
    again = deploy_text(engine, GOOD)
    assert again.deployed == [] and again.unchanged == [("review", 1)]


def test_changed_content_is_version_two_and_running_instances_stay_pinned(engine, people):
    deploy_text(engine, GOOD)
    old = engine.start("review", {}, people["admin"])
    report = deploy_text(engine, GOOD.replace('name="Prepare the course"', 'name="Prepare the course (v2)"'))
    assert report.deployed == [("review", 2)]
    new = engine.start("review", {}, people["admin"])
    names = {t.instance: t.name for t in engine.tasks(people["admin"])}
    assert names == {old: "Prepare the course", new: "Prepare the course (v2)"}
    assert engine.instance(old).definition_version == 1
    assert engine.instance(new).definition_version == 2


def test_changing_a_bound_form_is_a_new_version(engine):
    deploy_text(engine, GOOD)
    schema = json.loads(FORMS["review.json"])
    schema["properties"]["comments"]["maxLength"] = 10
    report = deploy_text(engine, GOOD, {**FORMS, "review.json": json.dumps(schema)})
    assert report.deployed == [("review", 2)]


def test_malformed_xml_is_reported_with_its_line(engine):
    report = deploy_text(engine, GOOD.replace("</bpmn:startEvent>", "</bpmn:startEvnt>"))
    ((element, line, message),) = problems_of(report)
    assert "not well-formed XML" in message and line == GOOD[:GOOD.index("</bpmn:startEvent>")].count("\n") + 1
    assert report.deployed == []


def test_schema_violation_is_reported(engine):
    report = deploy_text(engine, GOOD.replace('<bpmn:endEvent id="late_end">', '<bpmn:endEvent id="late_end" bogus="1">'))
    assert any("BPMN 2.0 schema" in m and "bogus" in m for _, _, m in problems_of(report))


def test_dangling_sequence_flow_names_the_flow_and_target(engine):
    report = deploy_text(engine, GOOD.replace('sourceRef="build" targetRef="review_task"',
                                               'sourceRef="build" targetRef="nowhere"'))
    assert any(element == "f3" and 'targetRef="nowhere"' in message and line
               for element, line, message in problems_of(report))


def test_user_task_without_lane(engine):
    report = deploy_text(engine, GOOD.replace("<bpmn:flowNodeRef>fix</bpmn:flowNodeRef>", ""))
    assert ("fix", "is in no lane") == next((e, "is in no lane") for e, _, m in problems_of(report)
                                          if "is in no lane" in m)


def test_lane_that_is_not_a_role(engine):
    report = deploy_text(engine, GOOD.replace('name="course_creator"', 'name="Writers"'))
    assert any(e == "lane_creator" and 'lane "Writers" is not a role' in m for e, _, m in problems_of(report))


def test_lane_may_use_the_role_display_name(engine):
    report = deploy_text(engine, GOOD.replace('name="course_creator"', 'name="Course creator"'))
    assert report.ok, report.problems


def test_user_task_without_form(engine):
    text = GOOD.replace('<spiffworkflow:property name="formJsonSchemaFilename" value="fix.json"/>', "")
    report = deploy_text(engine, text)
    assert any(e == "fix" and "has no form" in m for e, _, m in problems_of(report))


def test_missing_and_invalid_form_files(engine):
    forms = {**FORMS, "review.json": '{"type": "object", "properties": {"a": {"type": "nonsense"}}}'}
    forms.pop("fix.json")
    found = problems_of(deploy_text(engine, GOOD, forms))
    assert any(e == "fix" and '"fix.json" does not exist' in m for e, _, m in found)
    assert any(e == "review_task" and "not a valid JSON Schema 2020-12" in m for e, _, m in found)


def test_bad_condition_script_and_timer_are_all_reported_together(engine):
    text = (GOOD.replace('all(r["complies"] for r in reviews.values())', "all(r[ for r in reviews)")
            .replace("csb_reviews = {code: {} for code in csbs}", "import os\ncsb_reviews = {}")
            .replace('"P3D"', '"P3X"'))
    found = problems_of(deploy_text(engine, text))
    assert any(e == "f_ok" and "not valid Python" in m for e, _, m in found)
    assert any(e == "build" and "imports are not allowed" in m for e, _, m in found)
    assert any(e == "late" and "not ISO 8601" in m for e, _, m in found)
    assert all(line for _, line, _ in found)


def test_unquoted_timer_is_explained(engine):
    found = problems_of(deploy_text(engine, GOOD.replace('"P3D"', "P3D")))
    assert any(e == "late" and "quote it" in m for e, _, m in found)


@pytest.mark.parametrize("script, rule", [
    ("x = ().__class__", "attribute '.__class__'"),
    ("x = open('/etc/passwd')", "name 'open'"),
    ("x = '{0.__class__}'.format(1)", "attribute '.format'"),
    ("def f():\n    pass", "defining functions"),
    ("x = __builtins__", "name '__builtins__'"),
])
def test_script_rules_refuse_escapes(engine, script, rule):
    found = problems_of(deploy_text(engine, GOOD.replace("csb_reviews = {code: {} for code in csbs}", script)))
    assert any(e == "build" and rule in m for e, _, m in found), found


def test_missing_called_process(engine):
    text = GOOD.replace('<bpmn:scriptTask id="build" name="Build reviews">',
                        '<bpmn:callActivity id="call" calledElement="ghost"><bpmn:incoming>f2</bpmn:incoming>'
                        '<bpmn:outgoing>f3</bpmn:outgoing></bpmn:callActivity>'
                        '<bpmn:scriptTask id="build" name="Build reviews">')
    found = problems_of(deploy_text(engine, text))
    assert any(e == "call" and 'calls process "ghost"' in m for e, _, m in found)


def test_entities_are_never_expanded(engine):
    text = GOOD.replace('<?xml version="1.0" encoding="UTF-8"?>',
                        '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>')
    ((_, _, message),) = problems_of(deploy_text(engine, text))
    assert "DOCTYPE is not allowed" in message


def test_oversized_file_is_refused(engine):
    text = GOOD.replace("<bpmn:documentation>Test task (6.3)</bpmn:documentation>",
                        "<bpmn:documentation>" + "x" * 3_000_000 + "</bpmn:documentation>")
    ((_, _, message),) = problems_of(deploy_text(engine, text))
    assert "the limit is" in message


def test_a_bad_file_does_not_stop_the_good_ones(engine):
    good = SourceFile("review.bpmn", GOOD.encode())
    bad = SourceFile("broken.bpmn", b"<bpmn:definitions")
    report = engine.deploy_files([good, bad], dict(FORMS))
    assert report.deployed == [("review", 1)]
    assert [p.file for p in report.problems] == ["broken.bpmn"]


def test_called_process_in_another_file_and_its_own_lanes(engine, people):
    report = engine.deploy_directory(FIXTURES / "processes", FIXTURES / "forms")
    assert report.ok, report.problems
    assert ("parent", 1) in report.deployed and ("child", 1) in report.deployed
