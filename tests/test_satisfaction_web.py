"""§11 in the web app (Flask test client): the results page with its charts and exports, who may see it,
and the questionnaire's single-use codes (11.1, 11.2)."""
from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from openpyxl import load_workbook

from tests.coomet import CourseDriver, deploy_with_people
from tests.test_web import as_user, token
from webapp.app import create_app

GRADES = ("relevance", "theoretical_utility", "material_quality", "material_presentation")


@pytest.fixture
def app(engine):
    deploy_with_people(engine)
    return create_app(engine, TESTING=True, TICK_SECONDS=0)


@pytest.fixture
def course(app, engine, clock):
    driver = CourseDriver(engine)
    driver.publish_one_csb_course()
    clock.set(dt.datetime(2026, 2, 10, 9, 0, tzinfo=dt.UTC))
    return driver.course


def answer(engine, course_id, *grades, **more):
    engine.answer_questionnaire(course_id, {**dict(zip(GRADES, grades, strict=True)), **more})


def test_the_results_page_draws_the_grades_and_exports_them_11_1(app, engine, course):
    answer(engine, course.id, "excellent", "good", "good", "good", proposals="More <b>examples</b>.")
    answer(engine, course.id, "good", "good", "satisfactory", "good")
    answer(engine, course.id, "good", "unsatisfactory", "good", "good")
    client = as_user(app, "coordinator")
    page = client.get(f"/courses/{course.id}").get_data(as_text=True)
    assert f'/courses/{course.id}/satisfaction' in page
    page = client.get(f"/courses/{course.id}/satisfaction").get_data(as_text=True)
    assert 'id="answer-count">3<' in page and "Excellent 4" in page
    relevance = page.split('data-criterion="relevance"')[1].split("</div>")[0]
    assert '<strong class="mean">3.33</strong>' in relevance and "Excellent: 1 · Good: 2" in relevance
    assert relevance.count("<rect") == 2  # the two grades given, as bars
    assert "More &lt;b&gt;examples&lt;/b&gt;." in page  # comments are text, never markup

    rows = client.get(f"/courses/{course.id}/satisfaction.csv").get_data(as_text=True).lstrip("\ufeff").splitlines()
    assert rows[0] == "Answers,3" and "Course relevance and practical utility,1,2,0,0,3.33" in rows
    book = load_workbook(io.BytesIO(client.get(f"/courses/{course.id}/satisfaction.xlsx").data))
    values = [list(row) for row in book.active.iter_rows(values_only=True)]
    assert ["Theoretical utility", 0, 2, 0, 1, 2.33] in [row[:6] for row in values]

    client.post("/language", data={"lang": "ru", "csrf_token": token(client, f"/courses/{course.id}")})
    russian = client.get(f"/courses/{course.id}/satisfaction").get_data(as_text=True)
    assert "Отлично (4)" in russian and "Актуальность и практическая полезность курса" in russian


def test_a_small_group_is_only_counted_and_a_bad_period_is_said_so(app, engine, course):
    answer(engine, course.id, "excellent", "good", "good", "good", proposals="I am the only one from my NMI.")
    client = as_user(app, "admin")
    page = client.get(f"/courses/{course.id}/satisfaction").get_data(as_text=True)
    assert 'id="small-group"' in page and "only one from my NMI" not in page and "<rect" not in page
    assert "only one from my NMI" not in client.get(f"/courses/{course.id}/satisfaction.csv").get_data(as_text=True)
    response = client.get(f"/courses/{course.id}/satisfaction?period=spring", follow_redirects=True)
    assert response.status_code == 200 and "FROM..TO" in response.get_data(as_text=True)


@pytest.mark.parametrize("login, status", [("coordinator", 200), ("tc4", 200), ("auditor", 200),
                                           ("creator", 403), ("secretariat", 403)])
def test_only_the_coordinator_administrators_tc4_and_auditors_open_the_results(app, course, login, status):
    client = as_user(app, login)
    assert client.get(f"/courses/{course.id}/satisfaction").status_code == status
    assert client.get(f"/courses/{course.id}/satisfaction.xlsx").status_code == status
    assert ("/satisfaction\"" in client.get(f"/courses/{course.id}").get_data(as_text=True)) == (status == 200)


def test_codes_close_the_questionnaire_to_anyone_without_one(app, engine, course):
    coordinator = as_user(app, "coordinator")
    csrf = token(coordinator, f"/courses/{course.id}/satisfaction")
    assert as_user(app, "creator").post(f"/courses/{course.id}/questionnaire/codes",
                                        data={"count": "2", "csrf_token": csrf}).status_code in (400, 403)
    coordinator.post(f"/courses/{course.id}/questionnaire/access", data={"mode": "codes", "csrf_token": csrf})
    page = coordinator.post(f"/courses/{course.id}/questionnaire/codes",
                            data={"count": "2", "csrf_token": csrf}).get_data(as_text=True)
    codes = re.findall(r"<li>([A-Z2-9]{5}-[A-Z2-9]{5})</li>", page)
    assert len(codes) == 2

    student = app.test_client()
    form = {"relevance": "good", "theoretical_utility": "good", "material_quality": "good",
            "material_presentation": "good", "csrf_token": token(student, f"/survey/{course.id}")}
    refused = student.post(f"/survey/{course.id}", data=form)
    assert refused.status_code == 422 and "valid code" in refused.get_data(as_text=True)
    assert student.post(f"/survey/{course.id}", data={**form, "code": codes[0]}).status_code == 302  # then a thank-you page
    classmate = app.test_client()  # another student trying the same code
    again = classmate.post(f"/survey/{course.id}", data={**form, "code": codes[0],
                                                         "csrf_token": token(classmate, f"/survey/{course.id}")})
    assert again.status_code == 422 and engine.satisfaction(course.id).answers == 1


def test_the_history_shows_an_answer_only_by_its_quarter_11_1(app, engine, course, clock):
    clock.set(dt.datetime(2026, 2, 10, 14, 37, tzinfo=dt.UTC))
    answer(engine, course.id, "good", "good", "good", "good")
    page = as_user(app, "auditor").get(f"/courses/{course.id}/history").get_data(as_text=True)
    assert "2026-Q1" in page and "2026-02-10 14:37" not in page
