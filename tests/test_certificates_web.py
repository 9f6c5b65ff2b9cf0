"""§10 certificate pages through Flask's test client: public verification (link and PDF), a student's request,
throttling, and the administrator's eligibility, issue, revoke and register pages."""
from __future__ import annotations

import io
import re

import pytest

from tests import moodle_files as mf
from tests.coomet import CourseDriver, deploy_with_people
from tests.test_certificates import ACTIVITIES, ANNA, PAUL
from tests.test_web import as_user, token
from webapp.app import create_app


@pytest.fixture
def app(engine, monkeypatch, tmp_path):
    monkeypatch.setenv("COURSEFLOW_CERTIFICATE_DIR", str(tmp_path / "certificates"))
    deploy_with_people(engine)
    return create_app(engine, TESTING=True, TICK_SECONDS=0)


@pytest.fixture
def course(engine, app):
    driver = CourseDriver(engine)
    driver.do("m_survey", "tc4")
    driver.do("m_appoint", "admin")
    engine.import_monitoring(driver.course.id, mf.csv_utf8(mf.progress_rows([ANNA, PAUL], activities=ACTIVITIES)),
                             "progress.csv", engine.actor("admin"), period="2026-01-01..2026-01-31")
    return driver.course.id


def test_10_1_the_administrator_sees_who_is_eligible_and_why_and_issues(app, engine, course):
    client = as_user(app, "admin")
    page = client.get(f"/certificates/courses/{course}").get_data(as_text=True)
    assert "Module 3 test: failed" in page and "Анна Иванова" in page
    for login in ("tc4", "creator", "auditor"):
        assert as_user(app, login).get(f"/certificates/courses/{course}").status_code == 403
    anna = next(v for v in engine.certificate_eligibility(course) if v.eligible)
    page = client.post(f"/certificates/courses/{course}/issue", data={
        "csrf_token": token(client, f"/certificates/courses/{course}"), "participant": [str(anna.participant_id)]},
        follow_redirects=True).get_data(as_text=True)
    assert "1 certificate(s) issued" in page and "COOMET-2026-0001" in page
    assert client.post(f"/certificates/courses/{course}/issue", data={"participant": "1"}).status_code == 400  # CSRF


def test_10_3_public_verification_by_link_and_by_pdf_then_revoked(app, engine, course):
    (issued,) = engine.issue_certificates(course, engine.actor("admin"))
    public = app.test_client()
    page = public.get(f"/certificates/verify/{issued.token}").get_data(as_text=True)
    assert "Valid certificate" in page and "Анна Иванова" in page and issued.number in page
    unknown = public.get("/certificates/verify/forged-token-AAAAAAAAAAAAAAAA").get_data(as_text=True)
    assert "Unknown certificate" in unknown and "Анна" not in unknown
    pdf = engine.certificate_pdf(issued.number, engine.actor("admin"))
    page = public.post("/certificates/verify", data={"csrf_token": token(public, "/certificates/verify"),
                                                     "pdf": (io.BytesIO(pdf), "c.pdf")},
                       content_type="multipart/form-data").get_data(as_text=True)
    assert "Valid certificate" in page
    admin = as_user(app, "admin")
    admin.post(f"/certificates/{issued.number}/revoke", data={
        "csrf_token": token(admin, "/certificates/"), "reason": "issued in error"})
    page = public.get(f"/certificates/verify/{issued.token}").get_data(as_text=True)
    assert "Revoked certificate" in page and "issued in error" in page and "Анна" not in page
    ru = as_user(app, "admin")
    ru.post("/language", data={"csrf_token": token(ru, "/"), "lang": "ru", "next": "/"})
    assert "Сертификат отозван" in ru.get(f"/certificates/verify/{issued.token}").get_data(as_text=True)


def test_10_3_verification_is_throttled_with_a_translated_page_and_retry_after(app, engine, course):
    public = app.test_client()
    answers = [public.get(f"/certificates/verify/guess{i}").status_code for i in range(30)]
    assert answers == [200] * 30
    refused = public.get("/certificates/verify/guess30")
    assert refused.status_code == 429 and 1 <= int(refused.headers["Retry-After"]) <= 60
    assert "Too many requests from your address" in refused.get_data(as_text=True)
    by_file = public.post("/certificates/verify", data={"csrf_token": "x"})  # the same throttle covers uploads
    assert by_file.status_code in (400, 429)
    russian = public.get("/certificates/verify/guess31", headers={"Accept-Language": "ru"})
    assert russian.status_code == 429 and "Слишком много запросов" in russian.get_data(as_text=True)
    assert app.test_client().get("/certificates/verify/x", environ_base={"REMOTE_ADDR": "10.3.3.3"}).status_code == 200


def test_10_3_the_certificate_throttles_follow_their_settings(engine, monkeypatch, tmp_path):
    monkeypatch.setenv("COURSEFLOW_CERTIFICATE_LIMIT", "2/60")
    public = create_app(engine, TESTING=True, TICK_SECONDS=0).test_client()
    assert [public.get(f"/certificates/verify/t{i}").status_code for i in range(3)] == [200, 200, 429]
    monkeypatch.setenv("COURSEFLOW_CERTIFICATE_REQUEST_LIMIT", "30 per minute")  # Flask-Limiter's syntax, no more
    with pytest.raises(ValueError, match=r"COURSEFLOW_CERTIFICATE_REQUEST_LIMIT='30 per minute'.*COUNT/SECONDS"):
        create_app(engine, TESTING=True, TICK_SECONDS=0)


def test_10_3_a_students_request_says_the_same_whoever_asks_and_goes_to_the_review(app, engine):
    driver = CourseDriver(engine, course_name="Uncertainty of measurement")
    driver.publish_one_csb_course()
    course = driver.course.id
    engine.import_monitoring(course, mf.csv_utf8(mf.progress_rows([ANNA, PAUL], activities=ACTIVITIES)),
                             "progress.csv", engine.actor("admin"), period="2026-01-01..2026-01-31")
    public = app.test_client()
    pages = []
    for address in ("anna@example.org", "paul@example.org", "stranger@example.org"):
        form = token(public, "/certificates/request")
        answer = public.post("/certificates/request", data={"csrf_token": form, "email": address,
                                                            "course": str(course)})
        pages.append((answer.status_code, re.sub(r'name="csrf_token" value="[^"]+"', "", answer.get_data(as_text=True))))
    assert pages[0] == pages[1] == pages[2] and pages[0][0] == 200
    assert "your request was received" in pages[0][1] and "once the sector administrator has reviewed it" in pages[0][1]
    assert engine.certificates(engine.actor("admin")) == []  # issued only after the review (10.1)
    (review,) = [t for t in engine.tasks(engine.actor("admin")) if t.bpmn_id == "c_review"]
    assert [c["name"] for c in engine.task(review.id, engine.actor("admin")).values["candidates"]] == ["Анна Иванова"]
    ru = app.test_client()
    page = ru.post("/certificates/request", headers={"Accept-Language": "ru"}, data={
        "csrf_token": token(ru, "/certificates/request"), "email": "anna@example.org", "course": str(course)})
    assert "после того, как его рассмотрит администратор сектора" in page.get_data(as_text=True)
    assert public.post("/certificates/request", data={"email": "x@example.org"}).status_code == 400  # CSRF


def test_10_register_and_exports_for_the_administrator_and_auditors(app, engine, course):
    engine.issue_certificates(course, engine.actor("admin"))
    for login in ("admin", "auditor"):
        page = as_user(app, login).get("/certificates/?q=anna").get_data(as_text=True)
        assert "COOMET-2026-0001" in page
    assert as_user(app, "tc4").get("/certificates/").status_code == 403
    csv_text = as_user(app, "admin").get("/certificates/?export=csv").get_data().decode("utf-8-sig")
    assert csv_text.splitlines()[1].startswith("COOMET-2026-0001,Анна Иванова")
    overview = as_user(app, "admin").get("/monitoring/").get_data(as_text=True)
    assert '<td class="certificates">1</td>' in overview  # the course's one certificate, beside its figures
