"""Proof by re-execution: a course's history replays to its stored state, and tampering is located."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from sqlalchemy import select, text

from engine.base.clock import as_utc, parse_instant  # stored times come back naive (SQLite text)
from engine.base.models import Event
from engine.proof import audit
from tests.coomet import CourseDriver, deploy_with_people
from webapp.cli import main


@pytest.fixture
def course(engine, clock):
    deploy_with_people(engine)
    run = CourseDriver(engine)
    run.prepare(csbs=("TC 1.3", "TC 2"))
    run.send_for_agreeing(csbs=("TC 1.3", "TC 2"))
    run.chair_agrees("chair-tc13", "TC 1.3")
    run.chair_agrees("chair-tc2", "TC 2", complies=False, requires_refinement=True, what_to_refine="Fix it.")
    run.do("c_refine", "implementer")
    run.do("c_chair_re", "chair-tc2", scope="TC 2")
    run.finish_creation()
    run.approve()
    clock.advance(days=3 * 366)
    engine.tick()
    run.do("i_inspect", "secretariat")
    return run


def as_utc_value(value):
    return as_utc(value) if not isinstance(value, str) else parse_instant(value)


def outcome(engine, run, instance=None):
    """The replay of one instance of the course: by default its creation (§6-§8), which its first inspection
    cycle (13.1) follows; the tick three years on also started a quarterly analysis (11.2)."""
    wanted = instance or run.first_instance
    return next(o for o in engine.replay_course(run.course.id) if o.instance_id == wanted)


def event_seq(engine, run, kind, bpmn_id):
    with engine.db.read() as session:
        return session.scalars(select(Event.seq).where(Event.instance_id == run.first_instance, Event.kind == kind,
                                                       Event.bpmn_id == bpmn_id)).first()


def test_an_untouched_history_is_reproduced(engine, course):
    result = outcome(engine, course)
    assert result.ok, str(result)


def test_an_edited_state_diverges_at_the_end(engine, course):
    with engine.db.engine.begin() as connection:
        state = connection.execute(text("SELECT state_json FROM instances WHERE id = :i"), {"i": course.instance}).scalar()
        connection.execute(text("UPDATE instances SET state_json = :s WHERE id = :i"),
                           {"s": state.replace('"outcome":"up_to_date"', '"outcome":"irrelevant"'), "i": course.instance})
    result = outcome(engine, course, course.instance)
    assert result.status == "diverged" and result.event is None
    assert "the data differs in 'outcome' (replay 'up_to_date', stored 'irrelevant')" in result.detail


def test_edited_form_data_breaks_the_chain_at_that_event(engine, course):
    seq = event_seq(engine, course, "task_completed", "r_review")
    with engine.db.engine.begin() as connection:
        connection.execute(text("UPDATE events SET data_json = replace(data_json, 'Alla Admin', 'Somebody') "
                                "WHERE seq = :s"), {"s": seq})
    result = outcome(engine, course)
    assert (result.status, result.event) == ("chain broken", seq)


def test_a_consistent_forgery_is_caught_by_re_execution(engine, course):
    """Someone rewrites a verdict and recomputes every hash: the chain holds, the replay does not."""
    seq = event_seq(engine, course, "task_completed", "c_chair_re")
    with engine.db.engine.begin() as connection:
        rows = connection.execute(text("SELECT * FROM events WHERE seq >= :s ORDER BY seq"), {"s": seq}).mappings().all()
        previous = connection.execute(text("SELECT hash FROM events WHERE seq = :s"), {"s": seq - 1}).scalar()
        last_of = {instance: connection.execute(text(
            "SELECT hash FROM events WHERE instance_id = :i AND seq < :s ORDER BY seq DESC LIMIT 1"),
            {"i": instance, "s": seq}).scalar() for instance in {row["instance_id"] for row in rows}}
        for row in rows:
            data = json.loads(row["data_json"])
            if row["seq"] == seq:
                data["form"].update(complies=False, requires_refinement=True, what_to_refine="forged")
            fields = {k: row[k] for k in audit.HASHED_FIELDS if k not in ("prev_hash", "instance_prev_hash")}
            fields["prev_hash"] = previous
            fields["instance_prev_hash"] = last_of[row["instance_id"]] if row["instance_id"] else None
            new_hash = audit._hash(fields, as_utc_value(row["at"]), data)
            connection.execute(text("UPDATE events SET data_json = :d, prev_hash = :p, instance_prev_hash = :ip, "
                                    "hash = :h WHERE seq = :s"),
                               {"d": audit.canonical(data), "p": previous, "ip": fields["instance_prev_hash"],
                                "h": new_hash, "s": row["seq"]})
            previous = new_hash
            if row["instance_id"]:
                last_of[row["instance_id"]] = new_hash
        connection.execute(text("UPDATE chain_head SET hash = :h"), {"h": previous})
    assert engine.verify().ok  # the forgery fools the hash chain…
    result = outcome(engine, course)
    assert result.status == "diverged" and result.event is not None and result.event > seq  # …not the replay


def test_deleted_and_reordered_events_break_the_chain(engine, course):
    seq = event_seq(engine, course, "task_completed", "a_forward")
    with engine.db.engine.begin() as connection:
        connection.execute(text("DELETE FROM events WHERE seq = :s"), {"s": seq})
    result = outcome(engine, course)
    assert result.status == "chain broken" and result.event == seq + 1


def test_replay_from_the_command_line(engine, course, database_url, monkeypatch):
    monkeypatch.setenv("COURSEFLOW_DATABASE_URL", database_url)
    runner = CliRunner()
    ok = runner.invoke(main, ["replay", str(course.course.id)])
    assert ok.exit_code == 0 and "reproduced" in ok.output
    every = runner.invoke(main, ["replay", "--all", "--json"])
    assert every.exit_code == 0 and {o["outcome"] for o in json.loads(every.output)} == {"reproduced"}
    with engine.db.engine.begin() as connection:
        connection.execute(text("UPDATE instances SET state_json = replace(state_json, 'up_to_date', 'irrelevant')"))
    bad = runner.invoke(main, ["replay", "--all"])
    assert bad.exit_code == 1 and "diverged" in bad.output


def test_dossier_exports_and_verifies_offline_and_a_one_byte_change_is_caught(engine, course, database_url,
                                                                              monkeypatch, tmp_path):
    monkeypatch.setenv("COURSEFLOW_DATABASE_URL", database_url)
    runner = CliRunner()
    path, html = tmp_path / "dossier.json", tmp_path / "dossier.html"
    result = runner.invoke(main, ["export", str(course.course.id), "--output", str(path), "--html", str(html)])
    assert result.exit_code == 0, result.output
    assert "Form for approving a COOMET course" in html.read_text() and "reproduced" in html.read_text()
    monkeypatch.setenv("COURSEFLOW_DATABASE_URL", "postgresql://nobody@127.0.0.1:1/none")  # offline: no database
    verified = runner.invoke(main, ["verify-dossier", str(path)])
    assert verified.exit_code == 0 and "The dossier verifies" in verified.output, verified.output
    original = path.read_bytes()
    at = original.index(b"Anna Sidorova")
    path.write_bytes(original[:at] + b"B" + original[at + 1:])
    tampered = runner.invoke(main, ["verify-dossier", str(path)])
    assert tampered.exit_code == 1 and "FAIL the file is as exported" in tampered.output
    assert "FAIL instance course_creation" in tampered.output  # the chain, not only the digest, catches it


def test_dossier_detects_a_changed_definition(engine, course):
    from engine.proof import dossier

    document = engine.export_dossier(course.course.id)
    definition = next(iter(document["definitions"].values()))
    definition["bpmn_xml"] = definition["bpmn_xml"].replace("Survey", "Sruvey")
    findings = dossier.verify(document)
    assert any(not f.ok and "differs from what was deployed" in f.what for f in findings)


def test_inserted_and_reordered_events_are_located(engine, course):
    seq = event_seq(engine, course, "task_completed", "a_forward")
    with engine.db.engine.begin() as connection:  # swap two events of the instance
        connection.execute(text("UPDATE events SET seq = -1 WHERE seq = :s"), {"s": seq})
        connection.execute(text("UPDATE events SET seq = :s WHERE seq = :n"), {"s": seq, "n": seq + 1})
        connection.execute(text("UPDATE events SET seq = :n WHERE seq = -1"), {"n": seq + 1})
    result = outcome(engine, course)
    assert result.status == "chain broken" and result.event == seq


def test_an_inserted_event_is_located(engine, course):
    seq = event_seq(engine, course, "task_completed", "a_forward")
    with engine.db.engine.begin() as connection:
        row = connection.execute(text("SELECT * FROM events WHERE seq = :s"), {"s": seq}).mappings().one()
        connection.execute(text("UPDATE events SET seq = seq + 100000 WHERE seq >= :s"), {"s": seq})
        copy = {**row, "seq": seq, "actor": "mallory"}
        connection.execute(text(f"INSERT INTO events ({', '.join(copy)}) VALUES ({', '.join(':' + k for k in copy)})"),
                           copy)
    result = outcome(engine, course)
    assert result.status == "chain broken" and result.event == seq
