"""§11 in the browser: the results page and the quarterly analysis task, in English and Russian, on a desktop
and a phone-sized screen (screenshots in test-artifacts/)."""
from __future__ import annotations

import datetime as dt

import pytest

from tests.browser import browse
from tests.coomet import CourseDriver, deploy_with_people
from webapp.app import create_app

playwright_api = pytest.importorskip("playwright.sync_api")
GRADES = ("relevance", "theoretical_utility", "material_quality", "material_presentation")
ANSWERS = {  # quarter start -> the grades of each answer
    dt.datetime(2026, 2, 10, tzinfo=dt.UTC): [("excellent", "good", "good", "satisfactory"),
                                              ("good", "good", "satisfactory", "satisfactory"),
                                              ("good", "excellent", "good", "good")],
    dt.datetime(2026, 5, 10, tzinfo=dt.UTC): [("excellent", "excellent", "good", "good"),
                                              ("excellent", "good", "good", "good"),
                                              ("good", "good", "unsatisfactory", "good"),
                                              ("excellent", "excellent", "excellent", "good")],
}


@pytest.fixture
def ui(engine, clock):
    deploy_with_people(engine)
    course = CourseDriver(engine, course_name="Uncertainty of measurement",
                          course_name_ru="Неопределенность измерений")
    course.publish_one_csb_course()
    for when, answers in ANSWERS.items():
        clock.set(when)
        for index, grades in enumerate(answers):
            engine.answer_questionnaire(course.course.id, {
                **dict(zip(GRADES, grades, strict=True)), "proposals": f"Proposal {when:%m}-{index}: more examples.",
                "participated_from": f"{when:%Y-%m}-01", "participated_to": f"{when:%Y-%m}-09"})
    clock.set(dt.datetime(2026, 7, 1, 8, 0, tzinfo=dt.UTC))
    engine.start_quarterly_analyses()
    with browse(create_app(engine, TICK_SECONDS=0)) as ui:
        ui.course = course.course
        yield ui


def shots(ui, name: str) -> None:
    """Desktop and phone screenshots of the page as it is; on the phone the content must not run off the side."""
    ui.page.set_viewport_size({"width": 1280, "height": 900})
    ui.screenshot(f"{name}-1280.png")
    ui.page.set_viewport_size({"width": 390, "height": 844})
    ui.screenshot(f"{name}-390.png")
    assert ui.page.evaluate("document.querySelector('main').scrollWidth <= document.querySelector('main').clientWidth")
    ui.page.set_viewport_size({"width": 1280, "height": 900})


def switch(ui, language: str) -> None:
    ui.page.click(f"form.lang button[value={language}]")
    ui.page.wait_for_load_state()


def test_the_coordinator_reads_the_results_and_records_the_quarterly_analysis_11_2(ui, engine):
    ui.login("coordinator")
    ui.page.goto(f"{ui.base}/courses/{ui.course.id}")
    ui.page.click("#satisfaction-link")
    assert ui.page.inner_text("#answer-count") == "7"
    assert ui.page.locator(".sat-criterion[data-criterion=relevance] .mean").inner_text() == "3.57"  # 25 / 7
    assert ui.page.locator("figure.sat-trend rect").count() == 8  # 4 criteria × 2 quarters
    shots(ui, "satisfaction-results-en")
    switch(ui, "ru")
    assert "Динамика по кварталам" in ui.page.inner_text("main")
    shots(ui, "satisfaction-results-ru")

    ui.open_task("Анализ результатов оценки удовлетворенности за квартал")
    readonly = ui.page.locator(".readonly").all_inner_texts()
    assert readonly[1:3] == ["2026-Q2", "4"], readonly
    assert ui.page.locator("table.records tbody tr").count() == 4  # the quarter and the three before it
    assert ui.page.locator("table.records tbody tr").last.inner_text().split("\t")[:3] == ["2026-Q2", "4", "3.75"]
    shots(ui, "quarterly-task-ru")
    switch(ui, "en")
    shots(ui, "quarterly-task-en")
    ui.fill({"findings": "Material quality fell in Q2: one participant found the examples unclear.",
             "actions": "Amend module 3\nRaise at the next inspection", "early_inspection_proposed": False})
    ui.submit()
    assert ui.page.locator(".flash.ok").count() == 1
    ui.page.goto(f"{ui.base}/courses/{ui.course.id}/satisfaction")
    assert "Amend module 3; Raise at the next inspection" in ui.page.inner_text("#analyses")
    ui.page.goto(f"{ui.base}/courses/{ui.course.id}")
    assert "Quarterly analysis of the satisfaction results" in ui.page.inner_text("ul.documents")
    ui.page.click("ul.documents a:has-text('Quarterly analysis')")
    assert ui.page.locator("table.records tbody tr").count() == 4  # the sheet keeps the quarters it was based on
    shots(ui, "quarterly-sheet-en")
    assert [t for t in engine.tasks() if t.process == "quarterly_analysis"] == []  # the administrator's copy too
