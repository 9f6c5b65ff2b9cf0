"""Hot instances (issue 18): a workflow kept in memory is used only at the version it was saved as.

Several processes (gunicorn workers) share one database, each with its own hot workflows; a change made by one
must never be overwritten by another working from its older copy, and a step that failed must leave nothing of
itself behind in memory.
"""
from __future__ import annotations

import pytest

from engine import Engine, TaskFilter
from engine.proof import audit
from tests.coomet import CourseDriver, deploy_with_people

PREPARE = {"title": "Mass", "csbs": ["TC 2"], "creator": "bob"}


def open_steps(engine, instance_id):
    return sorted((t.bpmn_id, t.scope) for t in engine.tasks(None, TaskFilter(limit=1000)) if t.instance == instance_id)


def test_two_engines_alternating_on_one_course_never_use_a_stale_workflow_7_8(engine, database_url, clock):
    """Two workers take turns on one course from §6 to publication (8.2); each sees the other's every step."""
    deploy_with_people(engine)
    other = Engine(database_url, clock)
    try:
        course = CourseDriver(engine)
        workers = [engine, other]
        steps = [("m_survey", "tc4", None), ("m_appoint", "admin", None), ("m_describe", "implementer", None),
                 ("m_prepare", "creator", None), ("a_send", "implementer", None), ("c_assign", "chair-tc13", "TC 1.3"),
                 ("c_chair_review", "chair-tc13", "TC 1.3"), ("a_forward", "admin", None),
                 ("m_finalize", "creator", None), ("r_review", "admin", None), ("r_keep", "secretariat", None),
                 ("r_note", "tc4", None)]
        for number, (bpmn_id, login, scope) in enumerate(steps):
            course.engine = workers[number % 2]  # the next request lands on the other worker
            course.do(bpmn_id, login, scope=scope)
        assert course.course.status == "published" and course.bpmn_ids() == []
        # After the first step (the course was started on this worker) each worker's own copy was a step behind:
        # never used, always restored from the database.
        assert engine.hot.hits == 1 and other.hot.hits == 0 and other.hot.misses == 6
        assert engine.verify().ok and all(o.ok for o in engine.replay_course(course.course.id))
    finally:
        other.close()


def test_a_worker_reuses_its_workflow_until_another_changes_the_course(engine, database_url, clock):
    deploy_with_people(engine)
    other = Engine(database_url, clock)
    try:
        course = CourseDriver(engine)
        course.do("m_survey", "tc4")
        course.do("m_appoint", "admin")
        assert engine.hot.hits >= 2  # started and surveyed here: the same worker went on from memory
        course.engine = other
        course.do("m_describe", "implementer")
        course.engine = engine
        hits = engine.hot.hits
        course.do("m_prepare", "creator")  # the implementer's step was made elsewhere
        assert engine.hot.hits == hits and course.bpmn_ids() == ["a_send"]
    finally:
        other.close()


def test_a_step_that_failed_leaves_nothing_in_memory(engine, people, deployed, monkeypatch):
    """The run changed the workflow, then writing failed: the next try starts from the stored state."""
    instance = engine.start("review", {}, people["admin"])
    (prepare,) = [t for t in engine.tasks(people["admin"]) if t.instance == instance and t.bpmn_id == "prepare"]
    real_chain = audit.chain_deferred

    def failing_append(*args, **kwargs):
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(audit, "chain_deferred", failing_append)  # at commit, after the run changed the workflow
    with pytest.raises(RuntimeError):
        engine.complete(prepare.id, PREPARE, people["admin"])
    monkeypatch.setattr(audit, "chain_deferred", real_chain)
    assert open_steps(engine, instance) == [("prepare", None)]
    engine.complete(prepare.id, {**PREPARE, "csbs": ["TC 1.3"]}, people["admin"])
    assert open_steps(engine, instance) == [("review_task", "TC 1.3")]


def test_hot_instances_can_be_switched_off(database_url, clock, monkeypatch):
    monkeypatch.setenv("COURSEFLOW_HOT_INSTANCES", "0")
    cold = Engine(database_url, clock)
    try:
        cold.init()
        deploy_with_people(cold)
        course = CourseDriver(cold)
        course.do("m_survey", "tc4")
        assert cold.hot.hits == 0 and len(cold.hot) == 0 and course.bpmn_ids() == ["m_appoint"]
    finally:
        cold.close()
