"""Direct edits of the database that the audit log must catch (issue 11): every row, the head, signed checkpoints.

Each test plays an intruder with write access to the database; the last ones
recompute every hash, which only a signed checkpoint (key kept outside the
database) can expose.
"""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from sqlalchemy import select, text, update

from engine import CourseFlowError, checkpoint_public_key, new_checkpoint_key, verify_dossier
from engine.base.models import ChainHead, Event, Instance
from engine.proof import audit
from tests.coomet import CourseDriver, deploy_with_people
from webapp.cli import main


@pytest.fixture
def history(engine):
    deploy_with_people(engine)
    course = CourseDriver(engine)
    course.do("m_survey", "tc4")
    return course


@pytest.fixture
def key(tmp_path, monkeypatch):
    path = tmp_path / "checkpoint.pem"
    new_checkpoint_key(path)
    monkeypatch.setenv("COURSEFLOW_CHECKPOINT_KEY", str(path))
    return path


def head_seq(engine) -> int:
    with engine.db.read() as session:
        return session.get(ChainHead, 1).seq


def recompute_every_hash(engine) -> None:
    """What an intruder does after an edit: rebuild the whole chain so that it links and hashes again."""
    with engine.db.write() as session:
        previous, per_instance = audit.GENESIS, {}
        for event in session.scalars(select(Event).order_by(Event.seq)):
            event.prev_hash = previous
            event.instance_prev_hash = per_instance.get(event.instance_id) if event.instance_id else None
            event.hash = previous = audit.event_hash(event)
            if event.instance_id:
                per_instance[event.instance_id] = event.hash
        session.flush()
        session.execute(update(ChainHead).where(ChainHead.id == 1).values(hash=previous))
        for instance_id, last in per_instance.items():
            session.execute(update(Instance).where(Instance.id == instance_id).values(last_event_hash=last))


def rewrite_signer(engine, new_actor: str = "intruder") -> None:
    with engine.db.engine.begin() as connection:
        connection.execute(text("UPDATE events SET actor = :a WHERE kind = 'task_completed'"), {"a": new_actor})


def test_a_row_after_the_chain_head_is_caught(engine, history):
    with engine.db.engine.begin() as connection:
        connection.execute(text("UPDATE chain_head SET seq = seq - 1, hash = "
                                "(SELECT prev_hash FROM events WHERE seq = (SELECT MAX(seq) FROM events))"))
    verdict = engine.verify()
    assert not verdict.ok and "after the chain head" in verdict.reason


def test_a_lowered_head_with_later_edits_is_caught(engine, history):
    last = head_seq(engine)
    with engine.db.engine.begin() as connection:
        connection.execute(text("UPDATE chain_head SET seq = :s, hash = (SELECT hash FROM events WHERE seq = :s)"),
                           {"s": last - 2})
        connection.execute(text("UPDATE events SET actor = 'intruder' WHERE seq = :s"), {"s": last})
    assert not engine.verify().ok


def test_a_missing_head_stays_an_error_and_later_writes_refuse_clearly(engine, history):
    with engine.db.engine.begin() as connection:
        connection.execute(text("DELETE FROM chain_head"))
    engine.init()  # the next command must not paper over it
    verdict = engine.verify()
    assert not verdict.ok and "chain head is missing" in verdict.reason
    with pytest.raises(CourseFlowError, match="chain head is missing"):
        engine.add_user("late", ["student"], "pw")


REWRITES = {
    "who signed": "UPDATE events SET actor = 'intruder' WHERE kind = 'task_completed'",
    "their role": "UPDATE events SET role = 'auditor' WHERE kind = 'task_completed'",
    "the time": "UPDATE events SET at = '2020-01-01 00:00:00' WHERE kind = 'task_completed'",
    "a form payload": "UPDATE events SET data_json = replace(data_json, 'true', 'false') WHERE kind = 'task_completed'",
    "a grant event": "UPDATE events SET data_json = replace(data_json, '\"tc4\"', '\"intruder\"') "
                     "WHERE kind = 'user_added'",
}


@pytest.mark.parametrize("rewrite", REWRITES.values(), ids=REWRITES.keys())
def test_a_full_recompute_passes_the_chain_but_not_a_signed_checkpoint(engine, history, key, rewrite):
    made = engine.checkpoint("auditor")
    assert made.seq == head_seq(engine) and engine.verify().ok and engine.verify().checkpoints == 1
    with engine.db.engine.begin() as connection:
        assert connection.execute(text(rewrite)).rowcount > 0
    recompute_every_hash(engine)
    verdict = engine.verify()
    assert not verdict.ok and "rewritten" in verdict.reason


def test_events_after_the_last_checkpoint_still_verify(engine, history, key):
    engine.checkpoint()
    engine.add_user("later", ["student"], "pw")
    assert engine.verify().ok


def test_a_forged_or_removed_checkpoint_is_caught(engine, history, key):
    engine.checkpoint()
    engine.add_user("later", ["student"], "pw")
    engine.checkpoint()
    engine.add_user("later2", ["student"], "pw")
    engine.checkpoint()
    with engine.db.engine.begin() as connection:
        connection.execute(text("DELETE FROM checkpoints WHERE id = 2"))
    assert "removed" in engine.verify().reason
    with engine.db.engine.begin() as connection:
        connection.execute(text("UPDATE checkpoints SET body_json = replace(body_json, '\"seq\":', '\"seq\": ')"))
    assert "not validly signed" in engine.verify().reason


def test_the_dossier_is_checked_against_the_signed_checkpoints(engine, history, key):
    engine.checkpoint()
    public = checkpoint_public_key(key)
    honest = engine.export_dossier(history.course.id)
    assert all(f.ok for f in verify_dossier(honest, key=public))
    rewrite_signer(engine)
    recompute_every_hash(engine)
    forged = engine.export_dossier(history.course.id)
    findings = verify_dossier(forged, key=public)
    assert all(f.ok for f in verify_dossier(forged))  # without the key the rewrite is invisible
    assert any(not f.ok and "do NOT match checkpoint" in f.what for f in findings)


def test_checkpoints_from_the_command_line(database_url, tmp_path, monkeypatch):
    monkeypatch.setenv("COURSEFLOW_DATABASE_URL", database_url)
    monkeypatch.setenv("COURSEFLOW_NOW", "2026-01-05T09:00:00Z")
    runner = CliRunner()
    key_file = tmp_path / "cp.pem"
    assert "key id" in runner.invoke(main, ["checkpoint", "--new-key", str(key_file)]).output
    again = runner.invoke(main, ["checkpoint", "--new-key", str(key_file)])
    assert again.exit_code == 1 and "never overwritten" in again.stderr
    monkeypatch.setenv("COURSEFLOW_CHECKPOINT_KEY", str(key_file))
    runner.invoke(main, ["init"])
    made = runner.invoke(main, ["checkpoint"])
    assert made.exit_code == 0 and "signed by key" in made.output
    verified = runner.invoke(main, ["verify", "--json"])
    assert verified.exit_code == 0 and json.loads(verified.output)["ok"]


def test_a_completion_by_someone_without_the_role_then_is_caught_even_recomputed(engine, history):
    """The rewritten signer exists but never held tc4 (6.1): the grant events say so."""
    with engine.db.engine.begin() as connection:
        connection.execute(text("UPDATE events SET actor = 'creator' WHERE kind = 'task_completed'"))
    recompute_every_hash(engine)
    verdict = engine.verify()
    assert not verdict.ok and "without holding it then" in verdict.reason


DERIVED = {
    "a grant added behind the log": ("INSERT INTO role_grants (user_id, role, scope) "
                                     "SELECT id, 'auditor', NULL FROM users WHERE login = 'creator'", "roles"),
    "a claim set behind the log": ("UPDATE open_tasks SET claimed_by = 'admin'", "claimed by"),
    "a user reactivated behind the log": ("UPDATE users SET active = false WHERE login = 'creator'", "deactivated"),
}


@pytest.mark.parametrize("statement, word", DERIVED.values(), ids=DERIVED.keys())
def test_tables_derived_from_events_are_checked_against_them(engine, history, statement, word):
    assert engine.verify().ok
    with engine.db.engine.begin() as connection:
        assert connection.execute(text(statement)).rowcount > 0
    verdict = engine.verify()
    assert not verdict.ok and word in verdict.reason
