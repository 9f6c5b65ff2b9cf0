"""The tamper-evident event log.

Every change of state appends events. Each event's hash is the sha256 of its
canonical JSON, which includes the previous event's hash (one chain over the
whole log) and the previous hash of the same instance (so one instance's
events can be checked on their own, e.g. in an exported dossier). The chain
head row records the last event, so deleting events at the end shows too.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field, fields
from typing import Any, cast

from sqlalchemy import Table, bindparam, insert, select, update
from sqlalchemy import event as sqlalchemy_event
from sqlalchemy.orm import ORMExecuteState, Session

from engine.base.errors import CourseFlowError
from engine.base.models import ChainHead, Definition, Event, Instance
from engine.base.vocabulary import EventKind

GENESIS = "0" * 64


def canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass
class NewEvent:
    """An event to append; the log fills in seq, time and hashes."""

    kind: EventKind | str
    instance_id: str | None = None
    definition_id: int | None = None
    actor: str | None = None
    role: str | None = None
    scope: str | None = None
    task_id: str | None = None
    process_id: str | None = None
    bpmn_id: str | None = None
    mi_key: str | None = None
    data: dict[str, Any] = field(default_factory=dict)


# The event's fields, written once: what a caller says (NewEvent, but its data), what the log adds, what is hashed.
SAID_FIELDS = tuple(f.name for f in fields(NewEvent) if f.name != "data")
HASHED_FIELDS = ("seq", *SAID_FIELDS, "prev_hash", "instance_prev_hash")
STORED_FIELDS = (*HASHED_FIELDS, "data_json", "hash")  # and "at"


def event_hash(event: Event) -> str:
    """sha256 over the canonical JSON of a stored event."""
    return _hash({name: getattr(event, name) for name in HASHED_FIELDS}, event.at, json.loads(event.data_json))


def _hash(fields: dict[str, Any], at: dt.datetime, data: Any) -> str:
    return sha256(canonical({**fields, "at": at.isoformat(), "data": data}))


def _hash_of_rendered(fields: dict[str, Any], at: str, data_json: str) -> str:
    """``_hash`` with the data already rendered canonically: the same text, put together without rendering it again."""
    parts = sorted([(name, canonical(value)) for name, value in fields.items()] + [("at", canonical(at)),
                                                                                  ("data", data_json)])
    return sha256("{" + ",".join(f"{canonical(name)}:{text}" for name, text in parts) + "}")


def ensure_head(session: Session) -> None:
    """Create the chain head of an empty log; a head missing from a log with events stays missing (tampering)."""
    if session.get(ChainHead, 1) is None and session.scalar(select(Event.seq).limit(1)) is None:
        session.add(ChainHead(id=1, seq=0, hash=GENESIS))
        session.flush()


HEAD_MISSING = ("The audit log's chain head is missing, so nothing more can be recorded: the log may have been "
                "tampered with. Run 'courseflow verify' and restore the database from a backup.")


_HEAD = cast(Table, ChainHead.__table__)
_LOCK_HEAD = select(_HEAD.c.seq, _HEAD.c.hash).where(_HEAD.c.id == 1).with_for_update()
_MOVE_HEAD = update(_HEAD).where(_HEAD.c.id == 1).values(seq=bindparam("new_seq"), hash=bindparam("new_hash"))
_INSERT_EVENTS = insert(cast(Table, Event.__table__))


def lock_head(session: Session) -> None:
    """Take the chain head's row lock now, for the rest of the transaction.

    Deploys take it before reading anything, so two process owners deploying
    at once go one after the other (the second sees the first's versions)
    instead of colliding on a version number.
    """
    if session.connection().execute(_LOCK_HEAD).first() is None:
        raise CourseFlowError(HEAD_MISSING)


def append(session: Session, new_events: list[NewEvent], at: dt.datetime, instance_hash: str | None = None) -> str | None:
    """Append events in order at engine time ``at``; return the instance's newest event hash.

    ``instance_hash`` is the newest event hash of the instance the events
    belong to (one instance per call), so its own chain continues.
    Locks the chain head row until the transaction ends, so appends are
    serialized (on SQLite the write transaction already holds the database
    lock). Call it last in a transaction, after every other row it changes:
    lock order is open-task rows, then the instance row, then the chain head.
    Events deferred earlier in the transaction are chained first, so the log keeps the order they happened in.
    """
    if not new_events:
        return instance_hash
    chain_deferred(session)
    return _chain(session, [(_Queued(new_events, at, instance_hash))], update_instances=False)


@dataclass
class _Queued:
    events: list[NewEvent]
    at: dt.datetime
    instance_hash: str | None
    data_json: list[str] = field(default_factory=list)


_DEFERRED = "courseflow_chain_deferred"
_INSTANCE_HEADS = "courseflow_instance_heads"
_INSTANCES = cast(Table, Instance.__table__)
_SET_INSTANCE_HASH = (update(_INSTANCES).where(_INSTANCES.c.id == bindparam("instance_id"))
                      .values(last_event_hash=bindparam("last_hash")))


def defer(session: Session, new_events: list[NewEvent], at: dt.datetime, instance_hash: str | None) -> None:
    """Queue one instance's events to be chained when the transaction commits (issue 18).

    The chain head is the one row every writer shares: taking it only at commit, after everything else of the
    transaction is written, keeps two writers on different courses from waiting for each other's processing.
    Their canonical data is rendered now, outside the chain head's lock. At commit the events get their
    numbers and hashes, and the instance row its newest hash (``Instance.last_event_hash``).
    """
    if new_events:
        queued = _Queued(new_events, at, instance_hash, [canonical(new.data) for new in new_events])
        session.info.setdefault(_DEFERRED, []).append(queued)


def chain_deferred(session: Session) -> None:
    """Chain every deferred event of this transaction now (at commit, or before it reads or appends events)."""
    queued = session.info.pop(_DEFERRED, None)
    if queued:
        _chain(session, queued, update_instances=True)


def _chain(session: Session, batches: list[_Queued], update_instances: bool) -> str | None:
    """Number and hash the events after the chain head and write them; return the last batch's instance hash.

    Everything that does not depend on the head (the rows, their canonical data) is made before its lock.
    """
    prepared = [(batch, new, {"at": batch.at, **{name: getattr(new, name) for name in SAID_FIELDS}},
                 batch.data_json[index] if batch.data_json else canonical(new.data))
                for batch in batches for index, new in enumerate(batch.events)]
    heads: dict[str, str | None] = session.info.setdefault(_INSTANCE_HEADS, {})
    connection = session.connection()
    head = connection.execute(_LOCK_HEAD).first()
    if head is None:
        raise CourseFlowError(HEAD_MISSING)
    seq, previous = head
    rows, newest, current = [], None, None
    for batch, new, row, data_json in prepared:
        if batch is not current:
            current, instance_hash = batch, batch.instance_hash
        seq += 1
        if new.instance_id is not None:  # an instance chained earlier in this transaction goes on from there
            instance_hash = heads.get(new.instance_id, instance_hash)
        row.update(seq=seq, data_json=data_json, prev_hash=previous,
                   instance_prev_hash=instance_hash if new.instance_id is not None else None)
        row["hash"] = previous = _hash_of_rendered({name: row[name] for name in HASHED_FIELDS},
                                                   batch.at.isoformat(), data_json)
        if new.instance_id is not None:
            instance_hash = heads[new.instance_id] = previous
        rows.append(row)
        newest = instance_hash
    connection.execute(_INSERT_EVENTS, rows)
    connection.execute(_MOVE_HEAD, {"new_seq": seq, "new_hash": previous})
    if update_instances:
        touched = {row["instance_id"] for row in rows if row["instance_id"] is not None}
        connection.execute(_SET_INSTANCE_HASH, [{"instance_id": instance_id, "last_hash": heads[instance_id]}
                                                for instance_id in sorted(touched)])
    return newest


@sqlalchemy_event.listens_for(Session, "before_commit")
def _chain_at_commit(session: Session) -> None:
    if session.info.get(_DEFERRED):
        session.flush()  # every other row first: the chain head is the last lock a transaction takes
        chain_deferred(session)


@sqlalchemy_event.listens_for(Session, "do_orm_execute")
def _chain_before_reading(state: ORMExecuteState) -> None:
    """A query in a transaction with deferred events sees them: they are chained first."""
    if state.session.info.get(_DEFERRED):
        chain_deferred(state.session)


def definition_digest(definition: Definition) -> str:
    """sha256 over a definition row's stored content (recorded when deployed)."""
    return sha256(canonical([definition.process_id, definition.version, definition.sha256, definition.bpmn_xml,
                             definition.files_json, definition.spec_json, definition.forms_json,
                             definition.lanes_json]))


@dataclass(frozen=True)
class Verdict:
    ok: bool
    events: int
    bad_seq: int | None = None
    reason: str = ""
    checkpoints: int = 0

    def __str__(self) -> str:
        if self.ok:
            signed = f", {self.checkpoints} signed checkpoint(s) match" if self.checkpoints else ""
            return f"The event log is intact: {self.events} events, chain verified{signed}."
        return f"The event log was altered at event {self.bad_seq}: {self.reason}"


def verify(session: Session) -> Verdict:
    """Recompute the chain; name the first event that was edited, deleted, inserted or reordered.

    Reads the chain head and every event in one snapshot (the caller's
    transaction), so an event after the head is tampering, not a late append.
    Someone who may rewrite every row can recompute every hash: signed
    checkpoints (engine.proof.checkpoints) catch that.
    """
    head = session.get(ChainHead, 1)
    if head is None:
        return Verdict(False, 0, None, "the chain head is missing: events at the end may have been deleted")
    previous, expected, count = GENESIS, 1, 0
    last_of_instance: dict[str, str] = {}
    recorded_digests: dict[int, str] = {}
    rows = session.execute(select(Event).order_by(Event.seq).execution_options(yield_per=1000)).scalars()
    for event in rows:
        count += 1
        if event.seq > head.seq:
            return Verdict(False, count, event.seq, f"it comes after the chain head (event {head.seq}): it was "
                           f"added, or the head was moved back, outside CourseFlow")
        if event.seq != expected:
            return Verdict(False, count, expected, f"events {expected}–{event.seq - 1} are missing (deleted)")
        if event.prev_hash != previous:
            return Verdict(False, count, event.seq, "it does not link to the event before it "
                           "(an event was deleted, inserted or reordered here)")
        if event_hash(event) != event.hash:
            return Verdict(False, count, event.seq, f"its content no longer matches its hash ({event.kind} was edited)")
        if event.instance_id is not None:
            if event.instance_prev_hash != last_of_instance.get(event.instance_id):
                return Verdict(False, count, event.seq, f"the chain of instance {event.instance_id} is broken here")
            last_of_instance[event.instance_id] = event.hash
        if event.kind == EventKind.DEFINITION_DEPLOYED and event.definition_id is not None:
            recorded_digests[event.definition_id] = json.loads(event.data_json).get("digest")
        previous, expected = event.hash, expected + 1
    if head.seq != expected - 1 or head.hash != previous:
        return Verdict(False, count, expected, f"the log ends at event {expected - 1} but its head records event "
                       f"{head.seq}: events at the end were deleted")
    return _verify_definitions(session, recorded_digests, count)


def _verify_definitions(session: Session, recorded: dict[int, str], count: int) -> Verdict:
    for definition in session.execute(select(Definition).order_by(Definition.id)).scalars():
        if recorded.get(definition.id) != definition_digest(definition):
            return Verdict(False, count, None, f"definition {definition.process_id} v{definition.version} "
                           f"(id {definition.id}) differs from what was deployed")
    return Verdict(True, count)
