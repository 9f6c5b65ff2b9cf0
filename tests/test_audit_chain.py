"""The event log's chain when a completion's events are chained at commit (issue 18): same hashes, same order."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from engine.base.models import Event, Instance
from engine.proof import audit
from tests.conftest import START


def test_hash_of_rendered_data_is_the_hash_verify_recomputes():
    fields = {"seq": 7, "kind": "task_completed", "instance_id": "i", "definition_id": 3, "actor": "Алла",
              "role": None, "scope": "TC 1.3", "task_id": "t", "process_id": "p", "bpmn_id": "b", "mi_key": None,
              "prev_hash": "0" * 64, "instance_prev_hash": None}
    for data in ({}, {"form": {"b": [1, 2.5, None], "a": "«кавычки» \"q\"", "n": {"z": True}}}, {"x": "\u2028"}):
        at = START + dt.timedelta(microseconds=1)
        assert audit._hash_of_rendered(fields, at.isoformat(), audit.canonical(data)) == audit._hash(fields, at, data)


def test_deferred_events_are_chained_in_order_and_seen_by_the_same_transaction(engine, deployed, people):
    instance = engine.start("review", {}, people["admin"])
    with engine.db.write() as session:
        last = session.scalar(select(Instance.last_event_hash).where(Instance.id == instance))
        audit.defer(session, [audit.NewEvent("note_one", instance_id=instance)], START, last)
        seen = session.scalars(select(Event.kind).where(Event.instance_id == instance).order_by(Event.seq)).all()
        assert seen[-1] == "note_one"  # a query in the transaction sees the deferred event, already chained
        audit.defer(session, [audit.NewEvent("note_two", instance_id=instance)], START, last)  # stale hash given
        newest = audit.append(session, [audit.NewEvent("note_three", instance_id=instance)], START, last)
    with engine.db.read() as session:
        events = session.scalars(select(Event).where(Event.instance_id == instance).order_by(Event.seq)).all()
        stored = session.scalar(select(Instance.last_event_hash).where(Instance.id == instance))
    assert [e.kind for e in events[-3:]] == ["note_one", "note_two", "note_three"]
    assert [e.instance_prev_hash for e in events[-3:]] == [last, events[-3].hash, events[-2].hash]
    assert newest == events[-1].hash and stored == events[-2].hash  # append's caller records its own hash
    assert engine.verify().ok
