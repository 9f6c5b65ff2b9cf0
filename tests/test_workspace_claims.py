"""A group task claimed by a colleague (issue 13, 7.3): the rest of the group reads who holds it and since when
instead of a refusal; the sector administrator releases it or hands it to another member, audited."""
from __future__ import annotations

import pytest

from tests.browser import browse
from tests.coomet import CourseDriver, deploy_with_people
from webapp.app import create_app

playwright_api = pytest.importorskip("playwright.sync_api")


@pytest.fixture
def claimed(engine):
    deploy_with_people(engine)
    engine.add_user("tc4b", ["tc4"], "pw", name="Tamara Second")
    course = CourseDriver(engine)
    task = course.open("tc4")[0]
    engine.claim(task.id, engine.actor("tc4"))
    return course, task


def test_a_colleague_s_claim_opens_read_only_and_the_administrator_hands_it_over(engine, claimed):
    course, task = claimed
    with browse(create_app(engine, TICK_SECONDS=0)) as ui:
        page = ui.page
        for language, width in (("en", 1280), ("ru", 390)):
            page.set_viewport_size({"width": width, "height": 844})
            page.set_extra_http_headers({"Accept-Language": language})
            page.context.clear_cookies()
            ui.login("tc4b")
            if language == "ru":
                ui.open_menu()
                page.click("form.lang button[value=ru]")
            response = page.goto(f"{ui.base}/tasks/{task.id}")
            assert response.status == 200
            assert "TC 4 Secretariat" in page.inner_text("#claimed-by")
            assert page.locator("form.card button[type=submit]").count() == 0
            ui.screenshot(f"workspace-claimed-{language}-{width}.png")
            ui.logout()
        page.set_viewport_size({"width": 1280, "height": 844})
        page.context.clear_cookies()
        ui.login("admin")
        page.goto(f"{ui.base}/tasks/{task.id}")
        page.select_option("#reassign-to", "tc4b")
        ui.screenshot("workspace-claimed-admin.png")
        page.click("form[action$='/reassign'] button")
        assert "Tamara Second" in page.inner_text("#claimed-by")
        ui.logout()
        ui.login("tc4b")
        page.goto(f"{ui.base}/tasks/{task.id}")
        ui.fill(course.sheets[task.form])
        ui.submit()
        assert "Ожидают выполнения: Запрос материалов" in page.inner_text(".flash.ok")  # tc4b chose Russian
        assert page.locator(f".flash.ok a[href='/courses/{course.course.id}']").count() == 1
        ui.screenshot("workspace-what-next-ru.png")
    handed = [e for e in engine.history(course.course.id, engine.actor("auditor")) if e.kind == "task_claimed"]
    assert [e.actor for e in handed] == ["tc4", "admin"]


def test_the_administrator_releases_a_claim_back_to_the_group(engine, claimed):
    course, task = claimed
    app = create_app(engine, TICK_SECONDS=0, WTF_CSRF_ENABLED=False)
    client = app.test_client()
    client.post("/login", data={"login": "admin", "password": "pw"})
    assert client.post(f"/tasks/{task.id}/release").status_code == 302
    assert [t.claimed_by for t in course.open("tc4")] == [None]
    released = [e for e in engine.history(course.course.id, engine.actor("auditor")) if e.kind == "task_unclaimed"]
    assert [e.actor for e in released] == ["admin"]


def test_after_a_task_the_inbox_says_what_happens_next_with_the_course_link(engine, claimed):
    """6.1 done by TC 4: the flash names the course's status, the administrator's next task (6.2) and links it."""
    course, task = claimed
    app = create_app(engine, TICK_SECONDS=0, WTF_CSRF_ENABLED=False)
    client = app.test_client()
    client.post("/login", data={"login": "tc4", "password": "pw"})
    client.post("/language", data={"lang": "ru", "next": "/"})
    form = {key: ("yes" if value is True else "no" if value is False else value)
            for key, value in course.sheets[task.form].items()}
    page = client.post(f"/tasks/{task.id}", data=form, follow_redirects=True).get_data(as_text=True)
    next_task = course.open("admin")[0]
    assert next_task.name_ru in page, page
    assert "Администратор раздела" in page
    assert f'<a href="/courses/{course.course.id}">Страница курса</a>' in page


def test_the_administrator_sees_every_open_task_of_the_sector_overdue_ones_marked(engine, claimed, clock):
    """Issue 13: by course, role and person; 'overdue only' keeps the late ones; others are refused."""
    course, task = claimed
    CourseDriver(engine, course_name="Late course")
    clock.advance(days=60)
    with browse(create_app(engine, TICK_SECONDS=0)) as ui:
        page = ui.page
        for language, width in (("en", 1280), ("ru", 390)):
            page.set_viewport_size({"width": width, "height": 844})
            page.context.clear_cookies()
            ui.login("admin")
            if language == "ru":
                ui.open_menu()
                page.click("form.lang button[value=ru]")
            ui.open_menu()
            page.click("header a[href='/sector']")
            rows = page.locator("#sector-tasks tbody tr")
            assert rows.count() == len(engine.tasks(None)) == 2
            assert "TC 4 Secretariat" in page.inner_text("#sector-tasks")
            assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
            ui.screenshot(f"workspace-sector-{language}-{width}.png")
            ui.logout()
    client = create_app(engine, TICK_SECONDS=0, WTF_CSRF_ENABLED=False).test_client()
    client.post("/login", data={"login": "tc4", "password": "pw"})
    assert client.get("/sector").status_code == 403


def test_7_3_the_timeframe_alert_names_the_reviewer_their_contact_and_days_late(engine, clock):
    deploy_with_people(engine)
    engine.add_user("mira", ["csb_member:TC 1.3"], "pw", name="Mira Member", email="mira@vniim.ru",
                    phone="+7 812 000 00 00", nmi="VNIIM")
    course = CourseDriver(engine)
    course.prepare()
    course.do("a_send", "implementer", review_days=3)
    course.do("c_assign", "chair-tc13", reviewer="member", member="mira")
    clock.advance(days=5)
    engine.tick()
    clock.advance(days=2)
    alert = next(t for t in course.open("admin") if t.bpmn_id == "c_alert")
    with browse(create_app(engine, TICK_SECONDS=0)) as ui:
        for language, width, late in (("en", 1280, "days late: 2"), ("ru", 390, "дней просрочки: 2")):
            ui.page.set_viewport_size({"width": width, "height": 844})
            ui.page.context.clear_cookies()
            ui.login("admin")
            if language == "ru":
                ui.open_menu()
                ui.page.click("form.lang button[value=ru]")
            ui.page.goto(f"{ui.base}/tasks/{alert.id}")
            text = ui.page.inner_text("#late-review")
            assert "Mira Member" in text and "mira@vniim.ru" in text and "+7 812 000 00 00" in text and late in text
            ui.screenshot(f"workspace-late-review-{language}-{width}.png")
            ui.logout()


def test_my_courses_and_my_csb_list_each_person_s_own_courses(engine):
    """Issue 13 (7.1-7.5): the creator sees the courses they create; TC 1.3's chair the courses sent to TC 1.3
    with the open review and the sheet given; TC 2's chair none of TC 1.3's."""
    deploy_with_people(engine)
    agreed = CourseDriver(engine, course_name="Agreed with TC 1.3")
    agreed.prepare()
    agreed.send_for_agreeing()
    agreed.do("c_assign", "chair-tc13", scope="TC 1.3")
    surveyed = CourseDriver(engine, course_name="Only surveyed")
    with browse(create_app(engine, TICK_SECONDS=0)) as ui:
        page = ui.page
        for language, width in (("en", 1280), ("ru", 390)):
            page.set_viewport_size({"width": width, "height": 844})
            for login, where, table in (("creator", "/my/courses", "#my-courses"), ("chair-tc13", "/my/csb", "#my-csb")):
                page.context.clear_cookies()
                ui.login(login)
                if language == "ru":
                    ui.open_menu()
                    page.click("form.lang button[value=ru]")
                ui.open_menu()
                page.click(f"header a[href='{where}']")
                links = page.eval_on_selector_all(f"{table} a", "links => links.map(a => a.getAttribute('href'))")
                assert f"/courses/{agreed.course.id}" in links and f"/courses/{surveyed.course.id}" not in links
                assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
                ui.screenshot(f"workspace-{where.split('/')[-1]}-{language}-{width}.png")
                ui.logout()
        ui.login("chair-tc2")
        page.goto(f"{ui.base}/my/csb")
        assert page.locator("#my-csb").count() == 0


def test_7_3_reviewers_see_the_materials_first_and_the_implementer_sees_which_csb_asked(engine):
    """The chair's Appendix 1 task opens with the materials' link; the implementer's refinement names the CSB
    and its recommendations; re-agreeing shows what was refined beside the earlier recommendations."""
    deploy_with_people(engine)
    course = CourseDriver(engine)
    course.prepare(csbs=("TC 2",))
    course.send_for_agreeing(csbs=("TC 2",))
    course.do("c_assign", "chair-tc2", scope="TC 2")
    steps = [("chair-tc2", "c_chair_review", "https://e-learning.bipm.org/course/view.php?id=42", {}),
             ("implementer", "c_refine", "TC 2", dict(complies=False, requires_refinement=True,
                                                      what_to_refine="Rework example 3.")),
             ("chair-tc2", "c_chair_re", "Examples 3 and 4 reworked as asked.", {})]
    with browse(create_app(engine, TICK_SECONDS=0)) as ui:
        ui.page.set_viewport_size({"width": 390, "height": 844})
        for index, (login, bpmn_id, shown, before) in enumerate(steps):
            if before:
                course.do("c_chair_review", "chair-tc2", scope="TC 2", **before)
            if index == 2:
                course.do("c_refine", "implementer")
            task = next(t for t in course.open(login) if t.bpmn_id == bpmn_id)
            ui.page.context.clear_cookies()
            ui.login(login)
            ui.page.goto(f"{ui.base}/tasks/{task.id}")
            brief = ui.page.inner_text("#agreeing-brief")
            assert shown in brief
            if index:
                assert "Rework example 3." in brief
            ui.screenshot(f"workspace-brief-{bpmn_id}-390.png")
            ui.logout()


def test_auditor_history_filters_from_lists_translated_events_and_a_bad_date_explained(engine):
    """Issue 13 (auditor): people and roles chosen by name, event types in Russian, a bad date beside its field."""
    deploy_with_people(engine)
    course = CourseDriver(engine)
    course.prepare()
    with browse(create_app(engine, TICK_SECONDS=0)) as ui:
        page = ui.page
        page.set_viewport_size({"width": 390, "height": 844})
        ui.login("auditor")
        ui.open_menu()
        page.click("form.lang button[value=ru]")
        page.goto(f"{ui.base}/courses/{course.course.id}/history?since=yesterday")
        assert "«yesterday» — не дата" in page.inner_text("#since-error")
        page.select_option("select[name=actor]", label="Kirill Creator")
        page.select_option("select[name=role]", "course_creator")
        page.click("form.filters button[type=submit]:not([name])")
        text = page.inner_text("table.tasks tbody")
        assert "задача выполнена" in text and "Kirill Creator" in text and "TC 4 Secretariat" not in text
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        ui.screenshot("workspace-history-ru-390.png")
