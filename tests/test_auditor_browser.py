"""The auditor in Chromium (issue 13): dossiers downloaded from the course page, the step-through with the
bpmn-js viewer (arrow keys, the step list, one agreeing diagram per CSB, 7.3), and the whole-log check."""
from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from engine import verify_dossier
from tests.browser import ARTIFACTS, browse
from tests.coomet import CourseDriver, deploy_with_people
from webapp.app import create_app

pytest.importorskip("playwright.sync_api")
VIEWER = Path(__file__).resolve().parent.parent / "webapp/static/viewer/viewer.js"


def require_viewer() -> None:
    """The viewer's script is built by `npm ci --prefix webapp/modeller` (the README's set-up)."""
    if not VIEWER.is_file():
        if os.environ.get("COURSEFLOW_REQUIRE_BROWSER"):
            pytest.fail("the viewer is not built: run npm ci --prefix webapp/modeller")
        pytest.skip("the viewer is not built (npm ci --prefix webapp/modeller)")


@pytest.fixture
def course(engine):
    deploy_with_people(engine)
    driver = CourseDriver(engine)
    driver.prepare(csbs=("TC 1.3", "TC 2"))
    driver.send_for_agreeing(csbs=("TC 1.3", "TC 2"))
    driver.chair_agrees("chair-tc13", "TC 1.3")
    driver.do("c_assign", "chair-tc2", scope="TC 2")
    return driver


@pytest.fixture
def ui(engine, course):
    with browse(create_app(engine, TICK_SECONDS=0)) as ui:
        yield ui


def switch_language(ui, lang: str) -> None:
    ui.open_menu()
    ui.page.click(f"form.lang button[value={lang}]")
    ui.page.wait_for_load_state()


def no_wider_than_window(ui) -> None:
    width = ui.page.evaluate("document.documentElement.scrollWidth")
    window = ui.page.evaluate("window.innerWidth")
    assert width <= window, f"the page is {width} px wide in a {window} px window"


def test_auditor_downloads_the_three_dossiers_from_the_course_page(ui, engine, course, tmp_path):
    ui.login("auditor")
    ui.page.goto(f"{ui.base}/courses/{course.course.id}")
    ui.page.set_viewport_size({"width": 390, "height": 844})
    no_wider_than_window(ui)
    ui.page.locator("#dossier-downloads").scroll_into_view_if_needed()
    ui.page.screenshot(path=str(ARTIFACTS / "auditor-course-dossiers-en-390.png"))
    with ui.page.expect_download() as got:
        ui.page.click("#dossier-json")
    json_file = tmp_path / got.value.suggested_filename
    got.value.save_as(json_file)
    findings = verify_dossier(json.loads(json_file.read_text(encoding="utf-8")))
    assert findings and all(f.ok for f in findings), [str(f) for f in findings]
    with ui.page.expect_download() as got:
        ui.page.click("#dossier-html")
    html_file = tmp_path / "dossier.html"
    got.value.save_as(html_file)
    html = html_file.read_text(encoding="utf-8")
    assert not re.search(r"<link|<script|<button|src=", html)
    with ui.page.expect_download() as got:
        ui.page.click("#dossier-pdf")
    pdf_file = tmp_path / "dossier.pdf"
    got.value.save_as(pdf_file)
    assert pdf_file.read_bytes().startswith(b"%PDF")
    ui.page.goto(html_file.as_uri())  # opened offline, as kept
    assert ui.page.locator("#dossier-signers").inner_text().count("chair-tc13") >= 1
    assert ui.page.evaluate("getComputedStyle(document.querySelector('h2')).borderBottomStyle") == "solid"
    ui.page.set_viewport_size({"width": 1280, "height": 900})
    ui.screenshot("auditor-dossier-en-1280.png")


def test_auditor_steps_through_with_arrow_keys_and_the_step_list(ui, engine, course):
    require_viewer()
    ui.login("auditor")
    total = len(engine.steps(course.course.id))
    ui.page.goto(f"{ui.base}/courses/{course.course.id}/replay")
    ui.page.wait_for_selector(".bpmn-viewer[data-shown]")
    assert "Step 1 of" in ui.page.inner_text("#step-number")
    ui.page.keyboard.press("ArrowRight")
    ui.page.wait_for_url(re.compile(r"step=2$"))
    ui.page.keyboard.press("ArrowRight")
    ui.page.wait_for_url(re.compile(r"step=3$"))
    ui.page.keyboard.press("ArrowLeft")
    ui.page.wait_for_url(re.compile(r"step=2$"))
    ui.page.click(f"#step-list a[data-step='{total}']")
    ui.page.wait_for_url(re.compile(rf"step={total}$"))
    ui.page.wait_for_selector(".bpmn-viewer[data-shown]")
    assert f"Step {total} of {total}" in ui.page.inner_text("#step-number")
    assert ui.page.locator("#step-list li.current").count() == 1


def test_one_agreeing_diagram_per_csb_drawn_by_the_viewer_with_its_path_7_3(ui, engine, course):
    require_viewer()
    ui.login("auditor")
    total = len(engine.steps(course.course.id))
    ui.page.goto(f"{ui.base}/courses/{course.course.id}/replay?step={total}")
    viewers = ui.page.locator(".bpmn-viewer[data-process='csb_agreeing']")
    assert viewers.count() == 2
    ui.page.wait_for_function("document.querySelectorAll('.bpmn-viewer[data-shown]').length"
                              " == document.querySelectorAll('.bpmn-viewer').length")
    tc13 = ui.page.locator(".bpmn-viewer[data-key='TC 1.3']")
    tc2 = ui.page.locator(".bpmn-viewer[data-key='TC 2']")
    assert tc13.locator("[data-element-id='c_chair_review'].path-done").count() == 1
    assert tc2.locator("[data-element-id='c_chair_review'].path-done").count() == 0
    assert tc2.locator(".path-open").count() >= 1
    texts = tc13.locator(".viewer-canvas text").evaluate_all("all => all.map(text => text.textContent)")
    assert "Chair of the CSB" in texts and "csb_chair" not in texts  # lanes by role name, not key
    for width, lang in ((1280, "en"), (390, "en"), (1280, "ru"), (390, "ru")):
        if lang == "ru" and width == 1280:
            switch_language(ui, "ru")
            ui.page.wait_for_selector(".bpmn-viewer[data-shown]")
        ui.page.set_viewport_size({"width": width, "height": 900})
        no_wider_than_window(ui)
        ui.screenshot(f"auditor-step-through-{lang}-{width}.png")


def test_auditor_verifies_the_whole_log_from_the_audit_page(ui, engine, course):
    ui.login("auditor")
    ui.open_menu()
    ui.page.click("#audit-link")
    ui.page.click("#verify-log")
    ui.page.wait_for_selector("#verify-result")
    assert "The event log is intact." in ui.page.inner_text("#verify-verdict")
    for width in (1280, 390):
        ui.page.set_viewport_size({"width": width, "height": 900})
        no_wider_than_window(ui)
        ui.screenshot(f"auditor-verify-en-{width}.png")
    switch_language(ui, "ru")
    ui.page.click("#verify-log")
    ui.page.wait_for_selector("#verify-result")
    assert "Журнал событий не изменён." in ui.page.inner_text("#verify-verdict")
    ui.screenshot("auditor-verify-ru-390.png")
    assert ARTIFACTS.is_dir()
