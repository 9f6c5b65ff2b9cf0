"""Browser: the refusals issue 11 added are readable in English and Russian, on a desktop and a phone."""
from __future__ import annotations

import pytest

from engine.security import throttle
from tests.browser import browse
from tests.coomet import CourseDriver, deploy_with_people
from webapp.app import create_app

playwright_api = pytest.importorskip("playwright.sync_api")

MESSAGES = {"en": ("Too many failed logins", "answered this questionnaire already"),
            "ru": ("Слишком много неудачных попыток входа", "уже отправлены")}
ANSWERS = {"relevance": "excellent", "theoretical_utility": "good", "material_quality": "good",
           "material_presentation": "satisfactory"}


def test_throttled_login_and_a_second_questionnaire_answer_are_explained(engine):
    deploy_with_people(engine)
    course = CourseDriver(engine)
    course.publish_one_csb_course()
    for _ in range(throttle.ACCOUNT_LIMIT):
        engine.authenticate("creator", "wrong", "10.0.0.9")
    with browse(create_app(engine, TICK_SECONDS=0)) as ui:
        for language, (throttled, answered) in MESSAGES.items():
            for width in (1280, 390):
                ui.page.set_viewport_size({"width": width, "height": 800})
                ui.page.set_extra_http_headers({"Accept-Language": language})
                ui.page.goto(f"{ui.base}/login")
                ui.page.fill("input[name=login]", "creator")
                ui.page.fill("input[name=password]", "pw")
                ui.page.click("form.card button[type=submit]")
                assert throttled in ui.page.locator(".flash.error").inner_text()
                ui.screenshot(f"hardening-login-throttled-{language}-{width}.png")
            ui.page.context.clear_cookies()
            for _ in range(2):
                ui.page.goto(f"{ui.base}/survey/{course.course.id}")
                for name, value in ANSWERS.items():
                    ui.page.check(f"input[name='{name}'][value='{value}']") \
                        if ui.page.locator(f"input[type=radio][name='{name}']").count() \
                        else ui.page.select_option(f"select[name='{name}']", value)
                ui.page.click("form.card button[type=submit]")
            assert answered in ui.page.locator(".flash.error").inner_text()
            ui.screenshot(f"hardening-survey-refused-{language}-390.png")
