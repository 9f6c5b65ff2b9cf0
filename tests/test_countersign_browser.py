"""7.4, 7.5 in the browser: the CSB chair opens the countersign task from the inbox, reads the appointed member's
whole sheet, and countersigns it; English and Russian, 1280 and 390 px wide."""
from __future__ import annotations

import pytest

from tests.browser import browse
from tests.coomet import deploy_with_people
from tests.test_countersign import member_sheet_given
from webapp.app import create_app

pytest.importorskip("playwright.sync_api")
WIDTHS = (1280, 390)


def choose(ui, language: str) -> None:
    ui.open_menu()
    ui.page.click(f"form.lang button[value={language}]")
    ui.page.wait_for_load_state()


def test_7_4_7_5_the_chair_reads_the_members_sheet_and_countersigns_it(engine):
    deploy_with_people(engine)
    course = member_sheet_given(engine)
    with browse(create_app(engine, TICK_SECONDS=0)) as ui:
        page = ui.page
        ui.login("chair-tc13")
        for language, name in (("en", "Countersign the sheet"), ("ru", "Подписать лист")):
            choose(ui, language)
            for width in WIDTHS:
                page.set_viewport_size({"width": width, "height": 900})
                ui.open_task(name)
                sheet = page.locator("#member-sheet")
                assert sheet.is_visible()
                assert "Member of TC 1.3" in sheet.inner_text() and "Anna Sidorova" in sheet.inner_text()
                assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
                ui.screenshot(f"countersign-task-{language}-{width}.png")
        page.select_option("select[name=countersign_decision]", "countersign")
        assert page.locator("[name=countersigned_by]").input_value() == "Chair of TC 1.3"
        ui.submit()
        assert page.locator(".flash.ok").count() == 1
        assert course.bpmn_ids() == ["a_forward"]
        page.goto(f"{ui.base}/courses/{course.course.id}")
        assert "подписано Chair of TC 1.3" in page.locator("span.countersign").inner_text()
        page.click("a:has-text('Лист согласования курса КООМЕТ в профильном СОК: первичное согласование')")
        assert page.locator("table.paper-countersign").is_visible()
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 900})
            ui.screenshot(f"countersigned-sheet-ru-{width}.png")
