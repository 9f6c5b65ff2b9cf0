"""Process owners' versions, form library and modeller deploys (engine side)."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from engine import NotAllowed, NotFound
from engine.base.models import Event
from engine.definitions.checks import SourceFile
from engine.definitions.compare import Change
from tests.conftest import FIXTURES

REVIEW = (FIXTURES / "processes" / "review.bpmn").read_text()
CHILD = (FIXTURES / "processes" / "child.bpmn").read_text()
FORMS = {p.name: p.read_text() for p in (FIXTURES / "forms").glob("*.json")}

DIAGRAM = """  <bpmndi:BPMNDiagram id="review_diagram">
    <bpmndi:BPMNPlane id="review_plane" bpmnElement="review_collaboration">
      <bpmndi:BPMNShape id="prepare_di" bpmnElement="prepare"><dc:Bounds x="{x}" y="80" width="100" height="80"/>
      </bpmndi:BPMNShape>
    </bpmndi:BPMNPlane>
  </bpmndi:BPMNDiagram>
</bpmn:definitions>"""


def with_diagram(xml: str, x: int) -> str:
    return xml.replace("</bpmn:definitions>", DIAGRAM.format(x=x))


def edited_review() -> str:
    """Version 2 of the review fixture: a task added, a flow removed, names, a condition, a form and lanes changed."""
    return (REVIEW
            .replace('name="Prepare the course"', 'name="Prepare the draft"')
            .replace('all(r["complies"] for r in reviews.values())', 'all(r["complies"] for r in reviews.values()) '
                     'and len(reviews) > 0')
            .replace('<spiffworkflow:property name="formJsonSchemaFilename" value="fix.json"/>\n'
                     '          <spiffworkflow:property name="assignee" value="creator"/>',
                     '<spiffworkflow:property name="formJsonSchemaFilename" value="go.json"/>\n'
                     '          <spiffworkflow:property name="assignee" value="creator"/>')
            .replace('<bpmn:incoming>f_fix</bpmn:incoming><bpmn:outgoing>f6</bpmn:outgoing>',
                     '<bpmn:incoming>f_fix</bpmn:incoming><bpmn:outgoing>f6a</bpmn:outgoing>')
            .replace('<bpmn:incoming>f_ok</bpmn:incoming><bpmn:incoming>f6</bpmn:incoming>',
                     '<bpmn:incoming>f_ok</bpmn:incoming><bpmn:incoming>f6b</bpmn:incoming>')
            .replace('<bpmn:sequenceFlow id="f6" sourceRef="fix" targetRef="done"/>',
                     '<bpmn:sequenceFlow id="f6a" sourceRef="fix" targetRef="check"/>'
                     '<bpmn:sequenceFlow id="f6b" sourceRef="check" targetRef="done"/>')
            .replace('<bpmn:endEvent id="done">',
                     '<bpmn:userTask id="check" name="Check the fix"><bpmn:extensionElements><spiffworkflow:properties>'
                     '<spiffworkflow:property name="formJsonSchemaFilename" value="fix.json"/>'
                     '</spiffworkflow:properties></bpmn:extensionElements>'
                     '<bpmn:incoming>f6a</bpmn:incoming><bpmn:outgoing>f6b</bpmn:outgoing></bpmn:userTask>'
                     '<bpmn:endEvent id="done">')
            .replace("<bpmn:flowNodeRef>fix</bpmn:flowNodeRef>",
                     "<bpmn:flowNodeRef>fix</bpmn:flowNodeRef><bpmn:flowNodeRef>check</bpmn:flowNodeRef>")
            .replace("        <bpmn:flowNodeRef>late_remind</bpmn:flowNodeRef>\n", "")
            .replace("<bpmn:flowNodeRef>late</bpmn:flowNodeRef>",
                     "<bpmn:flowNodeRef>late</bpmn:flowNodeRef><bpmn:flowNodeRef>late_remind</bpmn:flowNodeRef>"))


def deploy(engine, xml: str, name: str = "review.bpmn", actor: str | None = None):
    report = engine.deploy_files([SourceFile(name, xml.encode())], dict(FORMS), actor)
    assert report.ok, report.problems
    return report


def form_events(engine) -> list[Event]:
    with engine.db.read() as session:
        return list(session.scalars(select(Event).where(Event.kind == "form_saved").order_by(Event.seq)))


# -- the diff ----------------------------------------------------------------------------------

def test_diff_lists_added_removed_and_changed_elements_precisely(engine):
    deploy(engine, REVIEW)
    deploy(engine, edited_review())
    newest, first = engine.process_versions("review")
    assert first.changes == [] and first.form_changes == []
    assert newest.changes == [
        Change("changed", "review", "lane_admin", "lane", "sector_administrator", "flow nodes: late_remind removed"),
        Change("changed", "review", "lane_chair", "lane", "csb_chair", "flow nodes: late_remind added"),
        Change("changed", "review", "lane_creator", "lane", "course_creator", "flow nodes: check added"),
        Change("changed", "review", "prepare", "userTask", "Prepare the draft",
               'name "Prepare the course" → "Prepare the draft"'),
        Change("changed", "review", "fix", "userTask", "Refine the course",
               "form fix.json → go.json; outgoing: f6a added, f6 removed"),
        Change("added", "review", "check", "userTask", "Check the fix", ""),
        Change("changed", "review", "done", "endEvent", "", "incoming: f6b added, f6 removed"),
        Change("changed", "review", "f_ok", "sequenceFlow", "", "condition changed"),
        Change("added", "review", "f6a", "sequenceFlow", "", ""),
        Change("added", "review", "f6b", "sequenceFlow", "", ""),
        Change("removed", "review", "f6", "sequenceFlow", "", ""),
    ]
    assert newest.form_changes == ["go.json added"]


def test_timer_script_documentation_and_attributes_are_described(engine):
    deploy(engine, REVIEW)
    deploy(engine, REVIEW.replace('"P3D"', '"P5D"').replace("reminded = True", "reminded = 1")
           .replace("Test task (6.3)", "Test task (6.4)").replace('cancelActivity="false"', 'cancelActivity="true"'))
    details = {c.element_id: c.detail for c in engine.process_versions("review")[0].changes}
    assert details == {"late": 'cancelActivity "false" → "true"; timer duration "P3D" → "P5D"',
                       "late_remind": "script changed", "prepare": "documentation changed"}


def test_layout_and_formatting_changes_are_a_version_without_element_changes(engine):
    deploy(engine, with_diagram(REVIEW, 100))
    moved = with_diagram(REVIEW, 300).replace(
        '<bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="prepare"/>',
        '<bpmn:sequenceFlow targetRef="prepare"\n   sourceRef="start" id="f1" />')
    moved = (moved.replace("<bpmn:documentation>Test task (6.3)</bpmn:documentation>",
                           "<bpmn:documentation>\n        Test  task\n        (6.3)\n      </bpmn:documentation>")
             .replace("reminded = True</bpmn:script>", "reminded = True  \n      </bpmn:script>"))
    assert deploy(engine, moved).deployed == [("review", 2)]  # the content (and so the sha) changed
    newest = engine.process_versions("review")[0]
    assert newest.changes == [] and newest.form_changes == []


def test_changes_in_a_called_process_are_listed_under_its_id(engine, deployed, people):
    report = engine.deploy_model("child.bpmn", CHILD.replace('name="Write the course"', 'name="Write it"'),
                                 people["owner"])
    assert report.deployed == [("child", 2), ("parent", 2)]
    assert engine.process_versions("parent")[0].changes == [
        Change("changed", "child", "c_write", "userTask", "Write it", 'name "Write the course" → "Write it"')]


def test_a_process_called_from_now_on_is_one_change_not_one_per_element():
    from engine.definitions.compare import _model, compare

    assert compare(_model({"review": REVIEW}), _model({"review": REVIEW, "child": CHILD}), "review") == [
        Change("added", "child", "child", "process", "Child", "")]


# -- the version list ----------------------------------------------------------------------------

def test_versions_newest_first_with_who_deployed_and_instance_counts(engine, deployed, people):
    finished = engine.start("child", {}, people["bob"])
    engine.start("child", {}, people["bob"])
    task = next(t for t in engine.tasks(people["bob"]) if t.instance == finished)
    engine.complete(task.id, {"done": True}, people["bob"])
    engine.deploy_model("child.bpmn", CHILD.replace('name="Write the course"', 'name="Write it"'), people["owner"])
    engine.start("child", {}, people["bob"])
    versions = engine.process_versions("child")
    assert [(v.version, v.deployed_by, v.running, v.finished) for v in versions] == [(2, "owner", 1, 0),
                                                                                     (1, None, 1, 1)]
    assert versions[0].deployed_at == engine.clock.now() and versions[0].filename == "child.bpmn"
    newest = {v.process_id: (v.version, v.running) for v in engine.processes()}
    assert list(newest) == sorted(newest) and newest["child"] == (2, 1) and newest["review"] == (1, 0)


def test_unknown_process_and_version_are_not_found(engine, deployed):
    with pytest.raises(NotFound):
        engine.process_versions("ghost")
    with pytest.raises(NotFound):
        engine.version_xml("review", 2)
    assert engine.version_xml("review", 1) == REVIEW


# -- the form library ----------------------------------------------------------------------------

def test_deploy_stores_the_offered_forms_once(engine, deployed):
    assert engine.forms() == {name: json.loads(text) for name, text in sorted(FORMS.items())}
    assert len(form_events(engine)) == len(FORMS)
    engine.deploy_directory(FIXTURES / "processes", FIXTURES / "forms")
    assert len(form_events(engine)) == len(FORMS)  # unchanged content: no event


@pytest.mark.parametrize("name, text, message", [
    ("fix.json", '{"type": "object",', "not valid JSON"),
    ("fix.json", "[1, 2]", "must be a JSON object"),
    ("fix.json", '{"type": "object", "properties": {"a": {"type": "nonsense"}}}', "not a valid JSON Schema 2020-12"),
    ("fix.json", '{"type": "object", "properties": {"a": {"$ref": "#/$defs/gone"}}}', "($ref)"),
    ("fix.json", '{"type": "object", "properties": {"a": {"x-choices": "people"}}}', "x-choices"),
    ("fix.json", '{"type": "object", "properties": {"a": {"x-from-record": "sent_on"}}}',  # 12.1
     'x-from-record "sent_on" is not a record; use one of: invitations_sent_on'),
    ("../fix.json", FORMS["fix.json"], "file name"),
    ("forms/fix.json", FORMS["fix.json"], "file name"),
    ("fix.txt", FORMS["fix.json"], "file name"),
])
def test_an_invalid_form_stores_and_deploys_nothing(engine, deployed, people, name, text, message):
    before = (engine.forms(), len(engine.deployed_versions()), len(form_events(engine)))
    report = engine.save_form(name, text, people["owner"])
    assert not report.saved and report.deploy is None
    assert any(message in p.message for p in report.problems), report.problems
    assert (engine.forms(), len(engine.deployed_versions()), len(form_events(engine))) == before


def test_saving_a_form_deploys_the_processes_binding_it(engine, deployed, people):
    schema = json.loads(FORMS["prepare.json"]) | {"title": "Prepare (v2)"}
    report = engine.save_form("prepare.json", json.dumps(schema), people["owner"])
    assert report.saved and report.problems == [] and report.deploy.deployed == [("review", 2)]
    assert engine.forms()["prepare.json"] == schema
    assert form_events(engine)[-1].actor == "owner"
    assert {v.process_id: v.version for v in engine.processes()} == {
        "child": 1, "failing": 1, "parent": 1, "review": 2, "timers": 1}
    assert engine.process_versions("review")[0].form_changes == ["prepare.json changed"]
    assert engine.process_versions("review")[0].deployed_by == "owner"


def test_a_form_bound_through_a_called_process_redeploys_the_caller(engine, deployed, people):
    schema = json.loads(FORMS["fix.json"]) | {"title": "Fix (v2)"}
    report = engine.save_form("fix.json", json.dumps(schema), people["owner"])
    assert sorted(report.deploy.deployed) == [("child", 2), ("parent", 2), ("review", 2), ("timers", 2)]


def test_a_new_form_is_stored_without_deploying(engine, deployed, people):
    report = engine.save_form("new_form.json", FORMS["fix.json"], people["owner"])
    assert report.saved and report.deploy is None and "new_form.json" in engine.forms()


def test_only_process_owners_save_forms_and_deploy(engine, deployed, people):
    with pytest.raises(NotAllowed):
        engine.save_form("fix.json", FORMS["fix.json"], people["admin"])
    with pytest.raises(NotAllowed):
        engine.deploy_model("child.bpmn", CHILD, people["admin"])


# -- deploying from the modeller ------------------------------------------------------------------

def test_an_invalid_model_deploys_nothing_and_names_the_elements(engine, deployed, people):
    broken = REVIEW.replace('targetRef="review_task"', 'targetRef="nowhere"').replace('"P3D"', '"P3X"')
    report = engine.deploy_model("review.bpmn", broken, people["owner"])
    assert report.deployed == [] and {"f3", "late"} <= {p.element for p in report.problems}
    assert engine.process_versions("review")[0].version == 1


def test_a_model_with_a_bad_file_name_is_refused(engine, deployed, people):
    report = engine.deploy_model("../review.bpmn", REVIEW, people["owner"])
    assert report.deployed == [] and "file name" in report.problems[0].message


def test_an_unchanged_model_deploys_nothing(engine, deployed, people):
    report = engine.deploy_model("review.bpmn", REVIEW.encode(), people["owner"])
    assert report.ok and report.deployed == [] and report.unchanged == [("review", 1)]


def test_editing_a_called_coomet_process_redeploys_its_callers(engine):
    from tests.coomet import REPO, deploy_with_people

    deploy_with_people(engine)
    owner = engine.actor("owner")
    xml = (REPO / "processes" / "csb_agreeing.bpmn").read_text()
    edited = xml.replace('<bpmn:userTask id="c_assign" name="', '<bpmn:userTask id="c_assign" name="Now: ')
    assert edited != xml
    report = engine.deploy_model("csb_agreeing.bpmn", edited, owner)
    assert report.ok, report.problems
    assert report.deployed == [("csb_agreeing", 2), ("course_agreeing", 2), ("course_creation", 2),
                               ("course_service", 2)]  # §7 is agreed in creation and again in an update (13.4)
    for process_id in ("course_agreeing", "course_creation", "course_service"):
        (change,) = engine.process_versions(process_id)[0].changes
        assert (change.process_id, change.element_id, change.kind) == ("csb_agreeing", "c_assign", "changed")
        assert change.name.startswith("Now: ")
    assert {v.process_id: v.version for v in engine.processes()}["course_review"] == 1
    again = engine.deploy_model("csb_agreeing.bpmn", edited, owner)
    assert again.deployed == [] and again.unchanged == [("csb_agreeing", 2)]


def test_upgrading_an_installation_fills_the_library_with_the_deployed_forms(engine, deployed):
    from alembic import command

    from engine.base.schema import alembic_config

    with engine.db.engine.begin() as connection:
        command.downgrade(alembic_config(connection), "0001")
    engine.init()
    assert engine.forms() == {name: json.loads(text) for name, text in sorted(FORMS.items())}


def test_two_owners_deploying_at_once_get_consecutive_versions(engine, deployed, people, database_url, clock):
    from tests.parallel import at_once

    edits = [CHILD.replace('name="Write the course"', f'name="Write it ({n})"') for n in (1, 2)]
    reports = at_once(database_url, clock, [lambda e, xml=xml: e.deploy_model("child.bpmn", xml, people["owner"])
                                            for xml in edits])
    assert sorted(r.deployed for r in reports) == [[("child", 2), ("parent", 2)], [("child", 3), ("parent", 3)]]
