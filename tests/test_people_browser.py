"""The sector administrator's people pages in a real browser (5.1-5.3, 7.3): the CSB list appears only for a
CSB role, the temporary password is shown once, revoking asks first; screenshots in English and Russian."""
from __future__ import annotations

import pytest

from tests.browser import browse
from tests.coomet import deploy_with_people
from webapp.app import create_app

playwright_api = pytest.importorskip("playwright.sync_api")


@pytest.fixture
def ui(engine):
    deploy_with_people(engine)
    with browse(create_app(engine, TICK_SECONDS=0)) as ui:
        yield ui


def test_7_3_administrator_adds_a_chair_for_one_csb_and_the_chair_chooses_a_password(ui, engine):
    page = ui.page
    page.set_viewport_size({"width": 1280, "height": 900})
    ui.login("admin")
    page.click("nav >> text=People")
    csb = page.locator("#add .csb-choice, form[action$='/admin/users'] .csb-choice").first
    page.select_option("form[action$='/admin/users'] select[name=role]", "tc4")
    assert not csb.is_visible()
    page.select_option("form[action$='/admin/users'] select[name=role]", "csb_chair")
    assert csb.is_visible()
    page.fill("input[name=login]", "kim")
    page.fill("input[name=name]", "Kim Lee")
    page.fill("input[name=nmi]", "VNIIM")
    page.fill("input[name=email]", "kim@vniim.ru")
    page.fill("input[name=phone]", "+7 812 323-96-00")
    page.select_option("form[action$='/admin/users'] select[name=csb]", "TC 1.3")
    page.click("form[action$='/admin/users'] button[type=submit]")
    password = page.inner_text("#temporary-password")
    assert "Kim Lee added with the role Chair of the CSB (TC 1.3)." in page.inner_text(".flash.ok")
    ui.screenshot("people-temporary-password-en-1280.png")
    page.reload()
    assert page.locator("#temporary-password").count() == 0  # shown once
    assert engine.actor("kim").grants == {("csb_chair", "TC 1.3")}
    ui.logout()

    page.goto(f"{ui.base}/login")
    page.fill("input[name=login]", "kim")
    page.fill("input[name=password]", password)
    page.click("form.card button[type=submit]")
    page.wait_for_selector("input[name=new]")
    page.fill("input[name=current]", password)
    page.fill("input[name=new]", "kim's own password")
    page.fill("input[name=again]", "kim's own password")
    page.click("form.card button[type=submit]")
    page.wait_for_selector("text=My tasks")
    assert "Your password is changed." in page.inner_text(".flash.ok")


def test_revoking_asks_first_and_the_pages_read_in_russian_on_a_phone(ui, engine):
    page = ui.page
    ui.login("admin")
    page.goto(f"{ui.base}/admin/users/member-tc13")
    page.click("text=Revoke…")
    assert "Revoke the role CSB member (TC 1.3) from Member of TC 1.3?" in page.inner_text("form.card")
    page.click("text=Cancel")
    assert engine.actor("member-tc13").holds("csb_member", "TC 1.3")
    page.click("text=Revoke…")
    page.click("form.card button[type=submit]")
    assert "no longer holds the role CSB member (TC 1.3)." in page.inner_text(".flash.ok")
    assert not engine.actor("member-tc13").holds("csb_member")
    ui.screenshot("people-person-en-1280.png")

    page.set_viewport_size({"width": 390, "height": 844})
    page.click("form.lang button[value=ru]")
    page.goto(f"{ui.base}/admin/users/chair-tc2")
    assert "Имя и контактные данные" in page.inner_text("main")
    ui.screenshot("people-person-ru-390.png")
    page.goto(f"{ui.base}/admin/users")
    ui.screenshot("people-list-ru-390.png")
    page.goto(f"{ui.base}/admin/csbs")
    assert "Chair of TC 2" in page.inner_text("table.csbs")
    ui.screenshot("people-csbs-ru-390.png")


def test_8_1_appendix_2_errors_are_summarised_focused_and_the_refinement_field_follows_the_answer(ui, engine):
    from tests.coomet import CourseDriver

    course = CourseDriver(engine)
    course.prepare()
    course.send_for_agreeing()
    course.chair_agrees("chair-tc13", "TC 1.3")
    course.finish_creation()
    page = ui.page
    ui.login("admin")
    ui.open_task("Review the course: Appendix 2")
    refine = page.locator("[data-field=what_to_refine]")
    assert not refine.is_visible()
    page.check("input[name=should_be_refined][value=yes]")
    assert refine.is_visible()
    page.check("input[name=should_be_refined][value=no]")
    assert page.input_value("[name=approver_name]") == "Alla Admin"
    for name in ("proper_description", "copyright_ok", "can_be_posted"):
        page.check(f"input[name={name}][value=yes]")
    page.check("input[name=content_quality][value=no]")
    page.fill("[name='administrator_details.phone']", "call me")
    ui.submit()
    summary = page.locator("#error-summary")
    assert summary.locator("li").all_inner_texts()[:2] == [
        "COOMET sector administrator — Phone: Enter a phone number: digits, spaces, + ( ) . / -",
        "COOMET sector administrator — Email: Fill in this field."]  # the test admin has no e-mail on file
    focused = page.evaluate("document.activeElement.name")
    assert focused == "administrator_details.phone"  # the first field with an error, in form order
    assert page.get_attribute("input[name=can_be_posted][value=yes]", "aria-invalid") == "true"
    assert "Which is meant?" in page.inner_text("[data-field=can_be_posted] .error")
    ui.screenshot("appendix2-errors-en-1280.png")
    page.set_viewport_size({"width": 390, "height": 844})
    page.click("form.lang button[value=ru]")
    ui.submit()  # the empty Russian form
    assert "Исправьте форму" in page.inner_text("#error-summary")
    ui.screenshot("appendix2-errors-ru-390.png")


def test_6_2_the_course_list_and_the_course_page_read_well_on_a_phone(ui, engine):
    from tests.coomet import CourseDriver

    CourseDriver(engine, course_name="Flow measurement in pipelines")
    published = CourseDriver(engine)
    published.publish_one_csb_course()
    page = ui.page
    ui.login("secretariat")
    page.click("nav >> text=List of courses")
    page.click("table.courses th >> text=Published on")
    assert page.locator("table.courses tbody tr").first.inner_text().startswith("Flow measurement") is False
    ui.screenshot("course-list-en-1280.png")
    page.set_viewport_size({"width": 390, "height": 844})
    page.click("form.lang button[value=ru]")
    page.click("text=Неопределенность измерений")
    assert "Согласование с СОК" in page.inner_text("main")
    ui.screenshot("course-page-ru-390.png")
