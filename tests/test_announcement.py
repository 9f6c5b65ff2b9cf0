"""§12 Announcement: the NMI directory, the Secretariat's invitation letters (12.1) through the outbox, and the
public list of COOMET courses for the webportal (12.2)."""
from __future__ import annotations

import datetime as dt

import pytest

from engine import CourseFlowError, NotAllowed
from tests.coomet import CourseDriver, deploy_with_people
from tests.smtp import SmtpServer

CSV = """country,nmi,email,language
Belarus,BelGIM,info@belgim.example,ru
Germany,PTB,info@ptb.example,en
Russia,VNIIM,info@vniim.example,ru
"""


@pytest.fixture
def coomet(engine):
    deploy_with_people(engine)
    return engine


def test_12_1_directory_is_edited_by_the_secretariat_and_imported_from_csv(coomet):
    secretariat = coomet.actor("secretariat")
    report = coomet.import_nmis(CSV, secretariat)
    assert (report.added, report.updated, report.ok) == (3, 0, True)
    again = coomet.import_nmis(CSV.replace("info@ptb.example", "coomet@ptb.example"), coomet.actor("admin"))
    assert (again.added, again.updated) == (0, 3)
    assert {n.name: n.email for n in coomet.nmis(secretariat)}["PTB"] == "coomet@ptb.example"
    bad = coomet.import_nmis(CSV + "Moldova,INM,not-an-address\n", secretariat)
    assert not bad.ok and "line 5" in bad.problems[0] and len(coomet.nmis(secretariat)) == 3  # all or nothing
    assert "missing: email" in coomet.import_nmis("country,nmi\nA,B\n", secretariat).problems[0]
    with pytest.raises(NotAllowed):
        coomet.nmis(coomet.actor("creator"))
    (ptb,) = [n for n in coomet.nmis(secretariat) if n.name == "PTB"]
    coomet.remove_nmi(ptb.id, secretariat)
    assert [n.name for n in coomet.nmis(secretariat)] == ["BelGIM", "VNIIM"]


def test_12_1_invitations_go_once_to_each_nmi_in_its_language_and_are_recorded(coomet, monkeypatch):
    secretariat = coomet.actor("secretariat")
    coomet.import_nmis(CSV, secretariat)
    course = CourseDriver(coomet)
    with pytest.raises(CourseFlowError, match="once it is published"):
        coomet.send_invitations(course.course.id, secretariat)
    course.publish_one_csb_course()
    preview = coomet.invitation_preview(course.course.id, secretariat)
    assert preview["en"].subject == "New COOMET e-learning course: Uncertainty of measurement"
    assert "https://e-learning.bipm.org/course/view.php?id=42" in preview["en"].text
    assert "Access: open" in preview["en"].text and "Olga Coordinator" in preview["en"].text
    assert preview["ru"].subject == "Новый электронный курс КООМЕТ: Неопределенность измерений"
    with pytest.raises(NotAllowed):
        coomet.send_invitations(course.course.id, coomet.actor("creator"))
    server = SmtpServer().start()
    monkeypatch.setenv("COURSEFLOW_SMTP_URL", server.url)
    try:
        assert coomet.send_invitations(course.course.id, secretariat) == 3
        coomet.deliver_mail()
    finally:
        server.stop()
    to_vniim = server.recorder.to("info@vniim.example")
    assert len(to_vniim) == 1 and to_vniim[0].message["Subject"].startswith("Новый электронный курс КООМЕТ")
    sent = coomet.invitations(course.course.id, secretariat)
    assert [(i.nmi, i.state, i.sent_by) for i in sent] == [
        ("BelGIM", "sent", "secretariat"), ("PTB", "sent", "secretariat"), ("VNIIM", "sent", "secretariat")]
    with pytest.raises(CourseFlowError, match="invited to this course already"):
        coomet.send_invitations(course.course.id, secretariat)


def test_12_2_the_public_list_shows_published_courses_and_drops_cancelled_ones(coomet, clock):
    planned = CourseDriver(coomet, course_name="Not yet")
    published = CourseDriver(coomet, course_name="Length measurement")
    published.publish_one_csb_course()
    listing = coomet.public_catalogue()
    assert [c.name for c in listing.courses] == ["Length measurement"] and planned.course.status == "planned"
    assert listing.courses[0].url == "https://e-learning.bipm.org/course/view.php?id=42"
    before = listing.changed_at
    clock.advance(days=1)
    coomet.send_message(published.instance, "inspection_requested", {"reason": "13.1"},
                        published.actor("secretariat"))
    published.do("i_inspect", "secretariat", outcome="irrelevant", findings="Superseded.")
    published.do("i_decide", "tc4")  # 13.5: cancelled
    assert published.course.status == "cancelled"
    after = coomet.public_catalogue()
    assert after.courses == () and after.changed_at > before


def test_12_1_the_directory_from_the_command_line(coomet, database_url, monkeypatch, tmp_path):
    from click.testing import CliRunner

    from webapp.cli import main

    monkeypatch.setenv("COURSEFLOW_DATABASE_URL", database_url)
    monkeypatch.setenv("COURSEFLOW_NOW", "2026-01-05T09:00:00Z")
    source = tmp_path / "nmis.csv"
    source.write_text(CSV, encoding="utf-8")
    result = CliRunner().invoke(main, ["nmis", "--as", "secretariat", "--import", str(source)])
    assert result.exit_code == 0 and "3 added" in result.output
    listing = CliRunner().invoke(main, ["nmis", "--as", "admin"])
    assert listing.exit_code == 0 and "VNIIM" in listing.output
    source.write_text("country,nmi,email\nCuba,INIMET,nowhere\n", encoding="utf-8")
    refused = CliRunner().invoke(main, ["nmis", "--as", "secretariat", "--import", str(source)])
    assert refused.exit_code == 1 and "line 2" in refused.stderr
    assert CliRunner().invoke(main, ["nmis", "--as", "creator"]).exit_code == 1


def test_12_1_the_filing_task_is_prefilled_with_the_day_the_invitations_were_sent(coomet, clock):
    secretariat = coomet.actor("secretariat")
    coomet.import_nmis(CSV, secretariat)
    course = CourseDriver(coomet)
    course.prepare()
    course.send_for_agreeing()
    course.chair_agrees("chair-tc13", "TC 1.3")
    course.finish_creation()
    course.do("r_review", "admin")
    (keep,) = [t for t in coomet.tasks(secretariat) if t.bpmn_id == "r_keep"]
    assert "invitations_sent_on" not in coomet.task(keep.id, secretariat).values  # none sent yet: typed by hand
    clock.set(dt.datetime(2026, 3, 4, 23, 30, tzinfo=dt.UTC))
    assert coomet.send_invitations(course.course.id, secretariat) == 3
    values = coomet.task(keep.id, secretariat).values
    assert values["invitations_sent_on"] == "2026-03-04" and values["course_name"] == course.course.name
