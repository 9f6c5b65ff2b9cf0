"""§10 in the browser: the administrator reviews a batch from the inbox and issues; the public verification page
(en, ru; 1280 and 390 px)."""
from __future__ import annotations

import pytest

from tests import moodle_files as mf
from tests.browser import browse
from tests.coomet import CourseDriver, deploy_with_people
from tests.test_certificates import ACTIVITIES, ANNA, PAUL
from webapp.app import create_app

playwright_api = pytest.importorskip("playwright.sync_api")


@pytest.fixture
def course(engine, monkeypatch, tmp_path):
    monkeypatch.setenv("COURSEFLOW_CERTIFICATE_DIR", str(tmp_path / "certificates"))
    deploy_with_people(engine)
    driver = CourseDriver(engine)
    driver.do("m_survey", "tc4")
    driver.do("m_appoint", "admin")
    engine.import_monitoring(driver.course.id, mf.csv_utf8(mf.progress_rows([ANNA, PAUL], activities=ACTIVITIES)),
                             "progress.csv", engine.actor("admin"), period="2026-01-01..2026-01-31")
    return driver.course.id


def test_10_the_administrator_reviews_the_batch_and_anyone_verifies_the_certificate(engine, course):
    with browse(create_app(engine, TICK_SECONDS=0)) as ui:
        ui.login("admin")
        ui.open_task("Review the batch of certificates (10.1)")
        assert "Анна Иванова" in ui.page.inner_text("form.card") and "Paul" not in ui.page.inner_text("form.card")
        ui.page.set_viewport_size({"width": 1280, "height": 900})
        ui.screenshot("certificate-review-en-1280.png")
        ui.submit()
        (issued,) = engine.certificates(engine.actor("admin"))
        ui.page.goto(f"{ui.base}/certificates/courses/{course}")
        assert "Module 3 test: failed" in ui.page.inner_text("#eligibility")
        assert issued.number in ui.page.inner_text("#register")
        ui.screenshot("certificates-course-en-1280.png")
        ui.logout()
        token = _token_of(engine, issued.number)
        ui.page.goto(f"{ui.base}/certificates/verify/{token}")
        assert "Valid certificate" in ui.page.inner_text("#verdict")
        ui.screenshot("certificate-verify-en-1280.png")
        ui.page.click("form.lang button[value=ru]")
        ui.page.wait_for_selector("text=Сертификат действителен")
        ui.page.set_viewport_size({"width": 390, "height": 844})
        ui.screenshot("certificate-verify-ru-390.png")


def _token_of(engine, number):
    """The token is only in the PDF (the database keeps its hash): read it back from the PDF's link text."""
    import io
    import re

    from pypdf import PdfReader
    text = PdfReader(io.BytesIO(engine.certificate_pdf(number, engine.actor("admin")))).pages[0].extract_text()
    return re.search(r"verify/\s*([A-Za-z0-9_\-\s]+)", text).group(1).replace("\n", "").replace(" ", "")


def test_10_3_a_students_request_is_received_and_a_flood_is_answered_429_en_ru(engine, monkeypatch, tmp_path):
    from tests.test_satisfaction_browser import shots, switch

    monkeypatch.setenv("COURSEFLOW_CERTIFICATE_DIR", str(tmp_path / "certificates"))
    monkeypatch.setenv("COURSEFLOW_CERTIFICATE_REQUEST_LIMIT", "1/3600")
    deploy_with_people(engine)
    driver = CourseDriver(engine, course_name="Uncertainty of measurement")
    driver.publish_one_csb_course()
    with browse(create_app(engine, TICK_SECONDS=0)) as ui:
        def request(address: str) -> None:
            ui.page.goto(f"{ui.base}/certificates/request")
            ui.page.fill("#email", address)
            ui.page.click("form.card button[type=submit]")
            ui.page.wait_for_load_state()

        request("anna@example.org")
        assert "once the sector administrator has reviewed it" in ui.page.inner_text("#requested")
        shots(ui, "certificate-requested-en")
        request("anna@example.org")
        assert "Too many requests from your address" in ui.page.inner_text("main")
        shots(ui, "certificate-request-429-en")
        switch(ui, "ru")
        request("anna@example.org")
        assert "Слишком много запросов" in ui.page.inner_text("main")
        shots(ui, "certificate-request-429-ru")
