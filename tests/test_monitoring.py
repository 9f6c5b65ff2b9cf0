"""§9 monitoring: the platform's reports imported per course, refused when they do not fit, summed up (9.1-9.3, 10.1)."""
from __future__ import annotations

import json

import pytest

from engine import ActivityFigures, FileRefused, NotAllowed
from tests import moodle_files as mf
from tests.coomet import CourseDriver, deploy_with_people

PEOPLE = [("Anna Ivanova", "anna@example.org", [("y", "2026-01-05 10:00:00"), ("y", "2026-01-05 11:00:00"),
                                                  ("pass", "2026-01-06 10:42:00")]),
          ("Paul Martin", "paul@example.org", [("y", "2026-01-05 10:00:00"), ("n", ""),
                                                 ("fail", "2026-01-06 10:42:00")]),
          ("Boris Petrov", "boris@example.org", [("n", ""), ("n", ""), ("n", "")])]


@pytest.fixture
def course(engine):
    deploy_with_people(engine)
    driver = CourseDriver(engine)
    driver.do("m_survey", "tc4")
    driver.do("m_appoint", "admin")
    return driver.course.id


def admin(engine):
    return engine.actor("admin")


def summary_of(engine, course, period=None):
    return engine.monitoring_summary(course, admin(engine), period).as_json()


@pytest.mark.parametrize("lang", ["en", "ru", "fr"])
@pytest.mark.parametrize("write", [mf.csv_utf8, mf.excel_csv], ids=["csv", "excel-csv"])
def test_9_2_activity_completion_csv_and_excel_csv_in_three_languages(engine, course, lang, write):
    report = engine.import_monitoring(course, write(mf.progress_rows(PEOPLE, lang)), "progress.csv", admin(engine),
                                      period="2026-01-01..2026-01-31")
    assert (report.kind, report.rows, report.participants, report.activities, report.added) == \
        ("activity-completion", 3, 3, 3, 9)
    found = summary_of(engine, course)
    assert found["participants"] == 3 and found["completed_course"] == 1  # 10.1: Anna alone passed everything
    assert found["median_days_to_complete"] == 1.0  # her first module on the 5th, the test on the 6th
    assert [(a["name"], a["completed"], a["passed"], a["failed"]) for a in found["activities"]] == [
        ("Module 1. Units", 2, 0, 0), ("Module 2. Uncertainty", 1, 0, 0), ("Final test", 2, 1, 1)]


def test_9_2_the_same_file_again_changes_nothing_and_an_overlapping_one_updates_per_participant(engine, course):
    first = mf.csv_utf8(mf.progress_rows(PEOPLE))
    engine.import_monitoring(course, first, "progress.csv", admin(engine), period="..2026-01-31")
    before = summary_of(engine, course)
    again = engine.import_monitoring(course, first, "progress-copy.csv", admin(engine), period="..2026-01-31")
    assert again.unchanged and (again.added, again.updated, again.participants, again.activities) == (0, 0, 3, 3)
    assert summary_of(engine, course) == before
    later = [PEOPLE[0], PEOPLE[1], ("Boris Petrov", "boris@example.org",
                                    [("y", "2026-02-02 09:00:00"), ("n", ""), ("n", "")]),
             ("Dana Novak", "dana@example.org", [("y", "2026-02-03 09:00:00"), ("n", ""), ("n", "")])]
    report = engine.import_monitoring(course, mf.csv_utf8(mf.progress_rows(later)), "progress-feb.csv",
                                      admin(engine), period="..2026-02-28")
    assert (report.new_participants, report.added, report.updated) == (1, 3, 1)
    after = summary_of(engine, course)
    assert after["participants"] == 4 and after["activities"][0]["completed"] == 4
    assert summary_of(engine, course, "2026-02-01..2026-02-28")["activities"][0]["completed"] == 2


def test_9_2_each_import_is_an_audit_event_with_the_files_sha256(engine, course):
    import hashlib
    content = mf.csv_utf8(mf.progress_rows(PEOPLE))
    engine.import_monitoring(course, content, "progress.csv", admin(engine), period="..2026-01-31")
    (entry,) = [e for e in engine.monitoring_summary(course, admin(engine)).imports]
    assert entry.sha256 == hashlib.sha256(content).hexdigest() and entry.imported_by == "admin"
    assert engine.verify().ok


BAD_PROGRESS = [
    ("an unknown state word", lambda rows: rows[2].__setitem__(4, "Fini"), 3, 5, "not a completion state"),
    ("a date that is not one", lambda rows: rows[1].__setitem__(3, "yesterday"), 2, 4, "not a date"),
    ("a first header cell that is not empty", lambda rows: rows[0].__setitem__(0, "Name"), 1, 1, "first header"),
    ("a short row", lambda rows: rows[3].__delitem__(slice(3, None)), 4, None, "cells"),
    ("a participant twice", lambda rows: rows.append(list(rows[1])), 5, None, "twice"),
    ("a nameless participant", lambda rows: rows[2].__setitem__(0, " "), 3, 1, "name"),
]


@pytest.mark.parametrize("label, spoil, row, column, words", BAD_PROGRESS, ids=[b[0] for b in BAD_PROGRESS])
def test_9_2_a_malformed_activity_completion_file_is_refused_with_its_row_and_nothing_stored(
        engine, course, label, spoil, row, column, words):
    rows = mf.progress_rows(PEOPLE)
    spoil(rows)
    with pytest.raises(FileRefused) as refused:
        engine.import_monitoring(course, mf.csv_utf8(rows), "progress.csv", admin(engine), "activity-completion",
                                 period="..2026-01-31")
    assert (refused.value.row, refused.value.column) == (row, column) and words in str(refused.value)
    assert summary_of(engine, course)["participants"] == 0 and not engine.monitoring_summary(course).imports


@pytest.mark.parametrize("content, words", [
    (b"", "empty"), (b"\n\n", "empty"),
    ("\ufeff".encode() + "é,x".encode("latin-1"), "not UTF-8"),
    (b"PK\x03\x04broken", "damaged"),
], ids=["empty", "blank lines", "wrong encoding", "broken zip"])
def test_9_2_empty_and_undecodable_files_are_refused(engine, course, content, words):
    with pytest.raises(FileRefused, match=words):
        engine.import_monitoring(course, content, "progress.csv", admin(engine), kind="activity-completion")


def test_9_2_another_courses_report_is_refused(engine, course):
    engine.import_monitoring(course, mf.csv_utf8(mf.progress_rows(PEOPLE)), "a.csv", admin(engine))
    other = mf.progress_rows([("Anna Ivanova", "anna@example.org", [("y", ""), ("y", "")])],
                             activities=["Intro to flow", "Flow test"])
    with pytest.raises(FileRefused, match="another course") as refused:
        engine.import_monitoring(course, mf.csv_utf8(other), "b.csv", admin(engine))
    assert refused.value.row == 1 and len(engine.monitoring_summary(course).imports) == 1


@pytest.mark.parametrize("lang", ["en", "ru", "fr"])
def test_9_2_course_completion_report(engine, course, lang):
    content = mf.csv_utf8(mf.course_completion_rows(lang))
    report = engine.import_monitoring(course, content, "completion.csv", admin(engine), period="..2026-01-31")
    assert (report.kind, report.participants) == ("course-completion", 2)
    found = summary_of(engine, course)
    assert found["completed_course"] == 1 and found["activities"][0]["failed"] == 1
    (anna, paul) = engine.participant_states(course, admin(engine))
    assert anna.course_state == "complete" and paul.course_state == "incomplete"
    assert [(a.activity, a.state) for a in anna.activities] == [("Final test", "passed")]


@pytest.mark.parametrize("lang", ["en", "ru", "fr"])
@pytest.mark.parametrize("write, name", [(mf.csv_utf8, "csv"), (mf.xlsx, "xlsx"), (mf.ods, "ods")])
def test_9_2_quiz_grades_from_csv_xlsx_and_ods(engine, course, lang, write, name):
    content = write(mf.quiz_rows(lang))
    if name == "csv":
        content = b"\xef\xbb\xbf" + content  # Moodle's CSV download starts with a BOM
    report = engine.import_monitoring(course, content, f"Metrology-Final test-grades.{name}", admin(engine),
                                      pass_grade=60, period="..2026-01-31")
    assert (report.kind, report.rows, report.participants) == ("quiz-grades", 3, 3)
    (test,) = summary_of(engine, course)["activities"]
    assert (test["name"], test["passed"], test["failed"], test["incomplete"], test["median_minutes"]) == \
        ("Final test", 1, 1, 1, 12.1)


def test_9_2_a_spreadsheet_with_formulas_is_refused_with_its_cell(engine, course):
    rows = mf.quiz_rows()
    rows[2][7] = "=4+0"
    for write, name in ((mf.xlsx, "xlsx"), (mf.ods, "ods")):
        with pytest.raises(FileRefused, match="formula") as refused:
            engine.import_monitoring(course, write(rows), f"c-Final test-grades.{name}", admin(engine))
        assert (refused.value.row, refused.value.column) == (3, 8)
    assert not engine.monitoring_summary(course).imports


def test_9_2_quiz_state_not_moodles_is_refused(engine, course):
    rows = mf.quiz_rows()
    rows[1][3] = "Done-ish"
    with pytest.raises(FileRefused, match="attempt state") as refused:
        engine.import_monitoring(course, mf.xlsx(rows), "c-Final test-grades.xlsx", admin(engine))
    assert (refused.value.row, refused.value.column) == (2, 4)


def test_9_2_activity_report_page_and_typed_figures(engine, course):
    page = mf.activity_report_page([("Module 1. Units", "12 views by 5 users"), ("Final test", "4 views by 2 users")])
    report = engine.import_monitoring(course, page, "outline.html", admin(engine), period="2026-01-01..2026-01-31")
    assert (report.kind, report.added) == ("participation", 2)
    engine.import_figures(course, [ActivityFigures("Module 1. Units", 30, 9)], "2026-02-01..2026-02-28",
                          admin(engine))
    found = summary_of(engine, course)
    assert [(v["period"], v["activity"], v["views"], v["participants"]) for v in found["views"]] == [
        ("2026-01-01..2026-01-31", "Module 1. Units", 12, 5), ("2026-01-01..2026-01-31", "Final test", 4, 2),
        ("2026-02-01..2026-02-28", "Module 1. Units", 30, 9)]
    with pytest.raises(FileRefused, match="more participants than views") as refused:
        engine.import_figures(course, [ActivityFigures("Final test", 1, 3)], "2026-02-01..2026-02-28", admin(engine))
    assert refused.value.row == 1
    with pytest.raises(FileRefused, match="Views"):
        engine.import_monitoring(course, b"<html><body><table><tr><td>x</td></tr></table></body></html>", "x.html",
                                 admin(engine), period="2026-01-01..2026-01-31")


def test_9_personal_data_only_for_the_administrator_and_the_courses_coordinator(engine, course):
    content = mf.csv_utf8(mf.progress_rows(PEOPLE))
    engine.add_user("coordinator2", ["course_coordinator"], "pw")
    for login in ("creator", "coordinator2", "tc4", "auditor"):
        with pytest.raises(NotAllowed):
            engine.import_monitoring(course, content, "p.csv", engine.actor(login))
        with pytest.raises(NotAllowed):
            engine.participant_states(course, engine.actor(login))
    engine.import_monitoring(course, content, "p.csv", engine.actor("coordinator"))
    assert len(engine.participant_states(course, engine.actor("coordinator"))) == 3


def test_9_participants_are_deleted_after_the_retention_period(engine, course, clock, monkeypatch):
    engine.import_monitoring(course, mf.csv_utf8(mf.progress_rows(PEOPLE)), "p.csv", admin(engine))
    monkeypatch.setenv("COURSEFLOW_MONITORING_RETENTION_DAYS", "30")
    assert engine.purge_participants() == 0
    clock.advance(days=31)
    assert engine.purge_participants() == 3
    assert engine.participant_states(course, admin(engine)) == [] and engine.verify().ok


def test_9_3_overview_and_indicator_ind_e_1_6(engine, course):
    engine.import_monitoring(course, mf.csv_utf8(mf.progress_rows(PEOPLE)), "p.csv", admin(engine))
    overview = engine.monitoring_overview(admin(engine), "2026-01-01..2026-12-31")
    assert [(c.course_id, c.participants, c.completed_course) for c in overview.courses] == [(course, 3, 1)]
    assert overview.available == 0 and not overview.indicator_met  # not published: not available to participants
    with pytest.raises(NotAllowed):
        engine.monitoring_overview(engine.actor("creator"))


def test_9_1_platform_course_id_and_url(engine, course):
    engine.set_platform_course(course, "42", "https://elearning.bipm.org/course/view.php?id=42", admin(engine))
    assert engine.course(course).platform_course_id == "42"
    with pytest.raises(Exception, match="http"):
        engine.set_platform_course(course, "42", "javascript:alert(1)", admin(engine))
    with pytest.raises(NotAllowed):
        engine.set_platform_course(course, "42", None, engine.actor("coordinator"))
    assert json.dumps(summary_of(engine, course))


@pytest.fixture
def cli(database_url, monkeypatch):
    from click.testing import CliRunner

    from webapp.cli import main
    monkeypatch.setenv("COURSEFLOW_DATABASE_URL", database_url)
    monkeypatch.setenv("COURSEFLOW_NOW", "2026-02-01T09:00:00Z")

    def run(*args, ok=True):
        result = CliRunner().invoke(main, [str(a) for a in args])
        assert (result.exit_code == 0) == ok, result.output + result.stderr
        return result
    return run


def test_9_cli_import_and_summary_contract(engine, course, cli, tmp_path):
    progress = tmp_path / "progress.csv"
    progress.write_bytes(mf.excel_csv(mf.progress_rows(PEOPLE, "ru")))
    imported = json.loads(cli("monitoring", "import", course, progress, "--kind", "activity-completion",
                              "--period", "2026-01-01..2026-01-31", "--json").output)
    assert {k: imported[k] for k in ("rows", "participants", "activities", "new_participants", "added", "updated")} \
        == {"rows": 3, "participants": 3, "activities": 3, "new_participants": 3, "added": 9, "updated": 0}
    assert "nothing changed" in cli("monitoring", "import", course, progress).output
    found = json.loads(cli("monitoring", "summary", course, "--period", "2026-01-01..2026-01-31", "--json").output)
    assert (found["participants"], found["completed_course"]) == (3, 1)
    assert found["activities"][2] | {"name": "Final test", "completed": 2, "passed": 1, "failed": 1} == \
        found["activities"][2]
    bad = tmp_path / "bad.csv"
    rows = mf.progress_rows(PEOPLE)
    rows[1][2] = "Fini"
    bad.write_bytes(mf.csv_utf8(rows))
    refused = cli("monitoring", "import", course, bad, ok=False)
    assert "row 2, column 3: 'Fini' is not a completion state" in refused.stderr
    assert "Ind-e.1.6" in cli("monitoring", "overview", "--period", "2026-01-01..2026-12-31").output
    assert "FROM..TO" in cli("monitoring", "summary", course, "--period", "2026-13-01..", ok=False).stderr


@pytest.mark.parametrize("lang", ["en", "ru", "fr"])
def test_9_2_course_participation_page_marks_who_viewed_a_module_without_undoing_completions(engine, course, lang):
    engine.import_monitoring(course, mf.csv_utf8(mf.progress_rows(PEOPLE)), "p.csv", admin(engine), period="..2026-01-31")
    page = mf.participation_page([("Anna Ivanova", 4), ("Boris Petrov", 2), ("Paul Martin", 0)], lang)
    report = engine.import_monitoring(course, page, "participation.html", admin(engine), activity="Module 2. Uncertainty",
                                      period="2026-01-01..2026-02-28")
    assert (report.kind, report.rows, report.new_participants, report.updated) == ("participation", 3, 0, 1)
    anna, boris, paul = engine.participant_states(course, admin(engine))
    assert [a.state for a in anna.activities][1] == "complete"  # her completion stands
    assert [a.state for a in boris.activities][1] == "viewed" and [a.state for a in paul.activities][1] == "incomplete"
    assert summary_of(engine, course)["activities"][1] | {"completed": 1, "viewed": 1} == \
        summary_of(engine, course)["activities"][1]
    with pytest.raises(FileRefused, match="name the activity"):
        engine.import_monitoring(course, mf.participation_page([("X", 1)]), "other.html", admin(engine))


def test_9_3_ind_e_1_6_is_met_with_two_published_courses_in_the_period(engine, course, clock):
    for name in ("Mass metrology", "Flow metrology"):
        CourseDriver(engine, course_name=name).publish_one_csb_course()
    this_year = engine.monitoring_overview(admin(engine), "2026-01-01..2026-12-31")
    assert this_year.available == 2 and this_year.indicator_met
    assert sorted(c.name for c in this_year.courses if c.available) == ["Flow metrology", "Mass metrology"]
    last_year = engine.monitoring_overview(admin(engine), "2025-01-01..2025-12-31")
    assert last_year.available == 0 and not last_year.indicator_met  # not yet published then


def drop_column(rows, column):
    return [row[:column] + row[column + 1:] for row in rows]


@pytest.mark.parametrize("kind, content, row, words", [
    ("quiz-grades", lambda: mf.csv_utf8(drop_column(mf.quiz_rows(), 3)), 1, "no column state"),
    ("quiz-grades", lambda: mf.csv_utf8(drop_column(mf.quiz_rows(), 7)), 1, "Grade/<maximum>"),
    ("course-completion", lambda: mf.csv_utf8(drop_column(mf.course_completion_rows(), 0)), 1, "ID and Name"),
    ("activity-completion", lambda: mf.csv_utf8(mf.course_completion_rows()), 1, "first header cell"),
    (None, lambda: mf.csv_utf8([["Surname", "Score"], ["Ivanova", "3"]]), 1, "name its kind"),
], ids=["quiz without State", "quiz without Grade", "completion without ID", "wrong report named", "unknown"])
def test_9_2_a_file_with_the_wrong_columns_is_refused_with_its_row(engine, course, kind, content, row, words):
    with pytest.raises(FileRefused) as refused:
        engine.import_monitoring(course, content(), "c-Final test-grades.csv", admin(engine), kind)
    assert refused.value.row == row and words in str(refused.value)
    assert not engine.monitoring_summary(course).imports
