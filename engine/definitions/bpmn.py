"""Reading what CourseFlow needs from BPMN XML, beyond what SpiffWorkflow keeps.

SpiffWorkflow's specs know a task's lane by name only and drop element line
numbers; the deploy checks and the lane → role map read the XML directly.
"""
from __future__ import annotations

from typing import Any

from lxml import etree

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
SPIFF_NS = "http://spiffworkflow.org/bpmn/schema/1.0/core"
NS_DC = "http://www.omg.org/spec/DD/20100524/DC"
NS_DI = "http://www.omg.org/spec/DD/20100524/DI"
NS = {"bpmn": BPMN_NS, "spiffworkflow": SPIFF_NS,
      "bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI"}

FORM_PROPERTY = "formJsonSchemaFilename"
UI_FORM_PROPERTY = "formUiSchemaFilename"
ASSIGNEE_PROPERTY = "assignee"  # expression naming the one person who must do the task
SCOPE_PROPERTY = "scope"        # expression giving the task's scope (a CSB code)
NAME_RU_PROPERTY = "nameRu"     # the task's name in Russian

# "A task people do", defined once: deploy checks, the runtime (SpiffWorkflow makes these manual) and the
# modeller's lint (it gets this list from the server) all use it. SpiffWorkflow runs a plain task as manual.
HUMAN_TASKS = ("userTask", "manualTask", "task")
STATUS_PROPERTY = "courseStatus"  # expression: the course status once the element completes
CONTINUE_PROPERTY = "continueWith"  # on an end event: the process whose new instance carries the course on (13.1)


def local(element: Any) -> str:
    return str(etree.QName(element).localname)


def processes(tree: Any) -> list[Any]:
    return list(tree.getroot().findall("bpmn:process", NS))


def properties(element: Any) -> dict[str, str]:
    """The ``spiffworkflow:properties`` of an element, as a dict."""
    found = element.findall("bpmn:extensionElements/spiffworkflow:properties/spiffworkflow:property", NS)
    return {p.get("name"): p.get("value", "") for p in found}


def human_tasks(process: Any) -> list[Any]:
    """User and manual tasks anywhere in the process, embedded subprocesses included."""
    return [el for kind in HUMAN_TASKS for el in process.iter(f"{{{BPMN_NS}}}{kind}")]


def start_events_with_forms(process: Any) -> list[Any]:
    return [el for el in process.iter(f"{{{BPMN_NS}}}startEvent") if properties(el).get(FORM_PROPERTY)]


def lanes(process: Any) -> dict[str, str]:
    """Map each flow node id to the name of the innermost lane holding it."""
    placed: dict[str, str] = {}
    for lane in process.iter(f"{{{BPMN_NS}}}lane"):
        for ref in lane.findall("bpmn:flowNodeRef", NS):
            placed[(ref.text or "").strip()] = lane.get("name") or lane.get("id")
    return placed


def lane_names(process: Any) -> list[tuple[str, Any]]:
    return [(lane.get("name") or lane.get("id"), lane) for lane in process.iter(f"{{{BPMN_NS}}}lane")]


def called_elements(process: Any) -> list[Any]:
    return list(process.iter(f"{{{BPMN_NS}}}callActivity"))


def lane_of(element: Any, placed: dict[str, str]) -> str | None:
    """The lane of a node, or of the nearest enclosing subprocess that has one."""
    node = element
    while node is not None and local(node) != "process":
        if node.get("id") in placed:
            return placed[node.get("id")]
        node = node.getparent()
    return None
