"""Starting and completing tasks: the checks, the order, and what is stored."""
from __future__ import annotations

import pytest

from engine import ChangedMeanwhile, InvalidData, NotAllowed, NotFound, TaskNotOpen


def open_tasks(engine, actor=None, bpmn_id=None):
    return [t for t in engine.tasks(actor) if bpmn_id is None or t.bpmn_id == bpmn_id]


def start_review(engine, people, csbs=("TC 1.3", "TC 2")):
    instance = engine.start("review", {}, people["admin"])
    (prepare,) = open_tasks(engine, people["admin"], "prepare")
    engine.complete(prepare.id, {"title": "Mass", "csbs": list(csbs), "creator": "bob"}, people["admin"])
    return instance


def test_start_creates_first_task_in_admin_inbox(engine, deployed, people):
    instance = engine.start("review", {}, people["admin"])
    tasks = engine.tasks(people["admin"])
    assert [(t.bpmn_id, t.role, t.instance) for t in tasks] == [("prepare", "sector_administrator", instance)]
    assert engine.tasks(people["bob"]) == []


def test_multi_instance_review_is_scoped_per_csb(engine, deployed, people):
    start_review(engine, people)
    assert [(t.bpmn_id, t.scope) for t in engine.tasks(people["chair13"])] == [("review_task", "TC 1.3")]
    assert [(t.bpmn_id, t.scope) for t in engine.tasks(people["chair2"])] == [("review_task", "TC 2")]
    assert sorted(t.scope for t in engine.tasks(people["anychair"])) == ["TC 1.3", "TC 2"]


def test_reviews_come_back_keyed_by_csb_and_route_the_gateway(engine, deployed, people):
    instance = start_review(engine, people)
    (review13,) = engine.tasks(people["chair13"])
    (review2,) = engine.tasks(people["chair2"])
    engine.complete(review13.id, {"complies": True}, people["chair13"])
    engine.complete(review2.id, {"complies": False, "comments": "refine 3.2"}, people["chair2"])
    (fix,) = open_tasks(engine, None, "fix")
    assert fix.assignee == "bob"
    assert engine.tasks(people["carol"]) == []  # a named assignee's task goes only to that person
    engine.complete(fix.id, {"done": True}, people["bob"])
    assert engine.instance(instance).status == "completed"
    assert engine.tasks() == []


def test_wrong_scope_is_refused_and_nothing_changes(engine, deployed, people):
    start_review(engine, people)
    (review2,) = engine.tasks(people["chair2"])
    with pytest.raises(NotAllowed, match="csb_chair for TC 2"):
        engine.complete(review2.id, {"complies": True}, people["chair13"])
    assert [t.id for t in engine.tasks(people["chair2"])] == [review2.id]


def test_wrong_role_and_wrong_assignee_are_refused(engine, deployed, people):
    engine.start("review", {}, people["admin"])
    (prepare,) = engine.tasks(people["admin"])
    with pytest.raises(NotAllowed, match="sector_administrator"):
        engine.complete(prepare.id, {"title": "x", "csbs": ["TC 2"], "creator": "bob"}, people["bob"])
    with pytest.raises(NotAllowed, match="needs the role sector_administrator"):
        engine.start("review", {}, people["bob"])


def test_invalid_form_lists_every_error_with_its_path(engine, deployed, people):
    engine.start("review", {}, people["admin"])
    (prepare,) = engine.tasks(people["admin"])
    with pytest.raises(InvalidData) as caught:
        engine.complete(prepare.id, {"title": "", "csbs": [], "surprise": 1}, people["admin"])
    paths = {e.path for e in caught.value.errors}
    assert paths == {"title", "csbs", "surprise", "creator"}
    assert [e.message for e in caught.value.errors if e.path == "creator"] == ["this field is required"]
    assert [t.id for t in engine.tasks(people["admin"])] == [prepare.id]


def test_reserved_typename_key_and_non_object_are_refused(engine, deployed, people):
    engine.start("review", {}, people["admin"])
    (prepare,) = engine.tasks(people["admin"])
    with pytest.raises(InvalidData, match="reserved"):
        engine.complete(prepare.id, {"title": "x", "csbs": ["TC 2"], "creator": "bob",
                                     "typename": "BpmnWorkflow"}, people["admin"])
    with pytest.raises(InvalidData, match="JSON object"):
        engine.complete(prepare.id, ["not", "an", "object"], people["admin"])


def test_completed_task_cannot_be_completed_again(engine, deployed, people):
    engine.start("review", {}, people["admin"])
    (prepare,) = engine.tasks(people["admin"])
    data = {"title": "x", "csbs": ["TC 2"], "creator": "bob"}
    engine.complete(prepare.id, data, people["admin"])
    with pytest.raises(TaskNotOpen, match="already completed by admin"):
        engine.complete(prepare.id, data, people["admin"])
    with pytest.raises(NotFound):
        engine.complete("00000000-0000-0000-0000-000000000000", data, people["admin"])


def test_stale_form_version_is_refused(engine, deployed, people):
    instance = start_review(engine, people)
    (review13,) = engine.tasks(people["chair13"])
    (review2,) = engine.tasks(people["chair2"])
    seen = engine.task(review2.id, people["chair2"]).instance_version
    engine.complete(review13.id, {"complies": True}, people["chair13"])
    with pytest.raises(ChangedMeanwhile, match="Reload"):
        engine.complete(review2.id, {"complies": True}, people["chair2"], expected_version=seen)
    fresh = engine.task(review2.id, people["chair2"]).instance_version
    engine.complete(review2.id, {"complies": True}, people["chair2"], expected_version=fresh)
    assert engine.instance(instance).status == "completed"


def test_claim_makes_a_group_task_mine(engine, deployed, people):
    start_review(engine, people)
    task = next(t for t in engine.tasks(people["anychair"]) if t.scope == "TC 2")
    engine.claim(task.id, people["chair2"])
    assert engine.tasks(people["anychair"])[0].claimed_by in (None, "chair2")
    with pytest.raises(NotAllowed, match="chair2 has claimed"):
        engine.complete(task.id, {"complies": True}, people["anychair"])
    with pytest.raises(NotAllowed, match="Only chair2"):
        engine.unclaim(task.id, people["anychair"])
    engine.unclaim(task.id, people["chair2"])
    engine.complete(task.id, {"complies": True}, people["anychair"])
