"""Each inspection cycle (13.1) is a bounded instance of its own, linked to the course: a course's thirtieth year
costs what its first did, and its history, replay and dossier span every instance."""
from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import select, text

from engine import SourceFile
from engine.base.clock import as_utc, parse_instant
from engine.base.models import Event
from engine.mail.outbox import outbox
from engine.proof import audit, dossier
from tests.coomet import REPO, CourseDriver, deploy_with_people


@pytest.fixture
def coomet(engine):
    deploy_with_people(engine)
    return engine


def three_years_after(moment: dt.datetime) -> dt.datetime:
    """The inspection due date (13.1), as the "P3Y" timer of course_inspection computes it."""
    return moment.replace(year=moment.year + 3)


def due(engine, course: CourseDriver) -> dt.datetime:
    return engine.instance(course.instance).next_timer_at


def chain(engine, course: CourseDriver) -> list[tuple[str, str | None, str | None]]:
    """(process, predecessor named at its start, successor named at its end) of each instance driving the course."""
    started, ended = {}, {}
    for entry in engine.history(course.course_id):
        if entry.kind == "instance_started" and entry.process_id in ("course_creation", "course_service"):
            started[entry.instance_id] = (entry.process_id, entry.data.get("follows"))
        elif entry.kind == "instance_completed":
            ended[entry.instance_id] = entry.data.get("continued_by")
    return [(process, follows, ended.get(instance)) for instance, (process, follows) in started.items()]


def inspection_task(course: CourseDriver):
    (task,) = course.open("secretariat")
    assert task.bpmn_id == "i_inspect"
    return task


def test_13_1_a_course_goes_through_three_cycles_continue_update_with_agreeing_cancel(coomet, clock):
    c = CourseDriver(coomet)
    c.publish_one_csb_course()
    published_at, creation = clock.now(), c.first_instance
    assert c.course.status == "published" and coomet.instance(creation).status == "completed"
    cycle1 = c.instance
    assert coomet.instance(cycle1).process_id == "course_service" and c.bpmn_ids() == []
    assert due(coomet, c) == three_years_after(published_at)  # 13.1: three years after publication

    # cycle 1: due after three years, up to date
    clock.advance(days=3 * 366)
    assert coomet.tick() == 1 and c.course.status == "under inspection"
    first = inspection_task(c)
    assert (first.instance, first.course_id) == (cycle1, c.course_id)
    c.do("i_inspect", "secretariat")
    inspected = clock.now()
    cycle2 = c.instance
    assert cycle2 != cycle1 and coomet.instance(cycle1).status == "completed"
    assert c.course.status == "published" and c.bpmn_ids() == []
    assert due(coomet, c) == three_years_after(inspected) == c.course.next_inspection_due

    # cycle 2: due again, update required, agreed again (13.4, §7) and approved again (§8)
    clock.advance(days=3 * 366)
    assert coomet.tick() == 1
    second = inspection_task(c)
    c.do("i_inspect", "secretariat", outcome="update_required", findings="Outdated references.")
    assert c.course.status == "updating"
    (amend,) = c.open("coordinator")
    assert amend.bpmn_id == "m_amend" and amend.instance == cycle2 and amend.course_id == c.course_id
    clock.advance(days=20)
    c.do("m_amend", "coordinator")
    assert c.course.status == "agreeing"
    c.send_for_agreeing()
    c.chair_agrees("chair-tc13", "TC 1.3")
    c.do("a_forward", "admin")
    assert c.course.status == "under review"
    clock.advance(days=10)
    c.approve()
    approved = clock.now()
    cycle3 = c.instance
    assert cycle3 not in (cycle1, cycle2) and c.course.status == "published"
    assert due(coomet, c) == three_years_after(approved)  # 13.4: three years after the update's approval

    # cycle 3: requested early (13.1), irrelevant, TC 4 cancels (13.5): no cycle follows
    clock.advance(days=100)
    coomet.send_message(c.course.instance, "inspection_requested", {"reason": "superseded"}, c.actor("tc4"))
    third = inspection_task(c)
    c.do("i_inspect", "secretariat", outcome="irrelevant", findings="Superseded by a newer course.")
    c.do("i_decide", "tc4")
    c.do("i_exclude_bipm", "admin")
    c.do("i_exclude_portal", "secretariat")
    assert c.course.status == "cancelled" and c.instance == cycle3 and c.bpmn_ids() == []
    assert coomet.instance(cycle3).status == "completed" and due(coomet, c) is None
    assert coomet.courses(("published",)) == [] and c.course.next_inspection_due is None

    assert chain(coomet, c) == [("course_creation", None, cycle1), ("course_service", creation, cycle2),
                                ("course_service", cycle1, cycle3), ("course_service", cycle2, None)]
    with coomet.db.read() as session:  # the outbox rows the worker addresses (one per new task, with its course)
        mailed = set(session.execute(select(outbox.c.task_id, outbox.c.course_id)))
    assert {(task.id, c.course_id) for task in (first, second, amend, third)} <= mailed


def test_13_1_the_state_of_the_thirtieth_cycle_is_no_bigger_than_the_first(coomet, clock):
    c = CourseDriver(coomet)
    c.publish_one_csb_course()
    sizes = []
    for _ in range(30):
        clock.advance(days=3 * 366)
        coomet.tick()
        inspection_task(c)
        sizes.append(coomet.instance(c.instance).state_bytes)
        c.do("i_inspect", "secretariat")
    # the first cycle's data lacks only the last inspection's sheet (13.2); from then on nothing accumulates
    assert sizes[-1] <= sizes[0] * 1.05 and max(sizes[1:]) <= min(sizes[1:]) * 1.005, sizes
    links = chain(coomet, c)  # creation, 30 cycles done and the 31st waiting: each its own instance
    assert len(links) == 32 and all(successor for _, _, successor in links[:-1]) and links[-1][2] is None


@pytest.fixture
def cycled(coomet, clock):
    """A published course through two cycles: up to date, then updated without agreeing; now in its third."""
    c = CourseDriver(coomet)
    c.publish_one_csb_course()
    clock.advance(days=3 * 366)
    coomet.tick()
    c.do("i_inspect", "secretariat")
    clock.advance(days=3 * 366)
    coomet.tick()
    c.do("i_inspect", "secretariat", outcome="update_required", findings="New examples.")
    c.do("m_amend", "coordinator")
    c.send_for_agreeing()
    c.chair_agrees("chair-tc13", "TC 1.3")
    c.do("a_forward", "admin")
    c.approve()
    return c


def test_13_replay_and_the_dossier_reproduce_every_instance_of_the_chain(coomet, cycled):
    outcomes = coomet.replay_course(cycled.course_id, cycled.actor("auditor"))
    processes = {coomet.instance(o.instance_id).process_id for o in outcomes}
    assert {"course_creation", "course_service"} <= processes and all(o.ok for o in outcomes), outcomes
    assert sum(coomet.instance(o.instance_id).process_id == "course_service" for o in outcomes) == 3
    document = coomet.export_dossier(cycled.course_id)
    assert [i["process_id"] for i in document["instances"]].count("course_service") == 3
    findings = dossier.verify(document)
    assert all(f.ok for f in findings), [str(f) for f in findings if not f.ok]


def test_13_tampering_with_an_earlier_cycle_is_found(coomet, cycled):
    first_cycle = next(i for p, _, i in chain(coomet, cycled) if p == "course_creation")
    with coomet.db.read() as session:
        seq = session.scalars(select(Event.seq).where(Event.instance_id == first_cycle,
                                                      Event.bpmn_id == "i_inspect",
                                                      Event.kind == "task_completed")).one()
    document = coomet.export_dossier(cycled.course_id)
    with coomet.db.engine.begin() as connection:
        connection.execute(text("UPDATE events SET data_json = replace(data_json, 'up_to_date', 'irrelevant') "
                                "WHERE seq = :s"), {"s": seq})
    (broken,) = [o for o in coomet.replay_course(cycled.course_id) if not o.ok]
    assert (broken.instance_id, broken.status, broken.event) == (first_cycle, "chain broken", seq)
    assert not coomet.verify().ok

    ended = next(i for i in document["instances"] if i["id"] == first_cycle)
    ended["state_json"] = ended["state_json"].replace("Olga Coordinator", "Someone Else")  # its end data, offline
    failed = [f.what for f in dossier.verify(document) if not f.ok]
    assert any(first_cycle in what and "diverged" in what for what in failed), failed


def test_13_1_continue_with_must_name_a_deployed_process_and_sit_on_an_end_event(coomet):
    xml = (REPO / "processes" / "course_service.bpmn").read_text(encoding="utf-8")
    report = coomet.deploy_files([SourceFile("course_service.bpmn", xml.replace(
        'value="course_service"', 'value="course_afterlife"', 1).encode())], {})
    assert not report.ok and 'continues with process "course_afterlife"' in str(report.problems)
    moved = xml.replace('<bpmn:startEvent id="m_service_start" name="Course in service (13.1)">',
                        '<bpmn:startEvent id="m_service_start" name="Course in service (13.1)"><bpmn:extensionElements>'
                        '<spiffworkflow:properties><spiffworkflow:property name="continueWith" '
                        'value="course_service" /></spiffworkflow:properties></bpmn:extensionElements>')
    report = coomet.deploy_files([SourceFile("course_service.bpmn", moved.encode())], {})
    assert not report.ok and "only an end event can" in str(report.problems)


def test_13_a_waiting_cycle_migrates_to_a_new_course_service_and_the_next_cycle_starts_on_it(coomet, clock):
    """A renamed end event (no change in behaviour) moves the cycle waiting for its inspection (13.1)."""
    c = CourseDriver(coomet)
    c.publish_one_csb_course()
    owner = c.actor("owner")
    xml = (REPO / "processes" / "course_service.bpmn").read_text(encoding="utf-8")
    renamed = xml.replace('name="Up to date: next cycle (13.1)"', 'name="Up to date: the next cycle (13.1)"')
    forms = {path.name: path.read_text(encoding="utf-8") for path in (REPO / "forms").glob("*.json")}
    report = coomet.deploy_files([SourceFile("course_service.bpmn", renamed.encode())], forms, actor="owner")
    (new_version,) = [version for process, version in report.deployed if process == "course_service"]
    (plan,) = coomet.migration_plan("course_service", new_version)
    assert plan.safe and plan.course_id == c.course_id and [w.due for w in plan.waiting] == [due(coomet, c)]
    assert coomet.migrate("course_service", new_version, [c.instance], owner)[0].migrated

    clock.advance(days=3 * 366)
    coomet.tick()
    c.do("i_inspect", "secretariat")
    assert coomet.instance(c.instance).definition_version == new_version  # the newest version continues
    assert all(o.ok for o in coomet.replay_course(c.course_id)), coomet.replay_course(c.course_id)


def rewrite_from(connection, seq: int, edit) -> None:
    """Rewrite the events from ``seq`` on with ``edit(row, data)`` applied, every hash recomputed: the forger's
    way past the hash chain (as in test_replay)."""
    rows = connection.execute(text("SELECT * FROM events WHERE seq >= :s ORDER BY seq"), {"s": seq}).mappings().all()
    previous = connection.execute(text("SELECT hash FROM events WHERE seq = :s"), {"s": seq - 1}).scalar()
    last_of = {row["instance_id"]: connection.execute(text(
        "SELECT hash FROM events WHERE instance_id = :i AND seq < :s ORDER BY seq DESC LIMIT 1"),
        {"i": row["instance_id"], "s": seq}).scalar() for row in rows if row["instance_id"]}
    for row in rows:
        data = json.loads(row["data_json"])
        edit(row, data)
        fields = {k: row[k] for k in audit.HASHED_FIELDS if k not in ("prev_hash", "instance_prev_hash")}
        fields["prev_hash"] = previous
        fields["instance_prev_hash"] = last_of[row["instance_id"]] if row["instance_id"] else None
        at = as_utc(row["at"]) if not isinstance(row["at"], str) else parse_instant(row["at"])
        new_hash = audit._hash(fields, at, data)
        connection.execute(text("UPDATE events SET data_json = :d, prev_hash = :p, instance_prev_hash = :ip, "
                                "hash = :h WHERE seq = :s"),
                           {"d": audit.canonical(data), "p": previous, "ip": fields["instance_prev_hash"],
                            "h": new_hash, "s": row["seq"]})
        previous = new_hash
        if row["instance_id"]:
            last_of[row["instance_id"]] = new_hash
    connection.execute(text("UPDATE chain_head SET hash = :h"), {"h": previous})


def test_13_1_a_cycle_forged_to_start_with_other_data_is_caught_by_the_link_to_the_one_before(coomet, cycled):
    """The forger changes what a cycle started with, and its state to match, and recomputes every hash: each
    instance alone replays, but the cycle no longer starts with what the one before ended with."""
    last = cycled.instance
    with coomet.db.read() as session:
        seq = session.scalars(select(Event.seq).where(Event.instance_id == last,
                                                      Event.kind == "instance_started")).one()

    def forge(row, data):
        if row["seq"] == seq:
            data["data"]["initiator"] = "Mallory"

    with coomet.db.engine.begin() as connection:
        rewrite_from(connection, seq, forge)
        state = connection.execute(text("SELECT state_json FROM instances WHERE id = :i"), {"i": last}).scalar()
        connection.execute(text("UPDATE instances SET state_json = :s WHERE id = :i"),
                           {"s": state.replace('"initiator":"BelGIM"', '"initiator":"Mallory"'), "i": last})
    assert coomet.verify().ok  # the hashes hold…
    (broken,) = [o for o in coomet.replay_course(cycled.course_id) if not o.ok]
    assert broken.instance_id == last and "did not start with the data instance" in broken.detail  # …the link not
    failed = [f.what for f in dossier.verify(coomet.export_dossier(cycled.course_id)) if not f.ok]
    assert failed == [f"instance {last}: {broken.detail}"]
