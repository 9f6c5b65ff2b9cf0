"""The process owner's pages through Flask's test client: who may use them, deploying what the
modeller sends (and refusing what it must not deploy), versions, and migrating running instances."""
from __future__ import annotations

import json

import pytest

from tests.coomet import REPO, CourseDriver, deploy_with_people
from tests.test_web import app, as_user, token  # noqa: F401  (the app fixture)

CREATION = (REPO / "processes" / "course_creation.bpmn").read_text(encoding="utf-8")


def deploy(client, xml: str, csrf: str | None = None, process: str = "course_creation"):
    headers = {"X-CSRFToken": csrf if csrf is not None else token(client, "/processes/")}
    return client.post(f"/processes/{process}/deploy", json={"xml": xml, "filename": f"{process}.bpmn"},
                       headers=headers)


def versions(engine, process="course_creation") -> list[int]:
    return [v.version for v in engine.process_versions(process)]


def test_only_process_owners_open_the_pages_or_deploy(app, engine):
    admin = as_user(app, "admin")
    for url in ("/processes/", "/processes/course_creation/versions", "/processes/course_creation/edit",
                "/processes/course_creation/versions/1.bpmn", "/processes/course_creation/migrate", "/forms/",
                "/forms/survey.json"):
        assert admin.get(url).status_code == 403, url
    response = admin.post("/processes/course_creation/deploy", json={"xml": CREATION},
                          headers={"X-CSRFToken": token(admin, "/")})
    assert response.status_code == 403
    assert admin.post("/forms/survey.json", data={"text": "{}", "csrf_token": token(admin, "/")}).status_code == 403
    assert versions(engine) == [1]
    owner = as_user(app, "owner")
    page = owner.get("/processes/").get_data(as_text=True)
    assert "course_creation" in page and "csb_agreeing" in page


def test_a_deploy_without_csrf_token_changes_nothing(app, engine):
    owner = as_user(app, "owner")
    changed = CREATION.replace("Survey materials and plans (6.1)", "Survey (6.1)")
    assert deploy(owner, changed, csrf="").status_code == 400
    assert versions(engine) == [1]


def test_deploy_reports_new_version_unchanged_and_problems(app, engine):
    owner = as_user(app, "owner")
    assert deploy(owner, CREATION).get_json()["unchanged"] == [{"process": "course_creation", "version": 1}]
    changed = CREATION.replace("Survey materials and plans (6.1)", "Survey (6.1)")
    report = deploy(owner, changed).get_json()
    assert report["deployed"] == [{"process": "course_creation", "version": 2}]
    assert engine.process_versions("course_creation")[0].deployed_by == "owner"

    broken = changed.replace('sourceRef="m_start"', 'sourceRef="nowhere"', 1)
    response = deploy(owner, broken)
    assert response.status_code == 422 and versions(engine) == [2, 1]
    assert any("nowhere" in p["message"] and p["element"] for p in response.get_json()["problems"])


def test_hostile_or_malformed_uploads_are_refused_clearly(app, engine):
    owner = as_user(app, "owner")
    bomb = '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]>' + CREATION.split("?>", 1)[1]
    response = deploy(owner, bomb)
    assert response.status_code == 422 and "DOCTYPE" in json.dumps(response.get_json())
    assert deploy(owner, "<bpmn:definitions").status_code == 422
    response = owner.post("/processes/course_creation/deploy", data="not json",
                          headers={"X-CSRFToken": token(owner, "/"), "Content-Type": "application/json"})
    assert response.status_code == 400 and "JSON" in response.get_json()["error"]
    huge = deploy(owner, CREATION + "<!--" + "x" * (5 * 1024 * 1024) + "-->")
    assert huge.status_code == 413
    assert versions(engine) == [1]


def test_versions_page_shows_changes_and_instances_per_version(app, engine):
    CourseDriver(engine)
    owner = as_user(app, "owner")
    deploy(owner, CREATION.replace('value="survey.json"', 'value="acknowledgement.json"'))
    page = owner.get("/processes/course_creation/versions").get_data(as_text=True)
    assert "m_survey" in page and "acknowledgement.json" in page
    assert owner.get("/processes/course_creation/versions/1.bpmn").get_data(as_text=True) == CREATION


def test_migration_plan_then_migrate_the_safe_instance(app, engine):
    ahead = CourseDriver(engine, course_name="Past the survey")
    ahead.do("m_survey", "tc4")
    behind = CourseDriver(engine, course_name="At the survey")
    owner = as_user(app, "owner")
    deploy(owner, CREATION.replace('value="survey.json"', 'value="acknowledgement.json"'))

    plan = owner.get("/processes/course_creation/migrate?to=2").get_data(as_text=True)
    assert plan.count('class="safe"') == 1 and plan.count('class="unsafe"') == 1
    assert "m_survey" in plan.split('class="unsafe"')[1]
    response = owner.post("/processes/course_creation/migrate", data={
        "to": "2", "instance": [ahead.instance, behind.instance], "csrf_token": token(owner, "/processes/")})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "migrated to version 2" in page and "not migrated" in page
    assert engine.instance(ahead.instance).definition_version == 2
    assert engine.instance(behind.instance).definition_version == 1
    ahead.do("m_appoint", "admin")
    assert all(outcome.ok for outcome in engine.replay_course(ahead.course.id))


def test_a_deployed_file_is_served_as_a_download_never_as_a_page(app):
    response = as_user(app, "owner").get("/processes/course_creation/versions/1.bpmn")
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response.headers["Content-Security-Policy"]


def test_text_that_is_not_unicode_is_a_problem_not_a_crash(app, engine):
    owner = as_user(app, "owner")
    response = deploy(owner, CREATION.replace("Survey materials", "Survey \ud800 materials"))
    assert response.status_code == 422 and "Unicode" in response.get_json()["problems"][0]["message"]
    preview = owner.post("/forms/preview", json={"name": "x.json", "text": "\ud800"},
                         headers={"X-CSRFToken": token(owner, "/forms/")})
    assert preview.status_code == 200 and "Unicode" in preview.get_json()["problems"][0]
    assert versions(engine) == [1]


def test_form_editor_refuses_bad_requests_and_field_less_schemas(app, engine):
    owner = as_user(app, "owner")
    csrf = {"X-CSRFToken": token(owner, "/forms/")}
    assert owner.post("/forms/preview", json=[1], headers=csrf).status_code == 400
    response = owner.get("/forms/new?name=../evil", follow_redirects=True)
    assert "is not allowed" in response.get_data(as_text=True)
    before = engine.forms()["survey.json"]
    response = owner.post("/forms/survey.json", data={
        "text": '{"type": "object", "properties": {"a": true}}', "csrf_token": token(owner, "/forms/")})
    assert response.status_code == 422 and "schema object" in response.get_data(as_text=True)
    assert engine.forms()["survey.json"] == before and versions(engine) == [1]


def test_only_a_process_owner_may_be_named_as_the_deployer(engine):
    from engine import NotAllowed, NotFound
    deploy_with_people(engine)
    with pytest.raises(NotAllowed):
        engine.deploy_directory(REPO / "processes", REPO / "forms", actor="admin")
    with pytest.raises(NotFound):
        engine.deploy_directory(REPO / "processes", REPO / "forms", actor="nobody")


def test_a_deploy_with_problems_leaves_the_form_library_as_it_was(engine, tmp_path):
    deploy_with_people(engine)
    (tmp_path / "processes").mkdir()
    (tmp_path / "processes" / "broken.bpmn").write_text("<bpmn:definitions", encoding="utf-8")
    (tmp_path / "forms").mkdir()
    (tmp_path / "forms" / "survey.json").write_text('{"type": "object", "title": "changed"}', encoding="utf-8")
    report = engine.deploy_directory(tmp_path / "processes", tmp_path / "forms")
    assert not report.ok and engine.forms()["survey.json"].get("title") != "changed"


def test_a_library_form_downloads_as_json(app, engine):
    response = as_user(app, "owner").get("/forms/survey.json/download")
    assert response.headers["Content-Disposition"] == "attachment; filename=survey.json"
    assert json.loads(response.get_data(as_text=True)) == engine.forms()["survey.json"]
