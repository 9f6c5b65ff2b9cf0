"""Scenario tests: the real processes/ of the COOMET procedure, clause by clause."""
from __future__ import annotations

import datetime as dt

import pytest

from engine import InvalidData, NotAllowed, TaskNotOpen
from engine.instances import runtime
from engine.instances.tree import find_task
from engine.registry.roles import Actor
from tests.coomet import CourseDriver, deploy_with_people


@pytest.fixture
def coomet(engine):
    deploy_with_people(engine)
    return engine


def run(coomet, clock, **start):
    return CourseDriver(coomet, **start)


def task_data(engine, task_id: str) -> dict:
    """The process data an open task sees (what a form's read-only fields are taken from)."""
    (task,) = [t for t in engine.tasks() if t.id == task_id]
    with engine.db.read() as session:
        return find_task(runtime.load(session, engine.definitions, task.instance).workflow, task_id).data


def test_course_of_one_csb_from_proposal_to_catalogue(coomet, clock):
    """§6 → §7 (one CSB) → §8: the course record follows every stage (6.2, 8.2)."""
    c = run(coomet, clock)
    assert c.course.status == "planned" and c.course.name == "Uncertainty of measurement"
    assert c.bpmn_ids() == ["m_survey"]
    c.do("m_survey", "tc4")
    c.do("m_appoint", "admin")
    assert c.course.status == "in preparation" and c.course.creator == "creator"
    c.do("m_describe", "implementer")
    c.do("m_prepare", "creator")
    assert c.course.status == "agreeing" and c.bpmn_ids() == ["a_send"]
    c.send_for_agreeing()
    (assign,) = c.open("chair-tc13")
    assert (assign.bpmn_id, assign.scope) == ("c_assign", "TC 1.3") and c.open("chair-tc2") == []
    c.chair_agrees("chair-tc13", "TC 1.3")
    assert c.bpmn_ids() == ["a_forward"]
    c.do("a_forward", "admin")
    assert c.course.status == "in preparation" and c.bpmn_ids() == ["m_finalize"]
    c.do("m_finalize", "creator")
    assert c.course.status == "under review"
    c.do("r_review", "admin")
    assert c.course.status == "published" and c.course.course_url.startswith("https://e-learning.bipm.org")
    assert c.bpmn_ids() == ["r_keep", "r_note"]
    c.do("r_keep", "secretariat")
    c.do("r_note", "tc4")
    assert [x.name for x in coomet.courses(("published",))] == ["Uncertainty of measurement"]
    assert c.bpmn_ids() == []  # waiting for the 3-year inspection
    assert coomet.instance(c.instance).next_timer_at.year == 2029


def test_three_csbs_one_refinement_round(coomet, clock):
    """7.1, 7.6: parallel agreeing keyed by CSB code; 7.3: refinement and re-agreeing in one of them."""
    csbs = ("TC 1.3", "TC 2", "TC 5")
    c = run(coomet, clock)
    c.prepare(csbs=csbs)
    c.send_for_agreeing(csbs=csbs)
    assert sorted(t.scope for t in c.open() if t.bpmn_id == "c_assign") == list(csbs)
    c.chair_agrees("chair-tc13", "TC 1.3")
    c.chair_agrees("chair-tc5", "TC 5")
    c.chair_agrees("chair-tc2", "TC 2", complies=False, requires_refinement=True, what_to_refine="Rework example 3.")
    (refine,) = c.open("implementer")
    assert refine.bpmn_id == "c_refine" and refine.assignee == "implementer"
    detail = coomet.task(refine.id)
    assert detail.values["comments_to_address"] == "Rework example 3."
    c.do("c_refine", "implementer")
    (again,) = c.open("chair-tc2")
    assert again.bpmn_id == "c_chair_re"
    assert coomet.task(again.id).values["earlier_recommendations"] == "Rework example 3."
    c.do("c_chair_re", "chair-tc2", scope="TC 2")
    assert c.bpmn_ids() == ["a_forward"]
    c.finish_creation()
    c.approve()
    assert c.course.status == "published" and c.course.csbs == list(csbs)


def test_procedural_course_goes_to_the_secretariat(coomet, clock):
    """7.7: procedural content is agreed with the COOMET Secretariat (here with one refinement)."""
    c = run(coomet, clock)
    c.prepare(csbs=(), procedural=True)
    c.send_for_agreeing(csbs=(), procedural=True)
    assert c.bpmn_ids() == ["a_sec"]
    c.do("a_sec", "secretariat", complies=False, requires_refinement=True, what_to_refine="Cite R/TR/27.")
    c.do("a_sec_refine", "implementer")
    c.do("a_sec_re", "secretariat")
    assert c.bpmn_ids() == ["a_forward"]
    c.finish_creation()
    c.approve()
    assert c.course.status == "published"


def test_course_needing_no_agreeing_skips_section_7(coomet, clock):
    """6.4: agreeing only 'whenever necessary'."""
    c = run(coomet, clock)
    c.prepare(csbs=(), procedural=False)
    assert c.bpmn_ids() == ["m_finalize"] and c.course.status == "in preparation"
    c.do("m_finalize", "creator")
    c.approve()
    assert c.course.status == "published"


def test_chair_appoints_a_member(coomet, clock):
    """7.3: the chair appoints a CSB member, who agrees (and re-agrees) in the chair's place."""
    c = run(coomet, clock)
    c.prepare()
    c.send_for_agreeing()
    (assign,) = c.open("chair-tc13")
    schema = coomet.task(assign.id).schema
    assert [o["const"] for o in schema["properties"]["member"]["oneOf"]] == ["member-tc13"]
    c.do("c_assign", "chair-tc13", reviewer="member", member="member-tc13")
    (review,) = c.open("member-tc13")
    assert (review.bpmn_id, review.assignee) == ("c_member_review", "member-tc13")
    assert c.open("chair-tc13") == []
    with pytest.raises(NotAllowed, match="assigned to member-tc13"):
        coomet.complete(review.id, c.sheets["appendix1_initial.json"], c.actor("chair-tc13"))
    c.do("c_member_review", "member-tc13", complies=False, requires_refinement=True, what_to_refine="Fix units.")
    c.do("c_countersign", "chair-tc13", scope="TC 1.3")
    c.do("c_refine", "implementer")
    c.do("c_member_re", "member-tc13")
    c.do("c_countersign_re", "chair-tc13", scope="TC 1.3")
    assert c.bpmn_ids() == ["a_forward"]


def test_7_4_7_5_the_chair_countersigns_or_returns_the_sheet_of_the_appointed_member(coomet, clock):
    """7.4, 7.5: the chair sends the final sheet and answers for it: a member's sheet goes on only once the chair
    has countersigned it; a returned sheet goes back to the member, in either round, until it is countersigned."""
    c = run(coomet, clock)
    c.prepare()
    c.send_for_agreeing()
    c.do("c_assign", "chair-tc13", scope="TC 1.3", reviewer="member", member="member-tc13")
    c.do("c_member_review", "member-tc13", signed_by="Member of TC 1.3")
    (countersign,) = c.open("chair-tc13")
    assert (countersign.bpmn_id, countersign.role, countersign.scope) == ("c_countersign", "csb_chair", "TC 1.3")
    assert c.open("member-tc13") == [] and c.open("chair-tc2") == [] and c.open("implementer") == []
    shown = coomet.task(countersign.id).values
    assert (shown["member_signed_by"], shown["member_agreed_on"], shown["member_complies"]) == \
        ("Member of TC 1.3", "2026-02-01", True)
    with pytest.raises(InvalidData):  # returning needs the comments the member is to address
        coomet.complete(countersign.id, {**c.sheets["appendix1_countersign.json"], "countersign_decision": "return"},
                        c.actor("chair-tc13"))
    c.do("c_countersign", "chair-tc13", countersign_decision="return", chair_comments="Sign with your full name.")
    (again,) = c.open("member-tc13")
    assert again.bpmn_id == "c_member_review" and c.open("chair-tc13") == []
    c.do("c_member_review", "member-tc13", complies=False, requires_refinement=True, what_to_refine="Fix units.")
    c.do("c_countersign", "chair-tc13")
    assert c.bpmn_ids() == ["c_refine"]  # the countersigned sheet goes on exactly as a chair's own (7.3)
    c.do("c_refine", "implementer")
    c.do("c_member_re", "member-tc13")
    c.do("c_countersign_re", "chair-tc13", countersign_decision="return", chair_comments="Say what was checked.")
    assert c.bpmn_ids() == ["c_member_re"]
    c.do("c_member_re", "member-tc13")
    c.do("c_countersign_re", "chair-tc13", countersigned_by="Chair of TC 1.3")
    assert c.bpmn_ids() == ["a_forward"]
    (agreement,) = task_data(coomet, c.open()[0].id)["agreements"].values()
    assert (agreement["signed_by"], agreement["countersigned_by"]) == ("Anna Sidorova", "Chair of TC 1.3")
    verdicts = [(s.bpmn_id, s.countersign.data["countersign_decision"] if s.countersign else None)
                for s in coomet.sheets(c.course.id) if s.bpmn_id in ("c_member_review", "c_member_re")]
    assert verdicts == [("c_member_review", "return"), ("c_member_review", "countersign"),
                        ("c_member_re", "return"), ("c_member_re", "countersign")]


def test_7_3_7_5_every_review_and_countersignature_is_due_and_alerts_when_late(coomet, clock):
    """7.3: the member's review and the re-agreeing review are due when the sheet's timeframe passes, the chair's
    countersignature 7 days after the member's sheet (7.5); each raises the administrator's alert when late."""
    c = run(coomet, clock)
    c.prepare()
    c.do("a_send", "implementer", review_days=10)
    c.do("c_assign", "chair-tc13", scope="TC 1.3", reviewer="member", member="member-tc13")
    (review,) = c.open("member-tc13")
    assert review.due == clock.now() + dt.timedelta(days=10)
    c.do("c_member_review", "member-tc13", complies=False, requires_refinement=True, what_to_refine="Fix units.")
    (countersign,) = c.open("chair-tc13")
    assert countersign.due == clock.now() + dt.timedelta(days=7)
    clock.advance(days=7, seconds=1)
    assert coomet.tick() == 1 and c.bpmn_ids() == ["c_alert", "c_countersign"]
    c.do("c_alert", "admin")
    c.do("c_countersign", "chair-tc13")
    c.do("c_refine", "implementer")
    (re_review,) = c.open("member-tc13")
    assert re_review.bpmn_id == "c_member_re" and re_review.due == clock.now() + dt.timedelta(days=10)
    clock.advance(days=10, seconds=1)
    assert coomet.tick() == 1 and c.bpmn_ids() == ["c_alert", "c_member_re"]
    c.do("c_alert", "admin")
    c.do("c_member_re", "member-tc13")
    (countersign_re,) = c.open("chair-tc13")
    assert countersign_re.due == clock.now() + dt.timedelta(days=7)
    clock.advance(days=8)
    assert coomet.tick() == 1 and c.bpmn_ids() == ["c_alert", "c_countersign_re"]


def test_7_3_the_chairs_re_agreeing_is_due_when_the_timeframe_passes_again(coomet, clock):
    c = run(coomet, clock)
    c.prepare()
    c.do("a_send", "implementer", review_days=5)
    c.chair_agrees("chair-tc13", "TC 1.3", complies=False, requires_refinement=True, what_to_refine="Fix units.")
    clock.advance(days=3)
    c.do("c_refine", "implementer")
    (again,) = c.open("chair-tc13")
    assert again.bpmn_id == "c_chair_re" and again.due == clock.now() + dt.timedelta(days=5)
    clock.advance(days=6)
    assert coomet.tick() == 1 and c.bpmn_ids() == ["c_alert", "c_chair_re"]
    c.do("c_alert", "admin")
    c.do("c_chair_re", "chair-tc13", scope="TC 1.3")
    assert c.bpmn_ids() == ["a_forward"]


def test_review_timeframe_passing_reminds_and_alerts_but_keeps_the_review(coomet, clock):
    """7.3: the timeframe set in the sheet passes: the administrator is alerted, the review stays open."""
    c = run(coomet, clock)
    c.prepare()
    c.do("a_send", "implementer", review_days=10)
    c.do("c_assign", "chair-tc13", scope="TC 1.3")
    (review,) = c.open("chair-tc13")
    assert review.due == clock.now() + dt.timedelta(days=10)
    clock.advance(days=10, seconds=1)
    assert coomet.tick() == 1
    assert c.bpmn_ids() == ["c_alert", "c_chair_review"]
    c.do("c_alert", "admin")
    c.do("c_chair_review", "chair-tc13", scope="TC 1.3")
    assert c.bpmn_ids() == ["a_forward"]


def test_member_review_timeframe_alerts_too(coomet, clock):
    c = run(coomet, clock)
    c.prepare()
    c.do("a_send", "implementer", review_days=3)
    c.do("c_assign", "chair-tc13", reviewer="member", member="member-tc13")
    clock.advance(days=4)
    coomet.tick()
    assert c.bpmn_ids() == ["c_alert", "c_member_review"]


def test_approval_refused_once_then_granted(coomet, clock):
    """8.1, 8.2: 'should be refined' returns the course to its creator and back to review."""
    c = run(coomet, clock)
    c.prepare(csbs=())
    c.do("m_finalize", "creator")
    c.do("r_review", "admin", copyright_ok=False, can_be_posted=False, should_be_refined=True,
         what_to_refine="Add the CC BY-NC 4.0 line.")
    assert c.course.status == "under review" and c.bpmn_ids() == ["r_refine"]
    c.do("r_refine", "creator")
    c.do("r_review", "admin")
    assert c.course.status == "published"


def published(coomet, clock):
    c = run(coomet, clock)
    c.publish_one_csb_course()
    return c


def inspect_after_three_years(c, clock, **outcome):
    clock.advance(days=3 * 366)
    assert c.engine.tick() == 1
    assert c.course.status == "under inspection" and c.bpmn_ids() == ["i_inspect"]
    c.do("i_inspect", "secretariat", **outcome)


def test_inspection_up_to_date_waits_another_three_years(coomet, clock):
    """13.1: up to date → next inspection in 3 years."""
    c = published(coomet, clock)
    inspect_after_three_years(c, clock)
    assert c.course.status == "published" and c.bpmn_ids() == []
    first_due = coomet.instance(c.instance).next_timer_at
    assert first_due > clock.now() + dt.timedelta(days=3 * 365 - 1)
    inspect_after_three_years(c, clock)
    assert c.course.status == "published"


def test_inspection_update_required_goes_through_7_and_8_again(coomet, clock):
    """13.3, 13.4: the coordinator amends with the creator; agreeing and approval again."""
    c = published(coomet, clock)
    inspect_after_three_years(c, clock, outcome="update_required", findings="Outdated references.")
    assert c.course.status == "updating"
    (amend,) = c.open("coordinator")
    assert amend.bpmn_id == "m_amend" and coomet.task(amend.id).values["findings"] == "Outdated references."
    c.do("m_amend", "coordinator")
    assert c.course.status == "agreeing"
    c.send_for_agreeing()
    c.chair_agrees("chair-tc13", "TC 1.3")
    c.do("a_forward", "admin")
    assert c.course.status == "under review" and c.bpmn_ids() == ["r_review"]  # 13.4: straight to §8
    c.approve()
    assert c.course.status == "published" and c.bpmn_ids() == []


def test_inspection_update_without_agreeing(coomet, clock):
    c = run(coomet, clock)
    c.prepare(csbs=())
    c.do("m_finalize", "creator")
    c.approve()
    inspect_after_three_years(c, clock, outcome="update_required", findings="New examples needed.")
    c.do("m_amend", "coordinator")
    assert c.bpmn_ids() == ["r_review"]
    c.approve()
    assert c.course.status == "published"


def test_inspection_irrelevant_tc4_cancels_and_both_lists_exclude_it(coomet, clock):
    """13.5: TC 4 cancels; the administrator and the Secretariat exclude the course from their lists."""
    c = published(coomet, clock)
    inspect_after_three_years(c, clock, outcome="irrelevant", findings="Superseded by a newer course.")
    (decide,) = c.open("tc4")
    assert coomet.task(decide.id).values["findings"] == "Superseded by a newer course."
    c.do("i_decide", "tc4")
    assert c.course.status == "cancelled" and c.bpmn_ids() == ["i_exclude_bipm", "i_exclude_portal"]
    assert [x.name for x in coomet.courses(("cancelled",))] == ["Uncertainty of measurement"]
    assert coomet.courses(("published",)) == []
    c.do("i_exclude_bipm", "admin")
    c.do("i_exclude_portal", "secretariat")
    assert coomet.instance(c.instance).status == "completed"


def test_inspection_irrelevant_but_tc4_keeps_it_means_update(coomet, clock):
    c = published(coomet, clock)
    inspect_after_three_years(c, clock, outcome="irrelevant", findings="Partly outdated.")
    c.do("i_decide", "tc4", cancel_course=False)
    assert c.course.status == "updating" and c.bpmn_ids() == ["m_amend"]


def test_inspection_on_demand_by_message(coomet, clock):
    """13.1: an inspection can be requested before the 3 years are up."""
    c = published(coomet, clock)
    with pytest.raises(NotAllowed, match="secretariat or tc4"):
        coomet.send_message(c.instance, "inspection_requested", {}, c.actor("creator"))
    coomet.send_message(c.instance, "inspection_requested", {"reason": "new edition of the GUM"},
                        c.actor("tc4"))
    assert c.course.status == "under inspection" and c.bpmn_ids() == ["i_inspect"]
    with pytest.raises(TaskNotOpen, match="not waiting"):
        coomet.send_message(c.instance, "inspection_requested", {}, c.actor("tc4"))


def test_satisfaction_questionnaire_is_anonymous(coomet, clock):
    """11.1, Appendix 3: answers about a published course, with no identity stored."""
    c = published(coomet, clock)
    schema = coomet.start_form("satisfaction")
    assert [o["const"] for o in schema["properties"]["course_id"]["oneOf"]] == [c.course.id]
    student = Actor("anonymous", frozenset({("student", None)}))
    answer = {**c.sheets["appendix3.json"], "course_id": c.course.id}
    instance = coomet.start("satisfaction", answer, student)
    record = coomet.instance(instance)
    assert record.status == "completed" and record.course_id == c.course.id and record.started_by == "anonymous"


def test_questionnaire_for_an_unpublished_course_is_refused(coomet, clock):
    from engine import InvalidData

    c = run(coomet, clock)
    student = Actor("anonymous", frozenset({("student", None)}))
    with pytest.raises(InvalidData, match="course_id"):
        coomet.start("satisfaction", {**c.sheets["appendix3.json"], "course_id": c.course.id}, student)


def test_read_only_sheet_fields_come_from_the_process_not_the_user(coomet, clock):
    c = run(coomet, clock)
    c.prepare()
    c.send_for_agreeing()
    c.do("c_assign", "chair-tc13", scope="TC 1.3")
    (review,) = c.open("chair-tc13")
    detail = coomet.task(review.id)
    assert detail.values["course_name"] == "Uncertainty of measurement"
    assert detail.values["csb"] == "TC 1.3" and detail.values["creator_details"]["nmi"] == "BelGIM"
    coomet.complete(review.id, {**c.sheets["appendix1_initial.json"], "course_name": "Forged", "csb": "TC 2"},
                    c.actor("chair-tc13"))
    import json

    from sqlalchemy import select

    from engine.base.models import Event
    with coomet.db.read() as session:
        sheet = json.loads(session.scalars(select(Event.data_json).where(Event.task_id == review.id,
                                                                      Event.kind == "task_completed")).one())
    assert sheet["form"]["course_name"] == "Uncertainty of measurement" and sheet["form"]["csb"] == "TC 1.3"


def test_quarterly_analysis_by_the_coordinator_or_the_administrator(coomet, clock):
    """11.2: after a quarter ends, each published course's coordinator — or the sector administrator in their
    place — records the analysis of the satisfaction results; the other's task is withdrawn."""
    first, second = published(coomet, clock), run(coomet, clock, course_name="Length measurement")
    second.publish_one_csb_course()
    coomet.answer_questionnaire(first.course.id, {k: v for k, v in first.sheets["appendix3.json"].items()})
    clock.set(dt.datetime(2026, 4, 1, 9, 0, tzinfo=dt.UTC))
    coomet.tick()
    tasks = [t for t in coomet.tasks() if t.process == "quarterly_analysis"]
    assert sorted(t.bpmn_id for t in tasks) == ["q_administrator", "q_administrator", "q_coordinator", "q_coordinator"]
    by_coordinator = next(t for t in tasks if t.course_id == first.course.id and t.bpmn_id == "q_coordinator")
    by_admin = next(t for t in tasks if t.course_id == second.course.id and t.bpmn_id == "q_administrator")
    coomet.complete(by_coordinator.id, {"findings": "One answer: too few to judge.", "early_inspection_proposed": False},
                    first.actor("coordinator"))
    coomet.complete(by_admin.id, {"findings": "No answers this quarter.", "actions": ["Raise at the next inspection"],
                                  "early_inspection_proposed": False}, second.actor("admin"))
    assert [t for t in coomet.tasks() if t.process == "quarterly_analysis"] == []


def test_annual_report_reviewed_by_the_administrator_then_final_11_3_9_3(coomet, clock):
    """11.3, 9.3: the worker starts the year's report in January; the administrator sends the draft back for
    redraft once, reviews the draft assembled again and makes it final."""
    published(coomet, clock)
    clock.set(dt.datetime(2027, 1, 2, 9, 0, tzinfo=dt.UTC))
    coomet.tick()
    admin = coomet.actor("admin")
    (review,) = [t for t in coomet.tasks(admin) if t.process == "annual_report"]
    assert coomet.task(review.id, admin).values["year"] == 2026
    coomet.complete(review.id, {"decision": "redraft", "redraft_reason": "The December import is missing."}, admin)
    (review,) = [t for t in coomet.tasks(admin) if t.process == "annual_report"]  # assembled again (11.3)
    assert coomet.task(review.id, admin).values["sent_back_because"] == "The December import is missing."
    coomet.complete(review.id, {"comments": "Presented at the TC 4 meeting.", "decision": "final"}, admin)
    assert [t for t in coomet.tasks(admin) if t.process == "annual_report"] == []
    assert {d.filename for d in coomet.documents(admin)} == {
        "annual-report-2026-en.pdf", "annual-report-2026-ru.pdf", "annual-report-2026.xlsx"}


def test_10_certificate_batches_reviewed_issued_and_excluded(coomet, clock):
    """§10: an import with newly eligible people starts a batch; the administrator excludes one with a reason and
    the others get certificates (10.1-10.3); a later batch whose only candidate is excluded issues none."""
    from tests import moodle_files as mf

    c = run(coomet, clock)
    c.do("m_survey", "tc4")
    c.do("m_appoint", "admin")
    admin = coomet.actor("admin")
    passed = [("y", "2026-01-05 10:00:00"), ("pass", "2026-01-06 10:00:00")]
    people = [("Anna", "anna@example.org", passed), ("Paul", "paul@example.org", [("y", ""), ("fail", "")]),
              ("Vera", "vera@example.org", passed)]
    activities = ["Module 1", "Module 1 test"]
    coomet.import_monitoring(c.course.id, mf.csv_utf8(mf.progress_rows(people, activities=activities)), "p1.csv",
                             admin, period="2026-01-01..2026-01-31")
    (review,) = [t for t in coomet.tasks(admin) if t.bpmn_id == "c_review"]
    candidates = coomet.task(review.id, admin).values["candidates"]
    assert [p["name"] for p in candidates] == ["Anna", "Vera"]  # Paul failed the test (10.1)
    vera = next(p["participant_id"] for p in candidates if p["name"] == "Vera")
    coomet.complete(review.id, {"excluded": [{"participant_id": vera, "reason": "asked not to get one"}]}, admin)
    assert [(x.holder, x.number) for x in coomet.certificates(admin)] == [("Anna", "COOMET-2026-0001")]
    assert not [t for t in coomet.tasks(admin) if t.bpmn_id == "c_review"]
    people[1] = ("Paul", "paul@example.org", passed)
    coomet.import_monitoring(c.course.id, mf.csv_utf8(mf.progress_rows(people, activities=activities)), "p2.csv",
                             admin, period="2026-02-01..2026-02-28")
    (review,) = [t for t in coomet.tasks(admin) if t.bpmn_id == "c_review"]
    (paul,) = coomet.task(review.id, admin).values["candidates"]  # Vera, excluded, is not proposed again
    coomet.complete(review.id, {"excluded": [{"participant_id": paul["participant_id"], "reason": "duplicate"}]},
                    admin)
    assert len(coomet.certificates(admin)) == 1
    assert all(outcome.ok for outcome in coomet.replay_course(c.course.id))  # both batches replay (courseflow replay)
    assert coomet.verify().ok
