"""The files in processes/ and forms/: modeller-ready, documented, bilingual — and every path tested."""
from __future__ import annotations

import json

import pytest
from lxml import etree

from engine.base.errors import InvalidData
from engine.definitions import bpmn
from engine.definitions.form_schema import validate_submission
from tests.coomet import REPO, sheets

PROCESS_FILES = sorted((REPO / "processes").glob("*.bpmn"))
FORM_FILES = sorted((REPO / "forms").glob("*.json"))
FLOW_NODES = ("startEvent", "endEvent", "userTask", "scriptTask", "callActivity", "exclusiveGateway",
              "parallelGateway", "eventBasedGateway", "intermediateCatchEvent", "intermediateThrowEvent",
              "boundaryEvent", "task", "manualTask", "inclusiveGateway")


def tree(path):
    return etree.parse(str(path))


@pytest.mark.parametrize("path", PROCESS_FILES, ids=lambda p: p.name)
def test_every_element_is_drawn(path):
    """Full BPMN DI: every flow node and lane has a shape with bounds, every flow an edge with waypoints."""
    root = tree(path).getroot()
    shapes = {s.get("bpmnElement"): s for s in root.iter(f"{{{bpmn.NS['bpmndi']}}}BPMNShape")}
    edges = {e.get("bpmnElement"): e for e in root.iter(f"{{{bpmn.NS['bpmndi']}}}BPMNEdge")}
    for process in bpmn.processes(root.getroottree()):
        for element in process.iter():
            if not isinstance(element.tag, str):
                continue
            kind = bpmn.local(element)
            if kind in FLOW_NODES or kind == "lane":
                bounds = shapes[element.get("id")].find(f"{{{bpmn.NS_DC}}}Bounds")
                assert float(bounds.get("width")) > 0 and float(bounds.get("height")) > 0
            elif kind == "sequenceFlow":
                assert len(edges[element.get("id")].findall(f"{{{bpmn.NS_DI}}}waypoint")) >= 2


@pytest.mark.parametrize("path", PROCESS_FILES, ids=lambda p: p.name)
def test_every_task_cites_its_clause(path):
    for process in bpmn.processes(tree(path)):
        for element in process.iter():
            if isinstance(element.tag, str) and bpmn.local(element) in ("userTask", "callActivity", "scriptTask"):
                doc = element.findtext(f"{{{bpmn.BPMN_NS}}}documentation") or ""
                assert any(ch.isdigit() for ch in doc), f"{element.get('id')} cites no clause"


@pytest.mark.parametrize("path", FORM_FILES, ids=lambda p: p.name)
def test_forms_are_bilingual_and_cite_their_clause(path):
    schema = json.loads(path.read_text())
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema" and schema["x-clause"]
    assert schema["x-title-ru"] and schema["title"]
    for key, prop in schema["properties"].items():
        assert prop.get("title") and prop.get("x-title-ru"), f"{path.name}: {key} lacks a label"
        for option in prop.get("oneOf", []):
            assert option.get("x-title-ru"), f"{path.name}: {key} option {option['const']} lacks Russian"


@pytest.mark.parametrize("name", sorted(sheets()), ids=str)
def test_each_form_accepts_a_filled_in_sheet(name):
    schema = json.loads((REPO / "forms" / name).read_text())
    data = dict(sheets()[name])
    if name == "appendix3.json":
        data["course_id"] = 1
    validate_submission(_without_choices(schema), data)


def _without_choices(schema):
    """The markers are filled from the database when handed out; here any value of the right type will do."""
    return json.loads(json.dumps(schema).replace('"x-choices"', '"x-was-choices"'))


def appendix(name):
    return _without_choices(json.loads((REPO / "forms" / name).read_text()))


@pytest.mark.parametrize("change, field", [
    ({"complies": True, "requires_refinement": True}, "complies"),  # the conclusion is asked about
    ({"complies": False, "requires_refinement": False}, "complies"),
    ({"complies": False, "requires_refinement": True}, "what_to_refine"),
])
@pytest.mark.parametrize("name", ["appendix1_initial.json", "appendix1_reagreeing.json"])
def test_appendix_1_rejects_contradictions(name, change, field):
    with pytest.raises(InvalidData) as caught:
        validate_submission(appendix(name), {**sheets()[name], **change})
    assert field in {e.path for e in caught.value.errors}


def test_appendix_1_reagreeing_asks_whether_the_course_was_refined():
    sheet = dict(sheets()["appendix1_reagreeing.json"])
    del sheet["refined_as_recommended"]
    with pytest.raises(InvalidData, match="refined_as_recommended"):
        validate_submission(appendix("appendix1_reagreeing.json"), sheet)


@pytest.mark.parametrize("change", [
    {"content_quality": False},                                          # can be posted with a NO
    {"should_be_refined": True, "what_to_refine": "x"},                  # both conclusions
    {"can_be_posted": False},                                            # neither conclusion
    {"can_be_posted": False, "should_be_refined": True},                 # refine without saying what
])
def test_appendix_2_rejects_contradictions(change):
    with pytest.raises(InvalidData):
        validate_submission(appendix("appendix2.json"), {**sheets()["appendix2.json"], **change})


def test_appendix_2_refusal_is_accepted_when_consistent():
    validate_submission(appendix("appendix2.json"), {**sheets()["appendix2.json"], "copyright_ok": False,
                                                     "can_be_posted": False, "should_be_refined": True,
                                                     "what_to_refine": "Copyright line missing."})


def test_appendix_3_has_the_four_criteria_on_the_four_point_scale():
    schema = appendix("appendix3.json")
    criteria = ["relevance", "theoretical_utility", "material_quality", "material_presentation"]
    for key in criteria:
        assert [o["const"] for o in schema["properties"][key]["oneOf"]] == \
            ["excellent", "good", "satisfactory", "unsatisfactory"]
    assert set(criteria) <= set(schema["required"])
    assert not {"name", "email", "login"} & set(schema["properties"])  # anonymous (11.1)


def test_agreeing_request_needs_some_body_to_agree_with():
    sheet = {**sheets()["agreeing_request.json"], "agreeing_csbs": [], "send_to_secretariat": False}
    with pytest.raises(InvalidData, match="at least one CSB"):
        validate_submission(appendix("agreeing_request.json"), sheet)
