"""§11.3 and §9.3: the annual report to TC 4 — figures against hand-built data, the PDF (EN/RU) and XLSX,
the final report stored with its sha256 and mailed to TC 4 with the PDF attached — on SQLite and PostgreSQL."""
from __future__ import annotations

import datetime as dt
import hashlib
import io

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from engine import CourseFlowError, InvalidData, NotAllowed
from tests import moodle_files as mf
from tests.coomet import CourseDriver, deploy_with_people
from tests.smtp import SmtpServer

GRADES = ("relevance", "theoretical_utility", "material_quality", "material_presentation")
PEOPLE = [("Anna Ivanova", "anna@example.org", [("y", "2026-02-05 10:00:00"), ("y", "2026-02-05 11:00:00"),
                                                  ("pass", "2026-02-06 10:42:00")]),
          ("Paul Martin", "paul@example.org", [("y", "2026-02-05 10:00:00"), ("n", ""),
                                                 ("fail", "2026-02-06 10:42:00")]),
          ("Boris Petrov", "boris@example.org", [("n", ""), ("n", ""), ("n", "")])]


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC)


@pytest.fixture
def coomet(engine):
    deploy_with_people(engine)
    engine.add_user("tc4-en", ["tc4"], "pw", name="Tess English", email="tess@tc4.example")
    engine.add_user("tc4-ru", ["tc4"], "pw", name="Тарас Русский", email="taras@tc4.example")
    engine.set_language("tc4-ru", "ru")
    return engine


@pytest.fixture
def year_2026(coomet, clock):
    """Two courses through the procedure in 2026: one published (monitored, answered), one only created."""
    published = CourseDriver(coomet, course_name="Uncertainty of measurement", course_name_ru="Неопределённость измерений")
    published.publish_one_csb_course()
    course = published.course
    coomet.import_monitoring(course.id, mf.csv_utf8(mf.progress_rows(PEOPLE)), "progress.csv", coomet.actor("admin"),
                             period="2026-01-01..2026-12-31")
    clock.set(at("2026-05-10T10:00"))
    for grades in (("excellent", "good", "good", "satisfactory"), ("excellent", "excellent", "unsatisfactory", "good"),
                   ("good", "satisfactory", "good", "unsatisfactory")):
        coomet.answer_questionnaire(course.id, {**dict(zip(GRADES, grades, strict=True)),
                                                "proposals": "More exercises, please."})
    clock.set(at("2026-06-01T09:00"))
    planned = CourseDriver(coomet, course_name="Mass calibration")
    planned.do("m_survey", "tc4")
    clock.set(at("2026-12-20T09:00"))
    return published.course, planned.course


def test_11_3_figures_of_the_year_against_hand_built_data(coomet, year_2026):
    published, planned = year_2026
    report = coomet.annual_report(2026, coomet.actor("admin"))
    assert [(m.course_id, m.kind, m.clause) for m in report.milestones] == [
        (published.id, "created", "6.2"), (published.id, "agreed", "7"), (published.id, "published", "8.2"),
        (planned.id, "created", "6.2")]
    assert (report.count("created"), report.count("agreed"), report.count("published"), report.count("updated"),
            report.count("cancelled")) == (2, 1, 1, 0, 0)
    by_id = {c.course_id: c for c in report.courses}
    assert set(by_id) == {published.id, planned.id}
    figures = by_id[published.id]
    # 9.2: three participants, Anna alone completed every module and passed the test (10.1)
    assert (figures.participants, figures.completed_course, figures.available) == (3, 1, True)
    # relevance 4+4+3 = 11/3; material quality 3+1+3 = 7/3
    means = {c.key: c.mean for c in figures.satisfaction.criteria}
    assert figures.satisfaction.answers == 3 and means["relevance"] == pytest.approx(11 / 3, abs=0.01)
    assert means["material_quality"] == pytest.approx(7 / 3, abs=0.01)
    assert figures.certificates == 0  # §10 not yet connected: no certificates table
    assert by_id[planned.id].satisfaction.answers == 0 and by_id[planned.id].participants == 0
    # Ind-e.1.6 (9.3): one course available, two needed
    assert (report.available, report.indicator_met) == (1, False)
    # the planned course's next task is open; nothing of it is due yet
    assert any(item.course_id == planned.id for item in report.open_items) and report.overdue == 0
    assert coomet.annual_report(2025).milestones == ()


def test_11_3_updated_and_cancelled_courses_in_a_later_year_13_3_13_5(coomet, clock):
    kept = CourseDriver(coomet, course_name="Kept and updated")
    gone = CourseDriver(coomet, course_name="Superseded")
    for course in (kept, gone):
        course.publish_one_csb_course()
    clock.set(at("2029-02-01T09:00"))
    coomet.tick()
    kept.do("i_inspect", "secretariat", outcome="update_required", findings="Outdated references.")
    kept.do("m_amend", "coordinator")
    kept.send_for_agreeing()
    kept.chair_agrees("chair-tc13", "TC 1.3")
    kept.do("a_forward", "admin")
    kept.approve()
    gone.do("i_inspect", "secretariat", outcome="irrelevant", findings="Superseded.")
    gone.do("i_decide", "tc4")
    report = coomet.annual_report(2029)
    assert sorted((m.course_id, m.kind) for m in report.milestones) == sorted(
        [(kept.course.id, "agreed"), (kept.course.id, "updated"), (gone.course.id, "cancelled")])
    assert {m.kind: m.clause for m in report.milestones}["updated"] == "13.3/13.4"
    assert (report.available, report.indicator_met) == (2, True)  # both were in the catalogue in 2029


def test_11_3_pdf_in_english_and_russian_and_the_xlsx_figures(coomet, year_2026):
    published, _ = year_2026
    english = _text(coomet.annual_report_pdf(2026, "en"))
    assert "Annual report to TC 4" in english and "Uncertainty of measurement" in english
    assert "Ind-e.1.6" in english and "13.3/13.4" in english and "More exercises, please." in english
    russian_pdf = coomet.annual_report_pdf(2026, "ru")
    russian = _text(russian_pdf)
    assert "Ежегодный отчёт для ТК 4" in russian and "Неопределённость измерений" in russian  # Cyrillic renders
    reader = PdfReader(io.BytesIO(russian_pdf))
    width, height = (float(x) for x in reader.pages[0].mediabox.upper_right)
    assert (round(width / 72 * 25.4), round(height / 72 * 25.4)) == (210, 297)  # A4
    book = load_workbook(io.BytesIO(coomet.annual_report_xlsx(2026)))
    summary = {row[0]: row[2] for row in book["Summary"].iter_rows(min_row=2, values_only=True)}
    assert summary["Courses created"] == 2 and summary["Courses published"] == 1
    assert summary["Ind-e.1.6 met"] == "no"
    monitoring = [row for row in book["Monitoring"].iter_rows(min_row=2, values_only=True) if row[0] == published.id]
    assert monitoring[0][4:6] == (3, 1)
    relevance = [row for row in book["Satisfaction"].iter_rows(min_row=2, values_only=True) if row[3] == "relevance"]
    assert relevance[0][2] == 3 and relevance[0][4:8] == (2, 1, 0, 0)


def review_task(engine, year):
    (task,) = [t for t in engine.tasks(engine.actor("admin")) if t.process == "annual_report"]
    assert engine.task(task.id, engine.actor("admin")).values["year"] == year
    return task


def test_11_3_reviewed_then_final_stored_with_its_sha256_and_mailed_to_tc4_with_the_pdf(
        coomet, year_2026, monkeypatch):
    server = SmtpServer().start()
    try:
        monkeypatch.setenv("COURSEFLOW_SMTP_URL", server.url)
        monkeypatch.setenv("COURSEFLOW_MAIL_FROM", "CourseFlow <courseflow@coomet.example>")
        with pytest.raises(NotAllowed):
            coomet.start_annual_report(2026, coomet.actor("tc4-en"))
        coomet.start_annual_report(2026, coomet.actor("admin"))
        with pytest.raises(CourseFlowError, match="started already"):
            coomet.start_annual_report(2026, coomet.actor("admin"))
        task = review_task(coomet, 2026)
        shown = coomet.task(task.id, coomet.actor("admin")).values
        assert (shown["available"], shown["created"], shown["published"]) == (1, 2, 1)
        assert coomet.documents(coomet.actor("tc4-en")) == []  # nothing is final before the review
        coomet.complete(task.id, {"comments": "Two new courses are planned for 2027.", "decision": "final"},
                        coomet.actor("admin"))
        listed = coomet.documents(coomet.actor("tc4-en"))
        assert sorted(d.filename for d in listed) == ["annual-report-2026-en.pdf", "annual-report-2026-ru.pdf",
                                                     "annual-report-2026.xlsx"]
        for document in listed:
            found = coomet.document(document.id, coomet.actor("auditor"))
            assert hashlib.sha256(found.content).hexdigest() == document.sha256
        coomet.deliver_mail()
        (english,) = server.recorder.to("tess@tc4.example")
        (russian,) = server.recorder.to("taras@tc4.example")
        assert "annual report to TC 4 for 2026" in english.message["Subject"]
        assert "ежегодный отчёт" in russian.message["Subject"]
        (attached,) = list(russian.message.iter_attachments())
        assert attached.get_filename() == "annual-report-2026-ru.pdf"
        pdf = attached.get_content()
        assert "Two new courses are planned for 2027." in _text(pdf) and "Ежегодный отчёт" in _text(pdf)
        assert hashlib.sha256(pdf).hexdigest() in russian.text()
    finally:
        server.stop()


def test_11_3_a_draft_sent_back_is_assembled_again_as_of_then_and_reviewed_again_before_it_is_final(
        coomet, year_2026, clock):
    admin = coomet.actor("admin")
    coomet.start_annual_report(2026, admin)
    first = review_task(coomet, 2026)
    shown = coomet.task(first.id, admin).values
    assert (shown["created"], shown["draft_round"]) == (2, 1) and "sent_back_because" not in shown
    with pytest.raises(InvalidData, match="redraft_reason"):  # sending it back needs the reasons
        coomet.complete(first.id, {"decision": "redraft"}, admin)
    coomet.complete(first.id, {"decision": "redraft", "comments": "Draft comments for TC 4.",
                               "redraft_reason": "The course created on 21 December is missing."}, admin)
    assert coomet.documents(admin) == []  # nothing final, nothing mailed
    clock.set(at("2026-12-21T09:00"))
    CourseDriver(coomet, course_name="Gauge blocks")  # created after the first draft: counted only once redrafted
    second = review_task(coomet, 2026)
    assert second.id != first.id
    shown = coomet.task(second.id, admin).values
    assert shown["draft_round"] == 2 and shown["sent_back_because"] == "The course created on 21 December is missing."
    assert shown["created"] == 2 and shown["comments"] == "Draft comments for TC 4."  # as of the send-back
    coomet.complete(second.id, {"decision": "redraft", "comments": "Draft comments for TC 4.",
                                "redraft_reason": "Count the new course too."}, admin)
    third = review_task(coomet, 2026)
    shown = coomet.task(third.id, admin).values
    assert (shown["draft_round"], shown["created"]) == (3, 3)  # assembled again as of then
    assert list(coomet.annual_report_runs(admin).values()) == [third.instance]
    coomet.complete(third.id, {"decision": "final", "comments": "Final comments."}, admin)
    assert len(coomet.documents(admin)) == 3 and [t for t in coomet.tasks(admin) if t.process == "annual_report"] == []
    with pytest.raises(CourseFlowError, match="started already"):
        coomet.start_annual_report(2026, admin)
    assert coomet.verify().ok


def test_the_worker_starts_the_report_of_the_year_just_ended_in_january_once(coomet, clock):
    coomet.tick()  # January 2026: 2025 had no courses, nothing to report
    assert coomet.annual_report_runs() == {}
    CourseDriver(coomet, course_name="Mass calibration").do("m_survey", "tc4")
    clock.set(at("2026-12-31T23:00"))
    coomet.tick()
    assert coomet.annual_report_runs() == {}
    clock.set(at("2027-01-01T00:30"))
    coomet.tick()
    coomet.tick()
    assert list(coomet.annual_report_runs()) == [2026]
    review_task(coomet, 2026)
    clock.set(at("2027-02-01T00:30"))
    coomet.tick()
    assert list(coomet.annual_report_runs()) == [2026]


def test_only_the_administrator_tc4_and_auditors_read_the_report(coomet):
    with pytest.raises(NotAllowed):
        coomet.annual_report(2026, coomet.actor("creator"))
    with pytest.raises(NotAllowed):
        coomet.documents(coomet.actor("creator"))
    with pytest.raises(CourseFlowError, match="four digits"):
        coomet.annual_report(26)


def _text(pdf: bytes) -> str:
    return " ".join(" ".join((page.extract_text() or "").split()) for page in PdfReader(io.BytesIO(pdf)).pages)


def test_cli_report_annual_writes_the_pdf_and_the_xlsx(database_url, year_2026, tmp_path, monkeypatch):
    from click.testing import CliRunner

    from webapp.cli import main

    monkeypatch.setenv("COURSEFLOW_DATABASE_URL", database_url)
    monkeypatch.setenv("COURSEFLOW_NOW", "2026-12-20T09:00:00Z")
    pdf, xlsx = tmp_path / "report.pdf", tmp_path / "report.xlsx"
    result = CliRunner().invoke(main, ["report", "annual", "--year", "2026", "--output", str(pdf), "--xlsx", str(xlsx)])
    assert result.exit_code == 0, result.output
    assert "Uncertainty of measurement" in _text(pdf.read_bytes())
    summary = {row[0]: row[2] for row in load_workbook(xlsx)["Summary"].iter_rows(min_row=2, values_only=True)}
    assert summary["Courses created"] == 2
    refused = CliRunner().invoke(main, ["report", "annual", "--year", "26", "--output", str(pdf)])
    assert refused.exit_code == 1 and "four digits" in refused.output and "Traceback" not in refused.output
