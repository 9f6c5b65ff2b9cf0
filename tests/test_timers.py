"""Timers run on the engine clock and fire only when ticked (or before a completion)."""
from __future__ import annotations

import datetime as dt

from tests.conftest import START


def test_timer_waits_for_the_engine_clock_not_the_wall_clock(engine, deployed, people, clock):
    instance = engine.start("timers", {}, people["admin"])
    assert engine.instance(instance).next_timer_at == START + dt.timedelta(days=1)
    assert engine.tick() == 0
    clock.advance(hours=23)
    assert engine.tick() == 0 and engine.tasks(people["admin"]) == []
    clock.advance(hours=1, seconds=1)
    assert engine.tick() == 1
    (answer,) = engine.tasks(people["admin"])
    assert answer.bpmn_id == "t_answer"
    assert answer.due == clock.now() + dt.timedelta(days=3)  # the earliest boundary timer


def test_non_interrupting_reminder_keeps_the_task_open(engine, deployed, people, clock):
    instance = engine.start("timers", {}, people["admin"])
    clock.advance(days=1, seconds=1)
    engine.tick()
    clock.advance(days=3, seconds=1)
    assert engine.tick() == 1
    (answer,) = engine.tasks(people["admin"])
    assert answer.bpmn_id == "t_answer"
    assert answer.due == engine.instance(instance).next_timer_at  # now the 10-day timer


def test_interrupting_timer_cancels_the_task_and_escalates(engine, deployed, people, clock):
    engine.start("timers", {}, people["admin"])
    clock.advance(days=1, seconds=1)
    engine.tick()
    clock.advance(days=11)
    assert engine.tick() == 2  # the reminder and the deadline, both overdue
    assert [t.bpmn_id for t in engine.tasks(people["admin"])] == ["t_escalate"]


def test_overdue_timer_fires_before_a_late_completion(engine, deployed, people, clock):
    import pytest

    from engine import TaskNotOpen

    engine.start("timers", {}, people["admin"])
    clock.advance(days=1, seconds=1)
    engine.tick()
    (answer,) = engine.tasks(people["admin"])
    clock.advance(days=11)  # nobody ticked, but the deadline passed
    with pytest.raises(TaskNotOpen, match="withdrawn .* deadline passed"):
        engine.complete(answer.id, {"done": True}, people["admin"])
    assert [t.bpmn_id for t in engine.tasks(people["admin"])] == ["t_escalate"]


def test_tick_records_timer_fired_events(engine, deployed, people, clock):
    from sqlalchemy import select

    from engine.base.models import Event

    instance = engine.start("timers", {}, people["admin"])
    clock.advance(days=1, seconds=1)
    engine.tick()
    with engine.db.read() as session:
        fired = session.scalars(select(Event).where(Event.kind == "timer_fired")).all()
    assert [(e.instance_id, e.bpmn_id, e.at) for e in fired] == [(instance, "t_wait", clock.now())]


def test_tick_only_loads_due_instances(engine, deployed, people, clock, monkeypatch):
    from engine.instances import runtime

    for _ in range(3):
        engine.start("timers", {}, people["admin"])
    engine.start("review", {}, people["admin"])
    loaded = []
    original = runtime.load
    monkeypatch.setattr(runtime, "load", lambda s, c, i: loaded.append(i) or original(s, c, i))
    assert engine.tick() == 0 and loaded == []
    clock.advance(days=1, seconds=1)
    assert engine.tick() == 3 and len(loaded) == 3


def test_concurrent_tickers_fire_each_timer_once(engine, deployed, people, clock, database_url):
    """Several workers may tick at once (SKIP LOCKED on PostgreSQL, the write lock on SQLite)."""
    from sqlalchemy import func, select

    from engine.base.models import Event
    from tests.parallel import at_once

    for _ in range(6):
        engine.start("timers", {}, people["admin"])
    clock.advance(days=1, seconds=1)
    fired = at_once(database_url, clock, [lambda worker: worker.tick(batch=2)] * 3)
    assert sum(fired) == 6
    with engine.db.read() as session:
        assert session.scalar(select(func.count()).where(Event.kind == "timer_fired")) == 6
    assert len(engine.tasks(people["admin"])) == 6
    assert engine.verify().ok
