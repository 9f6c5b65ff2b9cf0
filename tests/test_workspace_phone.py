"""Every role's main pages on a phone (390 x 844, issue 13): nothing wider than the window, a menu for the
navigation, tables as cards, a label on every input, a skip link and a favicon; screenshots in English and
Russian at 1280 and 390 px."""
from __future__ import annotations

import re

import pytest

from demo import DEMO_PASSWORD, load_demo
from demo.data import COURSES, DEMO_CONTACTS
from demo.driver import CourseDriver
from tests.browser import browse
from tests.coomet import DEMO_USERS
from webapp.app import create_app

playwright_api = pytest.importorskip("playwright.sync_api")

LONG_NAME = ("Measurement uncertainty in the calibration of flow meters, pressure gauges, thermometers and "
             "hygrometers for national metrology institutes of the regional metrology organisation COOMET")
PHONE = {"width": 390, "height": 844}
ENGLISH = re.compile(r"\b(the|of|and|to|is|are|task|tasks|course|courses|agreeing|sheet|with|for|by|from|"
                     r"open|done|claimed|refined|none|The|Task|Course|Appendix|None|Open)\b")
# People's own words stay as they wrote them: names, course names and summaries, findings, addresses.
DATA = sorted({text for course in COURSES.values() for text in course[:4]} | {LONG_NAME} |
              {name for _login, name, _grants in DEMO_USERS} | {c for contact in DEMO_CONTACTS.values() for c in contact}
              | {"Chapter 4 still cites the 2013 edition of ISO 3650; the exercises need the 2024 tolerances."},
              key=len, reverse=True)
ADDRESS = re.compile(r"https?://\S+|\S+@\S+")
# Letters are written in their recipient's language; the modeller's pages show the definitions' own text.
NOT_INTERFACE = ("/admin/outbox", "/processes", "/forms")
VISIBLE_TEXT = """() => {
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const found = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const element = node.parentElement;
    if (!element || element.closest('script, style, code, pre, .data, [lang=en], [translate=no]')) continue;
    if (!element.getClientRects().length) continue;
    const text = node.textContent.trim();
    if (text) found.push(text);
  }
  return found;
}"""
UNLABELLED = """() => [...document.querySelectorAll('input, select, textarea')]
  .filter(e => e.type !== 'hidden' && e.offsetParent !== null)
  .filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label') && !e.getAttribute('aria-labelledby'))
  .map(e => e.outerHTML.slice(0, 120))"""
HEADER_LINKS = """() => [...document.querySelectorAll('header a[href^="/"]')].map(a => a.getAttribute('href'))"""
TABLE_LINKS = """() => [...document.querySelectorAll('main table tbody a[href^="/"]')].map(a => a.getAttribute('href'))"""


@pytest.fixture
def ui(engine):
    load_demo(engine)
    CourseDriver(engine, course_name=LONG_NAME, course_name_ru=LONG_NAME, initiator="VNIIM")
    with browse(create_app(engine, TICK_SECONDS=0)) as ui:
        yield ui


def _pages(ui) -> list[str]:
    """The header's pages and, from each, the first page its table links to (a task, a course, a person)."""
    ui.page.goto(f"{ui.base}/")
    pages = ui.page.evaluate(HEADER_LINKS)
    for href in list(pages):
        ui.page.goto(f"{ui.base}{href}")
        pages += ui.page.evaluate(TABLE_LINKS)[:1]
    return list(dict.fromkeys(pages))


def _interface(text: str) -> str:
    """A page's text without what people wrote (see DATA)."""
    for data in DATA:
        text = text.replace(data, "")
    return ADDRESS.sub("", text)


def _choose(ui, language: str) -> None:
    """Press the header's language button (the choice is kept for the person)."""
    ui.page.goto(f"{ui.base}/")
    ui.open_menu()
    ui.page.click(f"form.lang button[value={language}]")
    ui.page.wait_for_load_state()


def test_every_role_s_main_pages_fit_a_phone_and_label_every_input(ui):
    page = ui.page
    page.set_viewport_size(PHONE)
    too_wide, unlabelled, english = [], [], []
    for login, _name, _grants in DEMO_USERS:
        ui.login(login, DEMO_PASSWORD)
        for language in ("en", "ru"):
            _choose(ui, language)
            for href in _pages(ui):
                page.goto(f"{ui.base}{href}")
                width = page.evaluate("document.documentElement.scrollWidth")
                if width > page.evaluate("window.innerWidth"):
                    too_wide.append(f"{login} {language} {href}: {width}px")
                unlabelled += [f"{login} {href}: {field}" for field in page.evaluate(UNLABELLED)]
                if language == "ru" and not href.startswith(NOT_INTERFACE):
                    english += [f"{login} {href}: {text}" for text in page.evaluate(VISIBLE_TEXT)
                                if ENGLISH.search(_interface(text))]
                if login in ("admin", "chair-tc2"):
                    slug = "-".join(part for part in href.split("?")[0].split("/") if part)[:40] or "inbox"
                    ui.screenshot(f"workspace-phone-{login}-{slug}-{language}.png")
        page.goto(f"{ui.base}/")
        ui.logout()
    assert not too_wide, "\n".join(too_wide)
    assert not unlabelled, "\n".join(unlabelled)
    assert not english, "\n".join(sorted(set(english)))


def test_phone_menu_course_filter_and_cleared_filters_in_english_and_russian(ui, engine):
    page = ui.page
    long_course = next(c for c in engine.courses() if c.name == LONG_NAME)
    for language in ("en", "ru"):
        for width in (1280, 390):
            page.set_viewport_size({"width": width, "height": 844})
            ui.login("tc4", DEMO_PASSWORD)
            _choose(ui, language)
            offered = page.eval_on_selector_all("select[name=course] option", "os => os.map(o => o.value)")
            assert str(long_course.id) in offered
            assert len(offered) - 1 == len(engine.inbox_courses(engine.actor("tc4")))
            ui.screenshot(f"workspace-inbox-{language}-{width}.png")
            assert page.locator("header nav").is_visible() == (width > 800)
            ui.open_menu()
            assert page.locator("form.logout button").is_visible()
            ui.screenshot(f"workspace-menu-{language}-{width}.png")
            page.goto(f"{ui.base}/?role=course_creator")
            assert page.locator("#filtered-empty").is_visible()
            page.click("#filtered-empty a")
            assert page.locator("table.tasks tbody tr").count() > 0
            ui.screenshot(f"workspace-filters-cleared-{language}-{width}.png")
            page.keyboard.press("Tab")
            assert page.evaluate("document.activeElement.className") == "skip"
            ui.logout()
    ui.login("creator", DEMO_PASSWORD)
    offered = page.eval_on_selector_all("select[name=course] option", "os => os.map(o => o.value)")
    assert str(long_course.id) not in offered
    icon = page.get_attribute("link[rel=icon]", "href")
    assert page.request.get(f"{ui.base}{icon}").ok
