"""§11 satisfaction: the Appendix 3 results per course and period (11.1), the quarterly analysis (11.2) and the
questionnaire's access codes — on SQLite and PostgreSQL."""
from __future__ import annotations

import datetime as dt

import pytest

from engine import CourseFlowError, NotAllowed
from engine.satisfaction.quarters import Quarter, parse_period
from tests.coomet import CourseDriver, deploy_with_people

GRADES = ("relevance", "theoretical_utility", "material_quality", "material_presentation")


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC)


@pytest.fixture
def coomet(engine):
    deploy_with_people(engine)
    engine.add_user("other-coordinator", ["course_coordinator"], "pw")
    return engine


def published(engine, name="Uncertainty of measurement") -> CourseDriver:
    course = CourseDriver(engine, course_name=name)
    course.publish_one_csb_course()
    return course


def answer(engine, course_id, *grades, proposals=None, **more):
    values = dict(zip(GRADES, grades, strict=True))
    if proposals:
        values["proposals"] = proposals
    return engine.answer_questionnaire(course_id, {**values, **more})


def test_aggregates_match_hand_computed_figures_11_1(coomet, clock):
    course = published(coomet).course
    clock.set(at("2026-02-10T10:00"))
    answer(coomet, course.id, "excellent", "good", "good", "satisfactory", proposals="More exercises, please.",
           participated_from="2026-01-10", participated_to="2026-02-01")
    answer(coomet, course.id, "excellent", "excellent", "unsatisfactory", "satisfactory",
           proposals="Audio is too quiet.")
    answer(coomet, course.id, "good", "satisfactory", "good", "unsatisfactory")
    answer(coomet, course.id, "unsatisfactory", "good", "good", "satisfactory", proposals="  ")

    results = coomet.satisfaction(course.id).as_dict()
    assert results["answers"] == 4 and results["shown"] is True
    # relevance: 2×4 + 3 + 1 = 12 / 4 = 3.0; theoretical: 4 + 3 + 3 + 2 = 12 / 4 = 3.0
    assert results["criteria"]["relevance"] == {"excellent": 2, "good": 1, "satisfactory": 0,
                                                "unsatisfactory": 1, "mean": 3.0}
    assert results["criteria"]["theoretical_utility"] == {"excellent": 1, "good": 2, "satisfactory": 1,
                                                          "unsatisfactory": 0, "mean": 3.0}
    # material quality: 3 + 1 + 3 + 3 = 10 / 4 = 2.5; presentation: 2 + 2 + 1 + 2 = 7 / 4 = 1.75
    assert results["criteria"]["material_quality"]["mean"] == 2.5
    assert results["criteria"]["material_presentation"] == {"excellent": 0, "good": 0, "satisfactory": 3,
                                                            "unsatisfactory": 1, "mean": 1.75}
    assert results["comments"] == ["Audio is too quiet.", "More exercises, please."]  # sorted, blanks left out
    assert results["participation"] == [["2026-01-10", "2026-02-01"]]
    assert results["quarters"] == [{"quarter": "2026-Q1", "answers": 4, "means": {
        "relevance": 3.0, "theoretical_utility": 3.0, "material_quality": 2.5, "material_presentation": 1.75}}]


def test_quarter_boundaries_with_the_pinned_clock_11_2(coomet, clock):
    course = published(coomet).course
    for instant in ("2026-03-31T23:59:59", "2026-03-31T23:59:59", "2026-03-31T23:59:59",
                    "2026-04-01T00:00:00", "2026-06-30T23:59:59", "2026-07-01T00:00:00"):
        clock.set(at(instant))
        answer(coomet, course.id, "good", "good", "good", "good")
    assert [(q.quarter, q.answers) for q in coomet.satisfaction(course.id).quarters] == \
        [("2026-Q1", 3), ("2026-Q2", 2), ("2026-Q3", 1)]
    assert coomet.satisfaction(course.id, period="2026-Q2").answers == 2
    assert coomet.satisfaction(course.id, period="2026-01-01..2026-03-31").answers == 3
    assert coomet.satisfaction(course.id, period="2026-04-01..").answers == 3
    assert coomet.satisfaction(course.id, period="..2026-Q2").answers == 5
    with pytest.raises(CourseFlowError, match="YYYY-MM-DD"):
        coomet.satisfaction(course.id, period="last spring")


def test_quarters_roll_over_the_year():
    assert Quarter.of(at("2026-12-31T23:59:59")).label == "2026-Q4"
    assert Quarter.parse("2026-Q4").next() == Quarter(2027, 1) and Quarter(2027, 1).previous().label == "2026-Q4"
    assert parse_period("2026-Q4").until == at("2027-01-01T00:00:00")


def test_fewer_answers_than_the_minimum_are_only_counted_11_1(coomet, clock):
    course = published(coomet).course
    clock.set(at("2026-02-10T10:00"))
    answer(coomet, course.id, "excellent", "good", "good", "satisfactory", proposals="Names my employer.")
    answer(coomet, course.id, "good", "good", "good", "good")
    results = coomet.satisfaction(course.id)
    assert results.answers == 2 and not results.shown
    assert results.as_dict() == {"answers": 2, "period": "", "min_answers": 3, "shown": False,
                                 "quarters": [{"quarter": "2026-Q1", "answers": 2}]}
    clock.set(at("2026-04-10T10:00"))  # three in all, but Q1 alone still has two: its means stay hidden
    answer(coomet, course.id, "good", "good", "good", "good")
    results = coomet.satisfaction(course.id)
    assert results.shown and [q.shown for q in results.quarters] == [False, False]
    assert results.quarters[0].means == {}


def test_the_minimum_is_configurable(coomet, clock):
    course = published(coomet).course
    answer(coomet, course.id, "good", "good", "good", "good")
    coomet.satisfaction_min_answers = 1
    assert coomet.satisfaction(course.id).shown


def test_only_the_coordinator_administrators_tc4_and_auditors_see_results_11_2(coomet):
    course = published(coomet).course
    for login in ("coordinator", "admin", "tc4", "auditor"):
        assert coomet.satisfaction(course.id, coomet.actor(login)).answers == 0
    for login in ("other-coordinator", "creator", "secretariat", "implementer"):
        with pytest.raises(NotAllowed):
            coomet.satisfaction(course.id, coomet.actor(login))


def test_the_quarterly_task_appears_for_every_published_course_once_per_quarter_11_2(coomet, clock):
    first, second = published(coomet), published(coomet, "Length measurement")
    clock.set(at("2026-02-10T10:00"))
    for grades in (("excellent",) * 4, ("good",) * 4, ("unsatisfactory",) * 4):
        answer(coomet, first.course.id, *grades)
    coomet.tick()
    assert analyses(coomet) == []  # the course was published in this quarter: nothing ended yet

    clock.set(at("2026-04-01T00:00:05"))
    coomet.tick()
    coomet.tick()  # a second worker's tick starts nothing more
    assert sorted((t.bpmn_id, t.course_id, t.assignee) for t in analyses(coomet)) == sorted(
        [("q_coordinator", c.course.id, "coordinator") for c in (first, second)]
        + [("q_administrator", c.course.id, None) for c in (first, second)])
    task = next(t for t in analyses(coomet) if t.course_id == first.course.id and t.bpmn_id == "q_coordinator")
    values = coomet.task(task.id, coomet.actor("coordinator")).values
    assert values["quarter"] == "2026-Q1" and values["answers"] == 3
    assert values["trend"][-1] == {"quarter": "2026-Q1", "answers": 3, "relevance": 2.67,
                                   "theoretical_utility": 2.67, "material_quality": 2.67,
                                   "material_presentation": 2.67}
    assert [row["quarter"] for row in values["trend"]] == ["2025-Q2", "2025-Q3", "2025-Q4", "2026-Q1"]
    empty = next(t for t in analyses(coomet) if t.course_id == second.course.id and t.bpmn_id == "q_coordinator")
    assert coomet.task(empty.id).values["answers"] == 0  # a quarter without answers still gets its task

    clock.set(at("2026-05-15T00:00"))
    coomet.tick()
    assert len(analyses(coomet)) == 4  # still the same quarter: nothing new


def analyses(engine):
    return [t for t in engine.tasks() if t.process == "quarterly_analysis"]


def test_the_coordinator_records_the_analysis_and_it_becomes_a_sheet_11_2(coomet, clock):
    course = published(coomet)
    clock.set(at("2026-04-01T09:00"))
    assert coomet.start_quarterly_analyses() == 1
    task = next(t for t in analyses(coomet) if t.bpmn_id == "q_coordinator")
    with pytest.raises(NotAllowed):
        coomet.complete(task.id, {"findings": "x", "early_inspection_proposed": False},
                        coomet.actor("other-coordinator"))
    with pytest.raises(CourseFlowError, match="early_inspection_reason"):
        coomet.complete(task.id, {"findings": "No answers yet.", "early_inspection_proposed": True},
                        coomet.actor("coordinator"))
    coomet.complete(task.id, {"findings": "No answers this quarter; remind the participants.",
                              "actions": ["Raise at the next inspection"], "early_inspection_proposed": False},
                    coomet.actor("coordinator"))
    assert analyses(coomet) == []  # the administrator's copy is withdrawn
    (sheet,) = [s for s in coomet.sheets(course.course.id) if s.sheet == "quarterly_analysis.json"]
    assert sheet.actor == "coordinator" and sheet.data["quarter"] == "2026-Q1" and sheet.data["answers"] == 0
    assert all(outcome.ok for outcome in coomet.replay_course(course.course.id))


def test_the_administrator_may_take_the_analysis_over_11_2(coomet, clock):
    course = published(coomet)
    clock.set(at("2026-04-01T09:00"))
    coomet.start_quarterly_analyses()
    task = next(t for t in analyses(coomet) if t.bpmn_id == "q_administrator")
    coomet.complete(task.id, {"findings": "Module 3 is rated poorly.", "actions": ["Amend module 3"],
                              "early_inspection_proposed": True, "early_inspection_reason": "Outdated content."},
                    coomet.actor("admin"))
    assert analyses(coomet) == [] and coomet.sheets(course.course.id)[-1].actor == "admin"
    (recorded,) = coomet.quarterly_analyses(year=2026)
    assert (recorded.course_id, recorded.quarter, recorded.recorded_by) == (course.course.id, "2026-Q1", "admin")
    assert recorded.analysis["actions"] == ["Amend module 3"] and recorded.analysis["early_inspection_proposed"]
    assert coomet.quarterly_analyses(year=2025) == []


def test_a_cancelled_course_gets_no_quarterly_task_13_5(coomet, clock):
    kept, cancelled = published(coomet), published(coomet, "Length measurement")
    clock.advance(days=3 * 366)
    coomet.tick()
    cancelled.do("i_inspect", "secretariat", outcome="irrelevant", findings="Superseded.")
    cancelled.do("i_decide", "tc4")
    assert cancelled.course.status == "cancelled"
    kept.do("i_inspect", "secretariat")
    clock.set(Quarter.of(clock.now()).end + dt.timedelta(hours=1))
    before = {t.id for t in analyses(coomet)}
    coomet.tick()
    new = [t for t in analyses(coomet) if t.id not in before]
    assert {t.course_id for t in new} == {kept.course.id}


def test_codes_are_single_use_and_hold_no_identity_11_1(coomet, clock):
    course = published(coomet).course
    with pytest.raises(NotAllowed):
        coomet.issue_questionnaire_codes(course.id, 2, coomet.actor("other-coordinator"))
    coomet.set_questionnaire_access(course.id, "codes", coomet.actor("coordinator"))
    first, second = coomet.issue_questionnaire_codes(course.id, 2, coomet.actor("coordinator"))
    assert first != second and coomet.unused_questionnaire_codes(course.id) == 2
    with pytest.raises(NotAllowed, match="code"):
        answer(coomet, course.id, "good", "good", "good", "good")
    coomet.answer_questionnaire(course.id, dict.fromkeys(GRADES, "good"), code=first.lower())
    with pytest.raises(NotAllowed, match="used already"):
        coomet.answer_questionnaire(course.id, dict.fromkeys(GRADES, "good"), code=first)
    coomet.answer_questionnaire(course.id, dict.fromkeys(GRADES, "good"), code=second)
    assert coomet.unused_questionnaire_codes(course.id) == 0 and coomet.satisfaction(course.id).answers == 2
    recorded = coomet.history(course.id, process="satisfaction")
    assert {e.actor for e in recorded} <= {"anonymous", None}
    assert not any(first in str(e.data) or second in str(e.data) for e in recorded)
    coomet.set_questionnaire_access(course.id, "open", coomet.actor("admin"))
    answer(coomet, course.id, "good", "good", "good", "good")


def test_a_flood_of_answers_is_refused_without_knowing_who_sends_them(coomet, clock):
    course = published(coomet).course
    from engine.satisfaction import codes
    for _ in range(codes.FLOOD_LIMIT):
        answer(coomet, course.id, "good", "good", "good", "good")
    with pytest.raises(NotAllowed, match="try again later"):
        answer(coomet, course.id, "good", "good", "good", "good")
    clock.advance(hours=1, seconds=1)
    answer(coomet, course.id, "good", "good", "good", "good")


def test_the_cli_prints_the_results_as_json_11_1(database_url, monkeypatch):
    import json

    from click.testing import CliRunner

    from engine import Engine
    from webapp.cli import main

    monkeypatch.setenv("COURSEFLOW_DATABASE_URL", database_url)
    monkeypatch.setenv("COURSEFLOW_NOW", "2026-02-10T09:00:00Z")
    engine = Engine(database_url)
    engine.init()
    deploy_with_people(engine)
    course = published(engine).course
    for grades in (("excellent", "good", "good", "good"), ("good", "good", "satisfactory", "good"),
                   ("good", "unsatisfactory", "good", "good")):
        answer(engine, course.id, *grades, proposals="Fine." if grades[0] == "excellent" else None)
    engine.close()
    runner = CliRunner()
    printed = runner.invoke(main, ["satisfaction", str(course.id), "--period", "2026-Q1..2026-Q1", "--json"])
    assert printed.exit_code == 0, printed.output
    result = json.loads(printed.output)
    assert result["answers"] == 3 and result["comments"] == ["Fine."]
    assert result["criteria"]["relevance"] == {"excellent": 1, "good": 2, "satisfactory": 0, "unsatisfactory": 0,
                                               "mean": 3.33}  # (4 + 3 + 3) / 3
    assert result["criteria"]["theoretical_utility"]["mean"] == 2.33  # (3 + 3 + 1) / 3
    refused = runner.invoke(main, ["satisfaction", str(course.id), "--as", "creator", "--json"])
    assert refused.exit_code == 1 and "coordinator" in refused.stderr
    made = runner.invoke(main, ["questionnaire-codes", str(course.id), "--count", "3", "--as", "coordinator"])
    assert made.exit_code == 0 and len(made.output.split()) == 3


def test_workers_ticking_at_once_start_each_analysis_once_11_2(coomet, clock, database_url):
    from tests.parallel import at_once

    courses = [published(coomet, f"Course {n}") for n in range(3)]
    clock.set(at("2026-04-01T00:00:01"))
    started = at_once(database_url, clock, [lambda engine: engine.start_quarterly_analyses()] * 4)
    assert sum(started) == 3, started
    assert sorted(t.course_id for t in analyses(coomet) if t.bpmn_id == "q_coordinator") == \
        sorted(c.course.id for c in courses)
