"""§9 monitoring in the browser: the coordinator uploads the platform's export and reads the page (en, ru; 1280 and 390 px)."""
from __future__ import annotations

import pytest

from tests import moodle_files as mf
from tests.browser import browse
from tests.coomet import CourseDriver, deploy_with_people
from tests.test_monitoring import PEOPLE
from webapp.app import create_app

playwright_api = pytest.importorskip("playwright.sync_api")


@pytest.fixture
def course(engine):
    deploy_with_people(engine)
    driver = CourseDriver(engine)
    driver.do("m_survey", "tc4")
    driver.do("m_appoint", "admin")
    engine.import_figures(driver.course.id, [mf_figure("Module 1. Units", 40, 12), mf_figure("Final test", 15, 7)],
                          "2026-01-01..2026-01-31", engine.actor("admin"))
    return driver.course.id


def mf_figure(name, views, participants):
    from engine import ActivityFigures
    return ActivityFigures(name, views, participants)


def test_9_coordinator_uploads_an_export_and_sees_the_charts(engine, course, tmp_path):
    export = tmp_path / "progress.csv"
    export.write_bytes(mf.excel_csv(mf.progress_rows(PEOPLE, "ru")))
    with browse(create_app(engine, TICK_SECONDS=0)) as ui:
        ui.login("coordinator")
        ui.page.goto(f"{ui.base}/courses/{course}")
        ui.page.click("text=Monitoring (§9)")
        ui.page.set_input_files("input[name=file]", str(export))
        ui.page.select_option("select[name=kind]", "activity-completion")
        ui.page.fill("#up-to", "2026-01-31")
        ui.page.click("form[enctype] button[type=submit]")
        ui.page.wait_for_selector(".flash.ok")
        assert "3 participants (3 new)" in ui.page.inner_text(".flash.ok")
        assert ui.page.inner_text("#kpi-participants") == "3" and ui.page.inner_text("#kpi-completed") == "1"
        assert ui.page.locator("svg.chart").count() == 3
        assert ui.page.locator("#participants tbody tr").count() == 3
        ui.page.set_viewport_size({"width": 1280, "height": 900})
        ui.screenshot("monitoring-course-en-1280.png")
        ui.page.click("form.lang button[value=ru]")
        ui.page.wait_for_load_state()
        ui.page.wait_for_selector("text=Мониторинг (§9)")
        ui.page.set_viewport_size({"width": 390, "height": 844})
        ui.screenshot("monitoring-course-ru-390.png")
        ui.logout()
        ui.login("admin")
        ui.page.goto(f"{ui.base}/monitoring/?from=2026-01-01&to=2026-12-31")
        ui.page.click("form.lang button[value=ru]")
        ui.page.wait_for_selector("text=Сводка мониторинга")
        assert "не выполнен" in ui.page.inner_text("#indicator")
        ui.page.click("#overview th >> text=Участники")
        ui.page.wait_for_selector("th a[aria-sort]")
        ui.page.set_viewport_size({"width": 1280, "height": 900})
        ui.screenshot("monitoring-overview-ru-1280.png")
