"""§11.3 and §9.3 in the browser: the administrator starts the year's report, reviews the draft's figures in the
task, makes it final; TC 4 downloads it from the Documents page — English and Russian, desktop and phone."""
from __future__ import annotations

import datetime as dt
import hashlib

import pytest

from tests import moodle_files as mf
from tests.browser import browse
from tests.coomet import CourseDriver, deploy_with_people
from tests.test_reports import GRADES, PEOPLE
from tests.test_satisfaction_browser import shots, switch
from webapp.app import create_app

playwright_api = pytest.importorskip("playwright.sync_api")


@pytest.fixture
def ui(engine, clock):
    deploy_with_people(engine)
    course = CourseDriver(engine, course_name="Uncertainty of measurement",
                          course_name_ru="Неопределённость измерений")
    course.publish_one_csb_course()
    engine.import_monitoring(course.course.id, mf.csv_utf8(mf.progress_rows(PEOPLE)), "progress.csv",
                             engine.actor("admin"), period="2026-01-01..2026-12-31")
    clock.set(dt.datetime(2026, 5, 10, tzinfo=dt.UTC))
    for grades in (("excellent", "good", "good", "satisfactory"), ("good", "good", "good", "good"),
                   ("excellent", "excellent", "good", "good")):
        engine.answer_questionnaire(course.course.id, dict(zip(GRADES, grades, strict=True)))
    clock.set(dt.datetime(2026, 12, 20, 9, 0, tzinfo=dt.UTC))
    with browse(create_app(engine, TICK_SECONDS=0)) as ui:
        yield ui


def test_the_administrator_reviews_the_draft_and_tc4_downloads_the_final_report_11_3(ui, engine):
    ui.login("admin")
    ui.page.click("nav a:has-text('Documents')")
    assert "No annual report is final yet." in ui.page.inner_text("main")
    draft = ui.page.request.get(ui.base + ui.page.get_attribute("#draft-pdf", "href"))
    assert draft.ok and draft.body().startswith(b"%PDF")
    ui.page.fill("#year", "2026")
    ui.page.click("#start-report button")
    ui.page.wait_for_selector(".flash.ok")
    ui.open_task("Review the draft annual report")
    main = ui.page.inner_text("main")
    assert "Courses created (6.2)" in main and "Uncertainty of measurement" in main
    shown = {name: ui.page.inner_text(f"[data-field='{name}'] .readonly") for name in ("created", "published", "available")}
    assert shown == {"created": "1", "published": "1", "available": "1"}
    assert ui.page.locator("#report-draft a").count() == 2
    shots(ui, "annual-report-task-en")
    switch(ui, "ru")
    assert "Курсов создано (6.2)" in ui.page.inner_text("main")
    shots(ui, "annual-report-task-ru")
    switch(ui, "en")
    ui.page.fill("[name='comments']", "Two new courses are planned for 2027.")
    ui.page.select_option("[name='decision']", "redraft")  # 11.3: back for redraft, then reviewed again
    ui.page.fill("[name='redraft_reason']", "The December import is still missing.")
    ui.submit()
    assert ui.page.locator(".flash.ok").count() == 1 and engine.documents() == []
    ui.open_task("Review the draft annual report")
    assert "The December import is still missing." in ui.page.inner_text("[data-field='sent_back_because']")
    assert ui.page.input_value("[name='comments']") == "Two new courses are planned for 2027."
    shots(ui, "annual-report-redraft-en")
    switch(ui, "ru")
    assert "возвращён на доработку" in ui.page.inner_text("main")
    shots(ui, "annual-report-redraft-ru")
    switch(ui, "en")
    ui.page.select_option("[name='decision']", "final")
    ui.submit()
    assert ui.page.locator(".flash.ok").count() == 1
    ui.logout()

    ui.login("tc4")
    ui.page.click("nav a:has-text('Documents')")
    rows = ui.page.locator("#documents tbody tr")
    assert rows.count() == 3 and ui.page.locator("#start-report").count() == 0  # TC 4 reads, does not start
    stored = {d.filename: d.sha256 for d in engine.documents()}
    link = ui.page.locator("#documents a:has-text('annual-report-2026-ru.pdf')").get_attribute("href")
    pdf = ui.page.request.get(f"{ui.base}{link}").body()
    assert hashlib.sha256(pdf).hexdigest() == stored["annual-report-2026-ru.pdf"]
    shots(ui, "documents-en")
    switch(ui, "ru")
    assert "Документы" in ui.page.inner_text("nav")
    shots(ui, "documents-ru")
    ui.logout()

    ui.login("creator")
    assert ui.page.request.get(f"{ui.base}{link}").status == 403
