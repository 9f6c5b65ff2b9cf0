"""Concurrency, atomicity and the tamper-evident log."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select, text

from engine import ProcessFailed
from engine.base.models import Event, Instance, OpenTask
from tests.parallel import at_once


def snapshot(engine, instance_id):
    with engine.db.read() as session:
        instance = session.get(Instance, instance_id)
        return (instance.version, instance.state_json,
                sorted(session.scalars(select(OpenTask.id).where(OpenTask.instance_id == instance_id))),
                session.scalar(select(func.count(Event.seq))))


def reviews_open(engine, people):
    instance = engine.start("review", {}, people["admin"])
    (prepare,) = engine.tasks(people["admin"])
    engine.complete(prepare.id, {"title": "Mass", "csbs": ["TC 1.3", "TC 2"], "creator": "bob"}, people["admin"])
    return instance


def race(database_url, clock, jobs):
    """Outcomes of completing at the same moment: "ok" or the refusal's name."""
    return ["ok" if outcome is None else outcome for outcome in at_once(database_url, clock, jobs)]


def test_two_people_completing_at_once_one_is_told_to_reload(engine, deployed, people, database_url, clock):
    instance = reviews_open(engine, people)
    (r13,), (r2,) = engine.tasks(people["chair13"]), engine.tasks(people["chair2"])
    seen = engine.task(r13.id).instance_version
    outcomes = race(database_url, clock, [
        lambda e: e.complete(r13.id, {"complies": True}, people["chair13"], expected_version=seen),
        lambda e: e.complete(r2.id, {"complies": True}, people["chair2"], expected_version=seen),
    ])
    assert sorted(outcomes) == ["ChangedMeanwhile", "ok"]
    with engine.db.read() as session:
        completed = session.scalars(select(Event.task_id).where(Event.kind == "task_completed",
                                                               Event.instance_id == instance)).all()
    assert len(completed) == 2  # prepare + exactly one review
    assert len(engine.tasks(people["anychair"])) == 1


def test_the_same_task_completed_twice_at_once_runs_once(engine, deployed, people, database_url, clock):
    reviews_open(engine, people)
    (r2,) = engine.tasks(people["chair2"])
    outcomes = race(database_url, clock, [
        lambda e: e.complete(r2.id, {"complies": True}, people["chair2"]),
        lambda e: e.complete(r2.id, {"complies": False}, people["chair2"]),
    ])
    assert outcomes.count("ok") == 1 and len(outcomes) == 2
    with engine.db.read() as session:
        assert session.scalar(select(func.count()).where(Event.task_id == r2.id,
                                                         Event.kind == "task_completed")) == 1
    assert engine.verify().ok


def test_script_failure_mid_complete_leaves_everything_as_it_was(engine, deployed, people):
    instance = engine.start("failing", {}, people["admin"])
    (go,) = engine.tasks(people["admin"])
    before = snapshot(engine, instance)
    with pytest.raises(ProcessFailed, match="undefined_name"):
        engine.complete(go.id, {"fail": True}, people["admin"])
    assert snapshot(engine, instance) == before
    engine.complete(go.id, {"fail": False}, people["admin"])
    assert engine.instance(instance).status == "completed"


def test_failure_while_writing_events_rolls_back_state_and_tasks(engine, deployed, people, monkeypatch):
    from engine.proof import audit

    instance = engine.start("failing", {}, people["admin"])
    (go,) = engine.tasks(people["admin"])
    before = snapshot(engine, instance)

    def broken_append(*args, **kwargs):
        raise RuntimeError("disk full")
    monkeypatch.setattr(audit, "append", broken_append)
    monkeypatch.setattr(audit, "chain_deferred", broken_append)  # a completion's events are chained at commit
    with pytest.raises(RuntimeError):
        engine.complete(go.id, {"fail": False}, people["admin"])
    monkeypatch.undo()
    assert snapshot(engine, instance) == before
    assert engine.verify().ok


@pytest.fixture
def history(engine, deployed, people):
    instance = reviews_open(engine, people)
    for login in ("chair13", "chair2"):
        (task,) = engine.tasks(people[login])
        engine.complete(task.id, {"complies": True}, people[login])
    assert engine.verify().ok
    return instance


def tamper(engine, *statements):
    with engine.db.engine.begin() as connection:
        for statement in statements:
            connection.execute(text(statement))


def test_intact_log_verifies(engine, history):
    verdict = engine.verify()
    assert verdict.ok and verdict.events > 5


def test_edited_event_is_found(engine, history):
    tamper(engine, "UPDATE events SET data_json = replace(data_json, 'true', 'false') WHERE seq = "
                   "(SELECT min(seq) FROM events WHERE kind = 'task_completed' AND data_json LIKE '%complies%')")
    verdict = engine.verify()
    with engine.db.read() as session:
        first = session.scalar(select(func.min(Event.seq)).where(Event.kind == "task_completed",
                                                                Event.data_json.like("%complies%")))
    assert not verdict.ok and verdict.bad_seq == first and "edited" in verdict.reason


def test_edited_actor_is_found(engine, history):
    tamper(engine, "UPDATE events SET actor = 'mallory' WHERE seq = 5")
    assert engine.verify().bad_seq == 5


def test_deleted_event_is_found(engine, history):
    tamper(engine, "DELETE FROM events WHERE seq = 4")
    verdict = engine.verify()
    assert verdict.bad_seq == 4 and "missing" in verdict.reason


def test_deleted_last_event_is_found(engine, history):
    tamper(engine, "DELETE FROM events WHERE seq = (SELECT max(seq) FROM events)")
    verdict = engine.verify()
    assert not verdict.ok and "at the end were deleted" in verdict.reason


def test_inserted_event_is_found(engine, history):
    from engine.proof import audit

    with engine.db.read() as session:
        third = session.get(Event, 3)
        second_hash = session.get(Event, 2).hash
    tamper(engine, "UPDATE events SET seq = seq + 1000 WHERE seq >= 3",
           "UPDATE events SET seq = seq - 999 WHERE seq >= 1003")
    forged = Event(seq=3, kind="task_completed", at=third.at, instance_id=third.instance_id, actor="mallory",
                   data_json="{}", prev_hash=second_hash, instance_prev_hash=None)
    forged.hash = audit.event_hash(forged)
    with engine.db.write() as session:
        session.add(forged)
    verdict = engine.verify()
    assert not verdict.ok and verdict.bad_seq in (3, 4)


def test_reordered_events_are_found(engine, history):
    tamper(engine, "UPDATE events SET seq = -1 WHERE seq = 4", "UPDATE events SET seq = 4 WHERE seq = 5",
           "UPDATE events SET seq = 5 WHERE seq = -1")
    verdict = engine.verify()
    assert verdict.bad_seq == 4 and "does not link" in verdict.reason


def test_changed_definition_row_is_found(engine, history):
    tamper(engine, "UPDATE definitions SET bpmn_xml = replace(bpmn_xml, 'Refine', 'Ignore')")
    verdict = engine.verify()
    assert not verdict.ok and "review v1" in verdict.reason
