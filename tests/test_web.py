"""The web app through Flask's test client, on the real COOMET processes: every view, and every refusal."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from engine.base.models import Event
from tests.coomet import CourseDriver, deploy_with_people
from webapp.app import create_app


@pytest.fixture
def app(engine):
    deploy_with_people(engine)
    return create_app(engine, TESTING=True, TICK_SECONDS=0)


def token(client, url="/login"):
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(url).get_data(as_text=True)).group(1)


def login(client, user, password="pw"):
    return client.post("/login", data={"login": user, "password": password, "csrf_token": token(client)})


def as_user(app, user):
    client = app.test_client()
    assert login(client, user).status_code == 302
    return client


def task_of(engine, course, bpmn_id):
    (task,) = [t for t in course.open() if t.bpmn_id == bpmn_id]
    return task


def test_login_required_and_wrong_password(app):
    client = app.test_client()
    assert client.get("/").status_code == 302 and client.get("/courses/").status_code == 302
    response = login(client, "admin", "nope")
    assert response.status_code == 401 and "Wrong login or password" in response.get_data(as_text=True)
    assert login(client, "admin").status_code == 302
    assert "My tasks" in client.get("/").get_data(as_text=True)
    client.post("/logout", data={"csrf_token": token(client, "/")})
    assert client.get("/").status_code == 302


def test_session_cookie_is_httponly_and_samesite(app):
    client = app.test_client()
    response = login(client, "admin")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_inbox_lists_my_tasks_with_course_count_and_filters(app, engine):
    course = CourseDriver(engine)
    course.do("m_survey", "tc4")
    CourseDriver(engine, course_name="Second course")
    page = as_user(app, "tc4").get("/").get_data(as_text=True)
    assert page.count('href="/tasks/') == 1 and "Second course" in page
    assert re.search(r'id="inbox-count">1<', page)
    admin = as_user(app, "admin")
    assert "Request materials, appoint creator" in admin.get("/").get_data(as_text=True)
    filtered = admin.get(f"/?course={course.course.id}&process=course_creation&role=sector_administrator")
    assert filtered.get_data(as_text=True).count('href="/tasks/') == 1
    assert admin.get("/?process=course_review").get_data(as_text=True).count('href="/tasks/') == 0


def test_overdue_task_is_highlighted(app, engine, clock):
    course = CourseDriver(engine)
    course.prepare()
    course.do("a_send", "implementer", review_days=5)
    clock.advance(days=3)
    client = as_user(app, "chair-tc13")
    course.do("c_assign", "chair-tc13", scope="TC 1.3")
    assert "overdue" not in client.get("/").get_data(as_text=True)
    clock.advance(days=5, seconds=1)  # the 5-day timeframe runs from the review task
    page = client.get("/").get_data(as_text=True)
    assert 'class="overdue"' in page and "overdue</strong>" in page


def test_task_form_submits_and_moves_the_course_on(app, engine):
    course = CourseDriver(engine)
    task = task_of(engine, course, "m_survey")
    client = as_user(app, "tc4")
    page = client.get(f"/tasks/{task.id}").get_data(as_text=True)
    assert "Clause 6.1" in page and 'name="csbs"' in page and ">TC 1.3<" in page
    version = engine.task(task.id).instance_version
    response = client.post(f"/tasks/{task.id}", data={
        "csrf_token": token(client, f"/tasks/{task.id}"), "instance_version": version,
        "materials_available": "yes", "post_this_year": "yes", "languages": "en+ru", "format": "h5p",
        "csbs": ["TC 1.3", "TC 2"], "procedural": "no"})
    assert response.status_code == 302
    assert course.course.status == "planned" and course.bpmn_ids() == ["m_appoint"]


def test_invalid_form_shows_errors_next_to_fields_and_keeps_input(app, engine):
    course = CourseDriver(engine)
    task = task_of(engine, course, "m_survey")
    client = as_user(app, "tc4")
    response = client.post(f"/tasks/{task.id}", data={
        "csrf_token": token(client, f"/tasks/{task.id}"), "instance_version": engine.task(task.id).instance_version,
        "survey_notes": "typed by hand", "planned_year": "soon"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    field = re.search(r'data-field="materials_available".*?</div>', page, re.S).group(0)
    assert "Fill in this field." in field
    assert "typed by hand" in page and "Enter a number." in page
    assert course.bpmn_ids() == ["m_survey"]


def test_stale_form_is_explained_not_crashed(app, engine):
    course = CourseDriver(engine)
    course.prepare(csbs=("TC 1.3", "TC 2"))
    course.send_for_agreeing(csbs=("TC 1.3", "TC 2"))
    client = as_user(app, "chair-tc2")
    (task,) = course.open("chair-tc2")
    version = engine.task(task.id).instance_version
    course.do("c_assign", "chair-tc13", scope="TC 1.3")  # someone else changes the course meanwhile
    response = client.post(f"/tasks/{task.id}", data={"csrf_token": token(client, f"/tasks/{task.id}"),
                                                      "instance_version": version, "reviewer": "chair"},
                           follow_redirects=True)
    assert "after you opened the form" in response.get_data(as_text=True)
    assert [t.id for t in course.open("chair-tc2")] == [task.id]


def test_completed_task_url_explains_who_did_it(app, engine):
    course = CourseDriver(engine)
    task = task_of(engine, course, "m_survey")
    course.do("m_survey", "tc4")
    page = as_user(app, "tc4").get(f"/tasks/{task.id}", follow_redirects=True).get_data(as_text=True)
    assert "already completed by tc4" in page


def test_other_roles_and_scopes_are_refused_even_with_the_url(app, engine):
    course = CourseDriver(engine)
    course.prepare(csbs=("TC 1.3", "TC 2"))
    course.send_for_agreeing(csbs=("TC 1.3", "TC 2"))
    tc13 = next(t for t in course.open("chair-tc13"))
    client = as_user(app, "chair-tc2")
    assert client.get(f"/tasks/{tc13.id}").status_code == 403
    assert client.post(f"/tasks/{tc13.id}", data={"csrf_token": token(client, "/"), "reviewer": "chair"}
                       ).status_code == 403
    assert as_user(app, "creator").get(f"/tasks/{tc13.id}").status_code == 403
    assert client.get("/tasks/00000000-0000-0000-0000-000000000000").status_code == 404
    assert [t.id for t in course.open("chair-tc13")] == [tc13.id]


def test_missing_csrf_is_refused_and_nothing_changes(app, engine):
    course = CourseDriver(engine)
    task = task_of(engine, course, "m_survey")
    client = as_user(app, "tc4")
    response = client.post(f"/tasks/{task.id}", data={"materials_available": "yes"})
    assert response.status_code == 400 and "CSRF" in response.get_data(as_text=True)
    assert course.bpmn_ids() == ["m_survey"]


def test_claim_and_release(app, engine):
    course = CourseDriver(engine)
    course.prepare(csbs=(), procedural=True)
    course.send_for_agreeing(csbs=(), procedural=True)
    task = task_of(engine, course, "a_sec")
    engine.add_user("sec2", ["secretariat"], "pw")
    mine, other = as_user(app, "secretariat"), as_user(app, "sec2")
    assert mine.post(f"/tasks/{task.id}/claim", data={"csrf_token": token(mine, "/")}).status_code == 302
    assert "claimed by secretariat" in other.get("/").get_data(as_text=True)
    shown = other.get(f"/tasks/{task.id}")  # issue 13: read-only, who holds it and since when
    assert shown.status_code == 200 and 'id="claimed-by"' in shown.get_data(as_text=True)
    assert other.post(f"/tasks/{task.id}", data={"csrf_token": token(other, "/")}).status_code == 403
    assert other.post(f"/tasks/{task.id}/release", data={"csrf_token": token(other, "/")}).status_code == 403
    mine.post(f"/tasks/{task.id}/release", data={"csrf_token": token(mine, "/")})
    assert other.get(f"/tasks/{task.id}").status_code == 200


def test_task_page_shows_course_summary_and_earlier_sheets(app, engine):
    course = CourseDriver(engine)
    course.prepare()
    course.send_for_agreeing()
    course.chair_agrees("chair-tc13", "TC 1.3", complies=False, requires_refinement=True,
                        what_to_refine="Rework example 3.")
    refine = task_of(engine, course, "c_refine")
    page = as_user(app, "implementer").get(f"/tasks/{refine.id}").get_data(as_text=True)
    assert "Earlier sheets" in page and "Rework example 3." in page
    assert "Sheet for agreeing on a COOMET course in the specialized CSB: initial agreeing" in page


def test_courses_lists_course_page_and_printable_sheet(app, engine):
    published = CourseDriver(engine)
    published.publish_one_csb_course()
    planned = CourseDriver(engine, course_name="Planned course")
    client = as_user(app, "auditor")
    listing = client.get("/courses/?which=list").get_data(as_text=True)
    assert "Planned course" in listing and "Uncertainty of measurement" in listing
    catalogue = client.get("/courses/?which=catalogue").get_data(as_text=True)
    assert "Uncertainty of measurement" in catalogue and "Planned course" not in catalogue
    assert client.get("/courses/?which=bogus").status_code == 404
    page = client.get(f"/courses/{planned.course.id}").get_data(as_text=True)
    assert 'id="course-status">planned<' in page and "Survey materials and plans" in page
    course_page = client.get(f"/courses/{published.course.id}").get_data(as_text=True)
    seq = re.search(r'/sheets/(\d+)">Form for approving a COOMET course<', course_page).group(1)
    sheet = client.get(f"/courses/{published.course.id}/sheets/{seq}").get_data(as_text=True)
    assert "Proper course description" in sheet and "Signed electronically by Alla Admin" in sheet
    assert client.get(f"/courses/{published.course.id}/sheets/999999").status_code == 404
    assert client.get("/courses/424242").status_code == 404


def test_sector_administrator_starts_a_course_others_may_not(app, engine):
    admin = as_user(app, "admin")
    assert 'name="course_name"' in admin.get("/courses/new").get_data(as_text=True)
    bad = admin.post("/courses/new", data={"csrf_token": token(admin, "/courses/new"), "course_name": ""})
    assert bad.status_code == 422 and "Fill in this field." in bad.get_data(as_text=True)
    response = admin.post("/courses/new", data={"csrf_token": token(admin, "/courses/new"),
                                                "submission": "s" * 24, "course_name": "Hydrometry",
                                                "initiator": "VNIIM"})
    assert response.status_code == 302 and [c.name for c in engine.courses()] == ["Hydrometry"]
    creator = as_user(app, "creator")
    assert creator.get("/courses/new").status_code == 403
    assert creator.post("/courses/new", data={"csrf_token": token(creator, "/"), "course_name": "X",
                                              "initiator": "Y"}).status_code == 403
    assert len(engine.courses()) == 1


def test_inspection_request_from_the_course_page(app, engine):
    course = CourseDriver(engine)
    course.publish_one_csb_course()
    url = f"/courses/{course.course.id}/inspection"
    creator = as_user(app, "creator")
    assert creator.post(url, data={"csrf_token": token(creator, "/")}).status_code == 403
    tc4 = as_user(app, "tc4")
    tc4.post(url, data={"csrf_token": token(tc4, "/"), "reason": "new GUM"})
    assert course.course.status == "under inspection"


def test_public_questionnaire_is_anonymous(app, engine):
    course = CourseDriver(engine)
    course.publish_one_csb_course()
    anonymous = app.test_client()
    url = f"/survey/{course.course.id}"
    page = anonymous.get(url).get_data(as_text=True)
    assert "Course relevance and practical utility" in page and 'name="course_id"' not in page
    bad = anonymous.post(url, data={"csrf_token": token(anonymous, url), "relevance": "excellent"})
    assert bad.status_code == 422
    answers = {"relevance": "excellent", "theoretical_utility": "good", "material_quality": "good",
               "material_presentation": "satisfactory", "proposals": "More exercises"}
    done = anonymous.post(url, data={"csrf_token": token(anonymous, url), **answers}, follow_redirects=True)
    assert "recorded anonymously" in done.get_data(as_text=True)
    with engine.db.read() as session:
        started = session.scalars(select(Event).where(Event.kind == "instance_started",
                                                      Event.process_id == "satisfaction")).one()
    assert started.actor == "anonymous" and "More exercises" in started.data_json
    unpublished = CourseDriver(engine, course_name="Not yet")
    assert anonymous.get(f"/survey/{unpublished.course.id}").status_code == 404


def test_people_page_is_for_the_sector_administrator_and_audited(app, engine):
    assert as_user(app, "creator").get("/admin/users").status_code == 403
    admin = as_user(app, "admin")
    assert "member-tc13" in admin.get("/admin/users").get_data(as_text=True)
    csrf = token(admin, "/admin/users")
    admin.post("/admin/users", data={"csrf_token": csrf, "login": "newchair", "name": "New Chair",
                                     "role": "csb_chair", "csb": "TC 2"})
    admin.post("/admin/users/newchair/grants", data={"csrf_token": csrf, "role": "tc4"})
    admin.post("/admin/users/newchair/revoke", data={"csrf_token": csrf, "role": "csb_chair", "csb": "TC 2"})
    bad = admin.post("/admin/users/newchair/grants", data={"csrf_token": csrf, "role": "csb_chair",
                                                           "csb": "TC 99"}, follow_redirects=True)
    assert "There is no CSB TC 99 in the CSB list." in bad.get_data(as_text=True)
    admin.post("/admin/users/newchair/active", data={"csrf_token": csrf, "active": "no"})
    assert engine.actor("admin") and not engine.person("newchair").active
    with engine.db.read() as session:
        kinds = [e.kind for e in session.scalars(select(Event).where(Event.actor == "admin"))]
    assert kinds == ["user_added", "role_granted", "role_revoked", "user_deactivated"]


def test_switching_to_russian_shows_russian_labels_and_is_remembered(app, engine):
    course = CourseDriver(engine)
    task = task_of(engine, course, "m_survey")
    client = as_user(app, "tc4")
    client.post("/language", data={"csrf_token": token(client, "/"), "lang": "ru", "next": "/"})
    inbox = client.get("/").get_data(as_text=True)
    assert "Мои задачи" in inbox and "Опрос о материалах и планах (6.1)" in inbox
    form = client.get(f"/tasks/{task.id}").get_data(as_text=True)
    assert "Материалы для курса имеются" in form and "ДА" in form
    again = as_user(app, "tc4")  # a new session: the choice is the user's
    assert "Мои задачи" in again.get("/").get_data(as_text=True)


def test_auditor_reads_the_history_filters_it_and_proves_it(app, engine):
    course = CourseDriver(engine)
    course.publish_one_csb_course()
    client = as_user(app, "auditor")
    url = f"/courses/{course.course.id}/history"
    page = client.get(url).get_data(as_text=True)
    assert "process started" in page and "Review the course: Appendix 2" in page and "v1" in page
    filtered = client.get(f"{url}?process=csb_agreeing").get_data(as_text=True)
    assert "Agree on the course: Appendix 1" in filtered and "Appendix 2" not in filtered
    assert "Survey materials" not in client.get(f"{url}?actor=chair-tc13").get_data(as_text=True)
    assert "No events match." in client.get(f"{url}?since=2030-01-01").get_data(as_text=True)
    bad = client.get(f"{url}?since=yesterday")  # issue 13: a form error beside the field, not a bare 400
    assert bad.status_code == 200 and "“yesterday” is not a date" in bad.get_data(as_text=True)
    proved = client.get(f"{url}?replay=1").get_data(as_text=True)
    assert re.search(r'id="replay-outcome">§6 Creation \(\d+ events\): reproduced', proved)
    assert 'id="replay-checked">Checked <time' in proved  # the verdict says when it was checked (issue 13)


def test_diagram_marks_the_path_taken(app, engine):
    course = CourseDriver(engine)
    course.prepare()
    course.send_for_agreeing()
    page = as_user(app, "auditor").get(f"/courses/{course.course.id}/diagram").get_data(as_text=True)
    assert page.count("<svg") == 3  # §6, §7 and the CSB's agreeing
    assert re.search(r'<g class="userTask done" data-element="m_survey"', page)
    assert re.search(r'<g class="userTask open" data-element="c_assign"', page)
    assert re.search(r'<g class="userTask" data-element="m_finalize"', page)  # not reached yet
    assert 'class="flow taken"' in page


def test_stepping_through_a_history(app, engine):
    course = CourseDriver(engine)
    course.prepare()
    client = as_user(app, "auditor")
    first = client.get(f"/courses/{course.course.id}/replay").get_data(as_text=True)
    assert "Step 1 of 5" in first and "process started" in first
    assert "Survey materials and plans (6.1) — TC 4" in first  # open then, and who could act
    assert re.search(r'<g class="userTask open" data-element="m_survey"', first)
    third = client.get(f"/courses/{course.course.id}/replay?step=3").get_data(as_text=True)
    assert "task completed: Request materials" in third and "Provide the course description data" in third
    assert re.search(r'<g class="userTask done" data-element="m_appoint"', third)
    assert "creator" in third  # the data the process held (the appointment form)
    assert "Step 5 of 5" in client.get(f"/courses/{course.course.id}/replay?step=99").get_data(as_text=True)
