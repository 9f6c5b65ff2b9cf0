"""Migrating running instances to a newer version: safe ones move and still replay; unsafe ones are refused."""
from __future__ import annotations

import json
import shutil

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from engine import NotAllowed, NotFound
from engine.base.models import Event, Instance, OpenTask
from engine.definitions.checks import SourceFile
from engine.proof import dossier
from tests.conftest import FIXTURES
from tests.coomet import REPO, CourseDriver, deploy_with_people
from webapp.cli import main

GOOD = (FIXTURES / "processes" / "review.bpmn").read_text()
FORMS = {p.name: p.read_text() for p in (FIXTURES / "forms").glob("*.json")}
BUILD = "csb_reviews = {code: {} for code in csbs}"
PASSED_CHANGE = GOOD.replace(BUILD, BUILD + "\nbuilt = True")  # `build` runs before the reviews open
CONDITION = 'all(r["complies"] for r in reviews.values())'
PREPARE = {"title": "Mass", "csbs": ["TC 1.3", "TC 2"], "creator": "bob"}


def deploy(engine, text=GOOD, forms=FORMS, name="review.bpmn"):
    report = engine.deploy_files([SourceFile(name, text.encode())], dict(forms))
    assert report.ok and report.deployed, (report.problems, report.unchanged)
    return report


def form_changed(name):
    schema = json.loads(FORMS[name])
    schema["properties"][next(iter(schema["properties"]))]["maxLength"] = 10
    return {**FORMS, name: json.dumps(schema)}


def at_prepare(engine, people):
    return engine.start("review", {}, people["admin"])


def at_reviews(engine, people):
    instance = at_prepare(engine, people)
    (prepare,) = [t for t in engine.tasks(people["admin"]) if t.instance == instance]
    engine.complete(prepare.id, PREPARE, people["admin"])
    return instance


def stored(engine, instance_id):
    """Everything a migration may change about an instance."""
    with engine.db.read() as session:
        row = session.get(Instance, instance_id)
        tasks = session.execute(select(OpenTask.id, OpenTask.definition_id, OpenTask.name, OpenTask.claimed_by)
                                .where(OpenTask.instance_id == instance_id).order_by(OpenTask.id)).all()
        events = session.scalars(select(Event.kind).where(Event.instance_id == instance_id).order_by(Event.seq)).all()
        return row.definition_id, row.version, row.state_json, row.last_event_hash, tasks, events


def replayed(engine, instance_id):
    with engine.db.snapshot() as session:
        return engine._replay(session, instance_id)


def finish_reviews(engine, people, instance):
    for login, scope in (("chair13", "TC 1.3"), ("chair2", "TC 2")):
        (review,) = [t for t in engine.tasks(people[login]) if t.instance == instance and t.scope == scope]
        engine.complete(review.id, {"complies": True}, people[login])


def test_a_safe_migration_carries_the_instance_over_and_replay_reproduces_it(engine, people):
    deploy(engine)
    instance = at_reviews(engine, people)
    claimed = next(t for t in engine.tasks(people["chair2"]) if t.instance == instance)
    engine.claim(claimed.id, people["chair2"])
    deploy(engine, PASSED_CHANGE.replace('name="Review by the CSB"', 'name="Review by the CSB (v2)"'))

    (plan,) = engine.migration_plan("review", 2)
    assert (plan.instance_id, plan.from_version, plan.to_version, plan.safe, plan.reason) == (instance, 1, 2, True, "")
    assert plan.open_tasks == ["Review by the CSB (v2)"] * 2
    assert engine.migrate("review", 2, [instance], people["owner"])[0].migrated

    assert engine.instance(instance).definition_version == 2
    definition_id, _, _, _, tasks, kinds = stored(engine, instance)
    assert {(d, name) for _, d, name, _ in tasks} == {(definition_id, "Review by the CSB (v2)")}
    assert [c for task_id, _, _, c in tasks if task_id == claimed.id] == ["chair2"]  # claims stay
    assert kinds[-1] == "instance_migrated"
    with engine.db.read() as session:
        event = session.scalars(select(Event).where(Event.kind == "instance_migrated")).one()
    assert (event.actor, event.definition_id, event.process_id) == ("owner", definition_id, "review")
    assert json.loads(event.data_json) == {"from_definition": 1, "to_definition": definition_id,
                                           "from_version": 1, "to_version": 2}

    finish_reviews(engine, people, instance)
    assert engine.instance(instance).status == "completed"
    assert replayed(engine, instance).ok, str(replayed(engine, instance))
    assert engine.verify().ok


@pytest.mark.parametrize("text, forms, reason", [
    (GOOD, form_changed("review.json"),
     'the open task "Review by the CSB" (review_task) is changed in version 2: its form (review.json) differs'),
    (GOOD.replace(CONDITION, CONDITION.replace("all(", "any(")), FORMS,
     'the future element "All comply?" (decide) is changed in version 2: its conditions differ'),
    (GOOD, form_changed("fix.json"),
     'the future task "Refine the course" (fix) is changed in version 2: its form (fix.json) differs'),
    (GOOD.replace('"P3D"', '"P5D"'), FORMS,
     'the current element "Timeframe passed" (late) is changed in version 2: its event definition'),
    (GOOD.replace('>build<', '>assemble<').replace('"build"', '"assemble"'), FORMS,
     'the passed element "Build reviews" (build) is missing from version 2'),
])
def test_an_unsafe_migration_is_refused_with_the_reason_and_changes_nothing(engine, people, text, forms, reason):
    deploy(engine)
    instance = at_reviews(engine, people)
    before = stored(engine, instance)
    deploy(engine, text, forms)
    (plan,) = engine.migration_plan("review", 2)
    assert not plan.safe and plan.reason.startswith(reason), plan.reason
    assert plan.open_tasks == ["Review by the CSB"] * 2
    (result,) = engine.migrate("review", 2, [instance], people["owner"])
    assert (result.migrated, result.reason) == (False, plan.reason)
    assert stored(engine, instance) == before


def test_descriptive_changes_alone_are_safe(engine, people):
    deploy(engine)
    instance = at_reviews(engine, people)
    deploy(engine, GOOD.replace('name="All comply?"', 'name="Do all comply?"')
           .replace('name="Timeframe passed"', 'name="Time is up"')
           .replace('<bpmn:endEvent id="late_end">', '<bpmn:endEvent id="late_end"><bpmn:documentation>'
                                                     'Reminded (7.3)</bpmn:documentation>'))
    (plan,) = engine.migration_plan("review", 2, [instance])
    assert plan.safe, plan.reason


def test_a_plan_for_many_instances_says_what_would_happen_to_each(engine, deployed, people):
    waiting = at_prepare(engine, people)  # `build` is still ahead of it
    reviewing = at_reviews(engine, people)
    done = at_reviews(engine, people)
    finish_reviews(engine, people, done)
    other = engine.start("parent", {}, people["admin"])
    deploy(engine, PASSED_CHANGE)

    assert {c.instance_id for c in engine.migration_plan("review", 2)} == {waiting, reviewing}  # the running ones
    checks = engine.migration_plan("review", 2, [waiting, reviewing, done, other, "nope"])
    assert [(c.instance_id, c.safe) for c in checks] == [(waiting, False), (reviewing, True), (done, False),
                                                         (other, False), ("nope", False)]
    assert [c.reason for c in checks] == [
        'the future element "Build reviews" (build) is changed in version 2: its script differs', "",
        "it is completed; only running instances can move to another version",
        "it is an instance of parent, not of review", "there is no process instance nope"]

    results = engine.migrate("review", 2, [waiting, reviewing, done, other, "nope"], people["owner"])
    assert [(r.instance_id, r.migrated, r.reason) for r in results] == [
        (c.instance_id, c.safe, c.reason) for c in checks]
    assert [engine.instance(i).definition_version for i in (waiting, reviewing, done)] == [1, 2, 1]


def test_an_instance_changed_meanwhile_is_refused_alone_and_left_as_it_was(engine, people, monkeypatch):
    from engine.instances import migration

    deploy(engine)
    first, second = at_reviews(engine, people), at_reviews(engine, people)
    deploy(engine, PASSED_CHANGE)
    before = stored(engine, first)
    relabel = migration.open_tasks.relabel

    def someone_acts_meanwhile(connection, instance, *args):  # as if a completion committed after the load
        if instance.id == first:
            connection.execute(Instance.__table__.update().where(Instance.id == first)
                               .values(version=Instance.version + 1))
        relabel(connection, instance, *args)
    monkeypatch.setattr(migration.open_tasks, "relabel", someone_acts_meanwhile)

    results = engine.migrate("review", 2, [first, second], people["owner"])
    assert [(r.migrated, "changed this process at the same moment" in r.reason) for r in results] == [
        (False, True), (True, False)]
    assert stored(engine, first) == before
    assert engine.instance(second).definition_version == 2


def test_only_a_process_owner_may_migrate(engine, people):
    deploy(engine)
    instance = at_reviews(engine, people)
    deploy(engine, PASSED_CHANGE)
    before = stored(engine, instance)
    with pytest.raises(NotAllowed, match="process_owner"):
        engine.migrate("review", 2, [instance], people["admin"])
    assert stored(engine, instance) == before


def test_a_migrated_instance_migrates_again_and_replays(engine, people):
    deploy(engine)
    instance = at_reviews(engine, people)
    deploy(engine, PASSED_CHANGE)
    assert engine.migrate("review", 2, [instance], people["owner"])[0].migrated
    deploy(engine, PASSED_CHANGE.replace("built = True", "built = 'yes'"))
    (plan,) = engine.migration_plan("review", 3)
    assert (plan.from_version, plan.safe) == (2, True)
    assert engine.migrate("review", 3, [instance], people["owner"])[0].migrated
    finish_reviews(engine, people, instance)
    assert engine.instance(instance).definition_version == 3
    with engine.db.read() as session:
        moves = [json.loads(e.data_json) for e in session.scalars(
            select(Event).where(Event.kind == "instance_migrated").order_by(Event.seq))]
    assert [(m["from_version"], m["to_version"]) for m in moves] == [(1, 2), (2, 3)]
    assert replayed(engine, instance).ok, str(replayed(engine, instance))


def test_a_target_that_is_not_newer_is_refused(engine, people):
    deploy(engine)
    deploy(engine, PASSED_CHANGE)
    instance = at_reviews(engine, people)  # started on version 2
    (same,) = engine.migrate("review", 2, [instance], people["owner"])
    (older,) = engine.migrate("review", 1, [instance], people["owner"])
    assert not same.migrated and "it runs version 2, which is not older than version 2" in same.reason
    assert not older.migrated and "not older than version 1: instances move only to newer versions" in older.reason
    with pytest.raises(NotFound, match="Version 7 of process 'review' is not deployed"):
        engine.migration_plan("review", 7)
    with pytest.raises(NotFound, match="Version 2 of process 'nothing' is not deployed"):
        engine.migrate("nothing", 2, [instance], people["owner"])


def test_a_replay_notices_an_instance_moved_without_its_event(engine, people):
    deploy(engine)
    instance = at_reviews(engine, people)
    deploy(engine, PASSED_CHANGE)
    with engine.db.engine.begin() as connection:
        connection.execute(Instance.__table__.update().where(Instance.id == instance).values(definition_id=2))
    result = replayed(engine, instance)
    assert result.status == "diverged" and "stored on definition 2" in result.detail


def test_inside_a_called_process_the_open_task_and_the_way_back_count(engine, deployed, people):
    instance = engine.start("parent", {}, people["admin"])
    child = (FIXTURES / "processes" / "child.bpmn").read_text()
    parent = (FIXTURES / "processes" / "parent.bpmn").read_text()
    engine.deploy_files([SourceFile("parent.bpmn", parent.encode()),
                         SourceFile("child.bpmn", child.replace("fix.json", "go.json").encode())], dict(FORMS))
    (plan,) = engine.migration_plan("parent", 2)
    assert plan.reason == ('the open task "Write the course" (c_write) of child is changed in version 2: '
                           'its form differs')
    engine.deploy_files([SourceFile("parent.bpmn", parent.replace("fix.json", "go.json").encode()),
                         SourceFile("child.bpmn", child.encode())], dict(FORMS))
    (plan,) = engine.migration_plan("parent", 3)
    assert plan.reason == 'the future task "Wrap up" (p_wrap) is changed in version 3: its form differs'
    assert engine.instance(instance).definition_version == 1


# -- the command line ---------------------------------------------------------------------------------------

def test_the_migrate_command(engine, people, database_url, monkeypatch):
    deploy(engine)
    waiting, reviewing = at_prepare(engine, people), at_reviews(engine, people)
    deploy(engine, PASSED_CHANGE)
    monkeypatch.setenv("COURSEFLOW_DATABASE_URL", database_url)
    monkeypatch.setenv("COURSEFLOW_NOW", "2026-01-05T10:00:00Z")
    runner = CliRunner()

    def cli(*args):
        return runner.invoke(main, ["migrate", "review", *args])

    dry = cli("--to", "2", "--dry-run", "--as", "owner")
    assert dry.exit_code == 1, dry.output
    assert f"would refuse  {waiting}  v1 -> v2: the future element \"Build reviews\"" in dry.output
    assert f"would move    {reviewing}  v1 -> v2  open: Review by the CSB, Review by the CSB" in dry.output
    assert engine.instance(reviewing).definition_version == 1

    moved = cli("--to", "2", "--instance", reviewing, "--as", "owner", "--json")
    assert moved.exit_code == 0, moved.output + moved.stderr
    assert json.loads(moved.output) == [{"instance_id": reviewing, "migrated": True, "reason": "", "course_id": None,
                                         "course_name": None}]
    assert engine.instance(reviewing).definition_version == 2

    refused = cli("--to", "2", "--as", "owner")
    assert refused.exit_code == 1 and f"refused   {waiting}  v1 -> v2: the future element" in refused.output
    assert engine.instance(waiting).definition_version == 1

    for args, message in ((("--to", "2", "--as", "admin"), "needs the role process_owner"),
                          (("--to", "9", "--as", "owner"), "Version 9 of process 'review' is not deployed"),
                          (("--to", "2"), "--as LOGIN is required")):
        result = cli(*args)
        assert result.exit_code == 1 and message in result.stderr, result.output + result.stderr
        assert "Traceback" not in result.output + result.stderr


# -- the real COOMET processes --------------------------------------------------------------------------------

def coomet_version(engine, tmp_path, form, change):
    """Deploy the repository's processes again with one form changed (a new course_creation version)."""
    folder = tmp_path / f"v-{form}"
    shutil.copytree(REPO / "processes", folder / "processes")
    shutil.copytree(REPO / "forms", folder / "forms")
    schema = json.loads((REPO / "forms" / form).read_text(encoding="utf-8"))
    change(schema)
    (folder / "forms" / form).write_text(json.dumps(schema, ensure_ascii=False), encoding="utf-8")
    report = engine.deploy_directory(folder / "processes", folder / "forms")
    assert report.ok, report.problems
    return dict(report.deployed)["course_creation"]


def note(schema):
    schema["properties"]["migration_note"] = {"type": "string", "title": "Note"}


def test_a_course_in_the_middle_of_agreeing_moves_on_and_its_history_replays(engine, clock, tmp_path):
    """§7 under way (TC 1.3 agreed, TC 2 not yet): the survey (6.1) changed since, agreeing did not."""
    deploy_with_people(engine)
    c = CourseDriver(engine)
    c.prepare(csbs=("TC 1.3", "TC 2"))
    c.send_for_agreeing(csbs=("TC 1.3", "TC 2"))
    c.chair_agrees("chair-tc13", "TC 1.3")
    owner = c.actor("owner")

    # Finalizing (6.7-6.10) is still ahead of this course.
    unsafe = coomet_version(engine, tmp_path, "course_finalization.json", note)
    (plan,) = engine.migration_plan("course_creation", unsafe)
    assert plan.reason == ('the future task "Finalize and make the course available (6.7-6.10, 7.9)" (m_finalize) '
                           f'is changed in version {unsafe}: its form (course_finalization.json) '
                           f'differs')
    assert (plan.course_id, plan.course_name) == (c.course.id, "Uncertainty of measurement")

    # The agreeing request (7.2) is passed, and an update (13.4) agrees again in a cycle of its own (course_service).
    safe = coomet_version(engine, tmp_path, "agreeing_request.json", note)
    (plan,) = engine.migration_plan("course_creation", safe)
    assert plan.safe and plan.open_tasks == ["Review yourself or appoint a CSB member (7.3)"]
    assert engine.migrate("course_creation", safe, [c.instance], owner)[0].migrated
    c.chair_agrees("chair-tc2", "TC 2")
    assert "instance_migrated" in [s.kind for s in engine.steps(c.course.id)]

    c.finish_creation()
    c.approve()
    clock.advance(days=3 * 366)
    engine.tick()
    c.do("i_inspect", "secretariat", outcome="irrelevant", findings="Superseded.")
    c.do("i_decide", "tc4")
    c.do("i_exclude_bipm", "admin")
    c.do("i_exclude_portal", "secretariat")
    assert engine.instance(c.instance).status == "completed"
    assert engine.instance(c.first_instance).definition_version == safe

    assert all(o.ok for o in engine.replay_course(c.course.id)), [str(o) for o in engine.replay_course(c.course.id)]
    assert engine.verify().ok
    (moved,) = [e for e in engine.history(c.course.id) if e.kind == "instance_migrated"]
    assert (moved.actor, moved.version, moved.name) == ("owner", safe, f"v1 → v{safe}")
    findings = dossier.verify(engine.export_dossier(c.course.id))
    assert all(f.ok for f in findings), [str(f) for f in findings if not f.ok]
