"""The auditor's workspace (issue 13): dossier downloads, the whole-log check, the step-through across instances.

Every test runs on SQLite and PostgreSQL (the ``engine`` fixture).
"""
from __future__ import annotations

import io
import json
import re

import pytest
from click.testing import CliRunner
from sqlalchemy import text

from engine import NotFound
from tests.coomet import CourseDriver, deploy_with_people
from webapp.app import create_app
from webapp.cli import main


@pytest.fixture
def app(engine):
    deploy_with_people(engine)
    return create_app(engine, TESTING=True, TICK_SECONDS=0)


@pytest.fixture
def published(app, engine):
    course = CourseDriver(engine)
    course.publish_one_csb_course()
    return course


def as_user(app, user):
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    assert client.post("/login", data={"login": user, "password": "pw", "csrf_token": token}).status_code == 302
    return client


def csrf(client, url):
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(url).get_data(as_text=True)).group(1)


def test_course_page_offers_the_three_dossiers_to_history_readers_only(app, published):
    url = f"/courses/{published.course.id}"
    page = as_user(app, "auditor").get(url).get_data(as_text=True)
    for kind in ("json", "html", "pdf"):
        assert f'href="/courses/{published.course.id}/dossier.{kind}"' in page
    assert "dossier.json" not in as_user(app, "creator").get(url).get_data(as_text=True)
    assert as_user(app, "creator").get(f"{url}/dossier.json").status_code == 403


def test_downloaded_json_dossier_verifies_with_verify_dossier(app, published, tmp_path, monkeypatch):
    response = as_user(app, "auditor").get(f"/courses/{published.course.id}/dossier.json")
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    path = tmp_path / "downloaded.json"
    path.write_bytes(response.data)
    monkeypatch.setenv("COURSEFLOW_DATABASE_URL", "postgresql://nobody@127.0.0.1:1/none")  # offline: no database
    verified = CliRunner().invoke(main, ["verify-dossier", str(path)])
    assert verified.exit_code == 0 and "The dossier verifies" in verified.output, verified.output
    changed = response.data.replace(b'"status": "published"', b'"status": "cancelled"', 1)
    path.write_bytes(changed)
    assert CliRunner().invoke(main, ["verify-dossier", str(path)]).exit_code == 1


def test_html_dossier_is_self_contained_and_shows_log_signers_versions_digest_verdict(app, engine, published):
    response = as_user(app, "auditor").get(f"/courses/{published.course.id}/dossier.html")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    assert "<style>" in html and not re.search(r"<link|<script|<button|<form|src=|@import|url\(", html)
    exported = engine.export_dossier(published.course.id)
    for instance in exported["instances"]:
        assert f'data-instance="{instance["id"]}"' in html
        for event in instance["events"]:
            assert event["hash"] in html
    for definition in exported["definitions"].values():
        assert definition["sha256"] in html
    assert re.search(r'id="dossier-digest">[0-9a-f]{64}<', html)
    assert "Every instance was reproduced" in html
    signers = re.search(r'id="dossier-signers">.*?</table>', html, re.S).group(0)
    # Appendix 1 from the TC 1.3 chair (7.3), Appendix 2 from the sector administrator (8.1), each with the date
    assert "chair-tc13" in signers and "TC 1.3" in signers and "admin" in signers
    assert "Appendix 2" in signers or "Review the course" in signers


def test_html_dossier_in_russian(app, published):
    client = as_user(app, "auditor")
    client.post("/language", data={"csrf_token": csrf(client, "/"), "lang": "ru", "next": "/"})
    html = client.get(f"/courses/{published.course.id}/dossier.html").get_data(as_text=True)
    assert "Досье" in html and "Журнал событий" in html and "Подписавшие" in html


def test_pdf_dossier_holds_the_event_log_and_digest(app, engine, published):
    from pypdf import PdfReader

    response = as_user(app, "auditor").get(f"/courses/{published.course.id}/dossier.pdf")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(response.data))
    words = "".join(page.extract_text() for page in reader.pages)
    flat = re.sub(r"\s+", "", words)
    exported = engine.export_dossier(published.course.id)
    first = exported["instances"][0]["events"][0]["hash"]
    assert first in flat and "chair-tc13" in words and "Every instance was reproduced" in re.sub(r"\s+", " ", words)


def test_verify_whole_log_page_says_intact_then_where_it_was_altered(app, engine, published):
    client = as_user(app, "auditor")
    page = client.get("/audit").get_data(as_text=True)
    assert 'id="verify-log"' in page and 'id="verify-result"' not in page
    done = client.post("/audit", data={"csrf_token": csrf(client, "/audit")}).get_data(as_text=True)
    assert "The event log is intact." in done
    events = int(re.search(r'id="verify-events">(\d+) / (\d+)<', done).group(1))
    with engine.db.engine.begin() as connection:
        total = connection.execute(text("SELECT count(*) FROM events")).scalar()
        seq, instance = connection.execute(text(
            "SELECT seq, instance_id FROM events WHERE kind = 'task_completed' ORDER BY seq LIMIT 1 OFFSET 2")).one()
        connection.execute(text("UPDATE events SET actor = 'intruder' WHERE seq = :s"), {"s": seq})
    assert events == total
    altered = client.post("/audit", data={"csrf_token": csrf(client, "/audit")}).get_data(as_text=True)
    problems = re.search(r'id="verify-problems">.*?</table>', altered, re.S).group(0)
    assert "The event log was altered." in altered
    assert f"<td>{seq}</td>" in problems and instance in problems and "was edited" in problems
    assert f'href="/courses/{published.course.id}/history"' in problems


def test_verify_whole_log_is_for_history_readers_only(app, published):
    assert as_user(app, "creator").get("/audit").status_code == 403
    assert 'id="audit-link"' in as_user(app, "auditor").get("/").get_data(as_text=True)
    assert 'id="audit-link"' not in as_user(app, "creator").get("/").get_data(as_text=True)


def test_steps_cover_every_instance_of_the_course_in_log_order(app, engine, published):
    answer = engine.answer_questionnaire(published.course.id, dict(published.sheets["appendix3.json"]))
    steps = engine.steps(published.course.id)
    assert [s.seq for s in steps] == sorted(s.seq for s in steps)
    # the creation, the first inspection cycle it continued with (13.1), and the questionnaire answer
    assert {s.instance_id for s in steps} == {published.first_instance, published.instance, answer}
    assert steps[0].process_id == "course_creation" and steps[0].definition_id is not None
    last = steps[-1]
    assert last.instance_id == answer and last.process_id == "satisfaction"
    drawn = engine.diagrams(published.course.id, last.path, instance_id=last.instance_id,
                            definition_id=last.definition_id)
    assert drawn[0].process_id == "satisfaction" and "BPMNDiagram" in drawn[0].xml
    other = CourseDriver(engine, course_name="Another course")
    with pytest.raises(NotFound, match="not one of course"):
        engine.diagrams(published.course.id, instance_id=other.instance)


def test_each_csb_agreeing_is_drawn_on_its_own_with_its_own_path_7_3(app, engine):
    course = CourseDriver(engine)
    course.prepare(csbs=("TC 1.3", "TC 2"))
    course.send_for_agreeing(csbs=("TC 1.3", "TC 2"))
    course.do("c_assign", "chair-tc13", scope="TC 1.3")
    agreeing = [d for d in engine.diagrams(course.course.id) if d.process_id == "csb_agreeing"]
    assert [d.key for d in agreeing] == ["TC 1.3", "TC 2"]
    tc13, tc2 = agreeing
    assert "c_assign" in tc13.done and "c_assign" not in tc13.open
    assert "c_assign" in tc2.open and "c_assign" not in tc2.done
    page = as_user(app, "auditor").get(f"/courses/{course.course.id}/replay?step=99").get_data(as_text=True)
    assert page.count('class="bpmn-viewer" data-process="csb_agreeing"') == 2
    assert 'data-key="TC 1.3"' in page and 'data-key="TC 2"' in page
    viewer_data = re.findall(r'<script type="application/json">(.*?)</script>', page)
    lanes = [name for data in viewer_data for name in json.loads(data)["lanes"].values()]
    assert "Chair of the CSB" in lanes and "csb_chair" not in lanes  # lanes by role name, not key


def test_step_list_names_every_step_and_marks_the_current_one(app, engine, published):
    client = as_user(app, "auditor")
    total = len(engine.steps(published.course.id))
    page = client.get(f"/courses/{published.course.id}/replay?step=3").get_data(as_text=True)
    step_list = re.search(r'id="step-list".*?</ol>', page, re.S).group(0)
    assert step_list.count("data-step=") == total
    assert re.search(r'<li class="current" aria-current="step"><a href="[^"]*step=3"', step_list)
    assert "Chair of TC 1.3" in step_list and "task completed" in step_list


def test_a_countersigned_sheet_lists_both_signers_7_4():
    from engine.proof.dossier_report import signers

    event = {"actor": "member-tc13", "role": "csb_member", "scope": "TC 1.3"}
    form = {"signed_by": "Boris Member", "agreed_on": "2026-02-01",
            "countersignature": {"name": "Anna Chair", "login": "chair-tc13", "role": "csb_chair",
                                 "signed_on": "2026-02-03"}}
    found = signers(event, form)
    assert [(s.name, s.login, s.signed_on) for s in found] == [
        ("Boris Member", "member-tc13", "2026-02-01"), ("Anna Chair", "chair-tc13", "2026-02-03")]
    listed = signers(event, {"signers": [{"name": "Boris Member"}, {"name": "Anna Chair", "date": "2026-02-03"}]})
    assert [(s.name, s.login, s.signed_on) for s in listed] == [
        ("Boris Member", "member-tc13", None), ("Anna Chair", None, "2026-02-03")]
    chair = {"actor": "chair-tc13", "role": "csb_chair", "scope": "TC 1.3"}
    countersigned = signers(chair, {"member_signed_by": "Boris Member", "member_agreed_on": "2026-02-01",
                                    "countersign_decision": "countersign", "countersigned_by": "Anna Chair",
                                    "countersigned_on": "2026-02-03"})
    assert [(s.name, s.login, s.role, s.signed_on) for s in countersigned] == [
        ("Boris Member", None, "csb_member", "2026-02-01"), ("Anna Chair", "chair-tc13", "csb_chair", "2026-02-03")]


def test_a_log_too_big_for_the_web_is_sent_to_the_command_line(app, published, monkeypatch):
    monkeypatch.setenv("COURSEFLOW_VERIFY_WEB_LIMIT", "5")
    client = as_user(app, "auditor")
    response = client.post("/audit", data={"csrf_token": csrf(client, "/audit")})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and 'id="verify-too-big"' in page and "courseflow verify" in page
    assert 'id="verify-result"' not in page


def test_the_step_list_names_every_task_in_russian_for_a_russian_reader(app, engine, published):
    engine.set_language("auditor", "ru")
    page = as_user(app, "auditor").get(f"/courses/{published.course.id}/replay?step=2").get_data(as_text=True)
    step_list = re.search(r'id="step-list".*?</ol>', page, re.S).group(0)
    assert "Экспертиза курса: Приложение 2 (8.1, 8.2)" in step_list  # a step other than the one shown
    assert "Review the course: Appendix 2" not in step_list
