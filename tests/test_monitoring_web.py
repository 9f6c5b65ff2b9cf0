"""§9 monitoring pages through Flask's test client: who may see them, imports, refusals, exports, the overview."""
from __future__ import annotations

import io
import re

import pytest

from tests import moodle_files as mf
from tests.coomet import CourseDriver, deploy_with_people
from tests.test_monitoring import PEOPLE
from tests.test_web import as_user, token
from webapp.app import create_app


@pytest.fixture
def app(engine):
    deploy_with_people(engine)
    return create_app(engine, TESTING=True, TICK_SECONDS=0)


@pytest.fixture
def course(engine, app):
    driver = CourseDriver(engine)
    driver.do("m_survey", "tc4")
    driver.do("m_appoint", "admin")
    return driver.course.id


def upload(client, course, content, filename, **fields):
    data = {"csrf_token": token(client, f"/monitoring/courses/{course}"), "file": (io.BytesIO(content), filename),
            **fields}
    return client.post(f"/monitoring/courses/{course}/import", data=data, content_type="multipart/form-data",
                       follow_redirects=True)


def test_9_the_course_page_is_for_the_administrator_and_the_courses_coordinator(app, engine, course):
    engine.add_user("coordinator2", ["course_coordinator"], "pw")
    for login in ("creator", "coordinator2", "tc4", "auditor"):
        assert as_user(app, login).get(f"/monitoring/courses/{course}").status_code == 403
    assert as_user(app, "coordinator").get(f"/monitoring/courses/{course}").status_code == 200
    assert as_user(app, "admin").get("/monitoring/courses/999").status_code == 404
    assert as_user(app, "creator").get("/monitoring/").status_code == 403


def test_9_2_upload_shows_figures_and_a_refused_file_names_its_row(app, engine, course):
    client = as_user(app, "coordinator")
    page = upload(client, course, mf.excel_csv(mf.progress_rows(PEOPLE, "fr")), "progress.csv",
                  kind="activity-completion", to="2026-01-31").get_data(as_text=True)
    assert "Imported 3 rows: 3 participants (3 new), 3 activities; 9 results added, 0 updated." in page
    assert re.search(r'id="kpi-participants">3<', page) and re.search(r'id="kpi-completed">1<', page)
    assert "<svg class=\"chart\"" in page and "Anna Ivanova" in page
    again = upload(client, course, mf.excel_csv(mf.progress_rows(PEOPLE, "fr")), "progress.csv").get_data(as_text=True)
    assert "This file was imported before: nothing changed." in again
    rows = mf.progress_rows(PEOPLE)
    rows[3][4] = "<b>Fini</b>"
    refused = upload(client, course, mf.csv_utf8(rows), "bad.csv").get_data(as_text=True)
    assert "row 4, column 5" in refused and "&lt;b&gt;Fini&lt;/b&gt;" in refused and "<b>Fini" not in refused
    assert upload(client, course, b"", "empty.csv").status_code == 200


def test_9_2_upload_without_csrf_is_refused(app, course):
    client = as_user(app, "admin")
    response = client.post(f"/monitoring/courses/{course}/import", data={
        "file": (io.BytesIO(mf.csv_utf8(mf.progress_rows(PEOPLE))), "p.csv")}, content_type="multipart/form-data")
    assert response.status_code == 400


def test_9_exports_in_csv_and_xlsx_never_run_formulas(app, engine, course):
    people = [("=HYPERLINK(\"http://x\")", "evil@example.org", [("y", ""), ("n", ""), ("n", "")]), *PEOPLE]
    engine.import_monitoring(course, mf.csv_utf8(mf.progress_rows(people)), "p.csv", engine.actor("admin"))
    client = as_user(app, "admin")
    exported = client.get(f"/monitoring/courses/{course}/export/participants.csv").get_data(as_text=True)
    assert "'=HYPERLINK" in exported and "Anna Ivanova" in exported
    from openpyxl import load_workbook
    book = load_workbook(io.BytesIO(client.get(f"/monitoring/courses/{course}/export/activities.xlsx").data))
    assert [c.value for c in book.active[2]][:4] == ["Module 1. Units", 3, 0, 0]
    assert client.get(f"/monitoring/courses/{course}/export/secrets.csv").status_code == 404


def test_9_typed_figures_and_platform_link(app, engine, course):
    client = as_user(app, "admin")
    page = client.post(f"/monitoring/courses/{course}/figures", data={
        "csrf_token": token(client, f"/monitoring/courses/{course}"), "from": "2026-01-01", "to": "2026-01-31",
        "activity": ["Module 1. Units", ""], "views": ["40", ""], "participants": ["12", ""]},
        follow_redirects=True).get_data(as_text=True)
    assert "1 results added" in page and "Views per module and period" in page
    client.post(f"/monitoring/courses/{course}/platform", data={
        "csrf_token": token(client, f"/monitoring/courses/{course}"), "platform_course_id": "42",
        "platform_url": "javascript:alert(1)"}, follow_redirects=True)
    assert "javascript:" not in client.get(f"/monitoring/courses/{course}").get_data(as_text=True)
    client.post(f"/monitoring/courses/{course}/platform", data={
        "csrf_token": token(client, f"/monitoring/courses/{course}"), "platform_course_id": "42",
        "platform_url": "https://elearning.bipm.org/course/view.php?id=42"})
    assert 'href="https://elearning.bipm.org/course/view.php?id=42"' in \
        client.get(f"/monitoring/courses/{course}").get_data(as_text=True)


def test_9_3_overview_sorts_and_shows_the_indicator(app, engine, course):
    second = CourseDriver(engine, course_name="Second course").course.id
    engine.import_monitoring(course, mf.csv_utf8(mf.progress_rows(PEOPLE)), "p.csv", engine.actor("admin"))
    engine.import_monitoring(second, mf.csv_utf8(mf.progress_rows(PEOPLE[:1])), "q.csv", engine.actor("admin"))
    client = as_user(app, "tc4")
    page = client.get("/monitoring/?sort=participants&order=desc&from=2026-01-01&to=2026-12-31").get_data(as_text=True)
    assert "not met" in page and page.index("3</td>") < page.index("1</td>")
    ascending = client.get("/monitoring/?sort=participants&order=asc").get_data(as_text=True)
    assert ascending.index("Second course") < ascending.index(engine.course(course).name)
    russian = as_user(app, "admin")
    russian.post("/language", data={"lang": "ru", "csrf_token": token(russian, "/monitoring/")})
    assert "не выполнен" in russian.get("/monitoring/").get_data(as_text=True)
    assert "Проходной балл" in russian.get(f"/monitoring/courses/{course}").get_data(as_text=True)


def test_9_2_refused_imports_and_figures_say_why_and_store_nothing(app, engine, course):
    client = as_user(app, "admin")
    url = f"/monitoring/courses/{course}"

    def figures(views: str) -> str:
        return client.post(f"{url}/figures", data={"csrf_token": token(client, url), "activity": ["Module 1"],
                                                   "views": [views], "participants": ["3"]},
                           follow_redirects=True).get_data(as_text=True)

    assert "Views and participants must be whole numbers." in figures("many")
    assert "The figures were refused and nothing was stored: " in figures("-5")
    page = upload(client, course, mf.csv_utf8(mf.progress_rows(PEOPLE)), "p.csv", pass_grade="half")
    assert "The pass grade must be a number" in page.get_data(as_text=True)
    page = upload(client, course, b"", "")  # no file chosen
    assert "Choose a file downloaded from the platform." in page.get_data(as_text=True)
    assert "results added" not in client.get(url).get_data(as_text=True)
