"""Deploy never hangs on hostile files (issue 11): every check that scans raw text is linear."""
from __future__ import annotations

import threading

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
