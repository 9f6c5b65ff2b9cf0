"""Deploy never hangs on hostile files (issue 11): every check that scans raw text is linear."""
from __future__ import annotations

import threading

import pytest

from engine.definitions.checks import SourceFile
from tests.conftest import FIXTURES

FORMS = {p.name: p.read_text() for p in (FIXTURES / "forms").glob("*.json")}


def test_a_file_of_repeated_process_tags_is_refused_at_once(engine, deployed):
    """1.9 MB of ``<process `` took ~46 min (quadratic regex) while holding the write lock."""
    hostile = SourceFile("many.bpmn", b"<process " * 211_000)
    reports: list = []
    worker = threading.Thread(target=lambda: reports.append(engine.deploy_files([hostile], dict(FORMS))),
                              daemon=True)
    worker.start()
    worker.join(timeout=60)
    assert reports, "deploy did not finish"
    assert not reports[0].ok and reports[0].problems[0].file == "many.bpmn"
    changed = (FIXTURES / "processes" / "review.bpmn").read_text().replace('Test task (6.3)', 'Test task, changed (6.3)')
    assert engine.deploy_files([SourceFile("review.bpmn", changed.encode())], dict(FORMS)).deployed == [("review", 2)]


MODELLERS = FIXTURES / "modellers"
# file → None if it must deploy, else words its refusal must contain (element, line and what to do)
CORPUS = {
    "camunda_pool_message_end.bpmn": None,  # a message END event outside any lane sends; it waits for nothing
    "bpmnio_vendor_default.bpmn": None,  # a vendor element's default="…" is no reference
    "signavio_prefixed_refs.bpmn": None,  # processRef="bpmn2:signavio", messageRef="bpmn2:msg_sent"
    "plain_task_no_lane.bpmn": "task (run as a person's task) \"Do it\" is in no lane",
    "not_executable.bpmn": "isExecutable=\"false\"",
    "event_definition_ref.bpmn": "eventDefinitionRef",
    "receive_task_no_lane.bpmn": "nobody could ever send it",
    "service_task_camunda.bpmn": "calls no service CourseFlow knows",
    "timer_unquoted_date.bpmn": "quote it, e.g. \"2027-01-31T09:00:00Z\"",
    "juel_condition.bpmn": "JUEL/FEEL expression",
    "data_store.bpmn": "data stores are not supported",
    "global_task.bpmn": "global task \"global_review\"",
}


def test_the_corpus_covers_every_file():
    assert set(CORPUS) == {path.name for path in MODELLERS.glob("*.bpmn")}


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_files_from_other_modellers_are_deployed_or_refused_in_plain_words(engine, name):
    path = MODELLERS / name
    report = engine.deploy_files([SourceFile(name, path.read_bytes())], dict(FORMS))
    expected = CORPUS[name]
    if expected is None:
        assert report.ok and len(report.deployed) == 1, report.problems
        return
    assert not report.ok and report.deployed == []
    (problem,) = report.problems
    assert expected in problem.message and problem.line and problem.element, problem
    assert "Traceback" not in problem.message and "Did you mean" not in problem.message
