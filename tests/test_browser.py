"""Browser tests: Playwright drives Debian's Chromium against a live server, as people would use it."""
from __future__ import annotations

import pytest

from tests.browser import browse
from tests.coomet import deploy_with_people, sheets
from webapp.app import create_app

playwright_api = pytest.importorskip("playwright.sync_api")


@pytest.fixture
def ui(engine):
    deploy_with_people(engine)
    with browse(create_app(engine, TICK_SECONDS=0)) as ui:
        yield ui


def flat(data: dict, prefix: str = "") -> dict:
    """Nested sheet data as the form's dotted field names."""
    result = {}
    for key, value in data.items():
        if isinstance(value, dict):
            result.update(flat(value, f"{prefix}{key}."))
        else:
            result[f"{prefix}{key}"] = value
    return result


def test_each_role_takes_a_course_from_start_to_published(ui, engine):
    """§6 → §7 → §8 through the UI only, each person logging in for their own step."""
    sheet = {name: flat(data) for name, data in sheets().items()}
    ui.login("admin")
    ui.page.click("text=New course")
    ui.fill({"course_name": "Mass metrology", "initiator": "BelGIM"})
    ui.submit()
    ui.logout()
    ui.do("tc4", "Survey materials and plans", sheet["survey.json"])
    ui.do("admin", "Request materials, appoint creator", sheet["appointment.json"])
    ui.do("implementer", "Provide the course description data", sheet["course_description.json"])
    ui.do("creator", "Prepare the course", sheet["course_preparation.json"])
    ui.do("implementer", "Send the materials and the Appendix 1 sheet", sheet["agreeing_request.json"])
    ui.do("chair-tc13", "Review yourself or appoint", {"reviewer": "chair"})
    ui.login("chair-tc13")
    ui.open_task("Agree on the course: Appendix 1")
    ui.screenshot("appendix1-form.png")
    assert ui.page.locator(".readonly").all_inner_texts()[:2] == ["Mass metrology", "TC 1.3"], ui.page.locator(".readonly").all_inner_texts()
    ui.fill(sheet["appendix1_initial.json"])
    ui.submit()
    ui.logout()
    ui.do("admin", "Forward the final materials", sheet["forwarding.json"])
    finalization = {k: v for k, v in sheet["course_finalization.json"].items() if k != "survey_link"}  # served (6.9)
    ui.do("creator", "Finalize and make the course available", finalization)
    ui.login("admin")
    ui.screenshot("inbox-admin.png")
    ui.logout()
    ui.do("admin", "Review the course: Appendix 2", sheet["appendix2.json"])
    ui.do("secretariat", "Keep the approval form", sheet["approval_filing.json"])
    ui.do("tc4", "Take note of the new course", sheet["acknowledgement.json"])
    ui.login("auditor")
    ui.page.click("text=Catalogue")
    ui.page.click("text=Mass metrology")
    assert ui.page.inner_text("#course-status") == "published"
    assert [c.status for c in engine.courses()] == ["published"]


def test_a_failing_validation_is_shown_next_to_its_field(ui, engine):
    engine.start("course_creation", sheets()["course_start.json"], engine.actor("admin"))
    ui.login("tc4")
    ui.open_task("Survey materials and plans")
    ui.fill({"survey_notes": "kept after the error"})
    ui.submit()
    error = ui.page.locator("[data-field=materials_available] .error")
    assert error.inner_text() == "Fill in this field."
    assert ui.page.input_value("[name=survey_notes]") == "kept after the error"


def test_switching_to_russian_shows_russian_labels(ui, engine):
    engine.start("course_creation", sheets()["course_start.json"], engine.actor("admin"))
    ui.login("tc4")
    ui.page.click("form.lang button[value=ru]")
    ui.page.wait_for_selector("text=Мои задачи")
    ui.page.click("table.tasks a")
    ui.page.wait_for_selector("form.card")
    assert "Материалы для курса имеются" in ui.page.content()
    ui.screenshot("task-ru.png")


def test_auditor_opens_a_course_steps_through_it_and_sees_the_path(ui, engine):
    from tests.coomet import CourseDriver

    course = CourseDriver(engine)  # under review (§8): its creation instance still drives it (13.1)
    course.prepare()
    course.send_for_agreeing()
    course.chair_agrees("chair-tc13", "TC 1.3")
    course.finish_creation()
    ui.login("auditor")
    ui.page.click("text=List of courses")
    ui.page.click("text=Uncertainty of measurement")
    ui.page.click("text=History and proof by re-execution")
    ui.page.click("text=Prove by re-execution")
    assert "reproduced" in ui.page.inner_text("#replay-outcome")
    ui.page.click("#step-through")
    assert ui.page.inner_text("#step-number").startswith("Step 1 of")
    ui.page.click("#next-step")
    ui.page.click("#next-step")
    assert ui.page.inner_text("#step-number").startswith("Step 3 of")
    assert ui.page.locator('g.done[data-element="m_survey"]').count() == 1
    assert ui.page.locator('g.open[data-element="m_describe"]').count() == 1
    ui.page.goto(ui.page.url.replace("/replay", "/diagram").split("?")[0])
    assert ui.page.locator('g.done[data-element="m_finalize"]').count() == 1
    assert ui.page.locator('g.open[data-element="r_review"]').count() == 1
    assert ui.page.locator("polyline.taken").count() > 10
    ui.screenshot("auditor-diagram.png")
