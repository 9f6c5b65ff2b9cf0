"""Russian throughout, in Chromium (issue 13): the pages the phone walk leaves out — the modeller's pages, the
outbox, the sector view, certificates, monitoring, satisfaction, documents, histories and the error pages —
read in Russian for every role that uses them; any English sentence of the interface fails the test.
Screenshots in Russian at 1280 and 390 px go to test-artifacts/."""
from __future__ import annotations

import pytest

from demo import DEMO_PASSWORD, load_demo
from engine import CATALOGUE_STATUSES
from tests.browser import browse
from tests.coomet import REPO
from tests.test_workspace_phone import ENGLISH, PHONE, _interface
from webapp.app import create_app

playwright_api = pytest.importorskip("playwright.sync_api")

# Text the definitions and people wrote stays as written: diagrams, source code, and what is marked as data.
VISIBLE_TEXT = """() => {
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const found = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const element = node.parentElement;
    if (!element || element.closest('script, style, code, pre, svg, textarea, .cm-editor, .data, [lang=en], '
                                    + '[translate=no]')) continue;
    if (!element.getClientRects().length) continue;
    const text = node.textContent.trim();
    if (text) found.push(text);
  }
  return found;
}"""


@pytest.fixture
def ui(engine):
    load_demo(engine)
    changed = (REPO / "processes" / "course_creation.bpmn").read_text(encoding="utf-8").replace(
        'value="survey.json"', 'value="acknowledgement.json"')  # version 2: the courses at the survey cannot move
    assert engine.deploy_model("course_creation.bpmn", changed, engine.actor("owner")).ok
    with browse(create_app(engine, TICK_SECONDS=0)) as ui:
        yield ui


def _pages(engine) -> dict[str, list[str]]:
    """Each role's pages to read, with a published course and a message of the outbox to open."""
    published = next(c for c in engine.courses() if c.status in CATALOGUE_STATUSES)
    course = published.id
    return {
        "owner": ["/processes/", "/processes/course_creation/versions", "/processes/course_creation/migrate?to=2",
                  "/processes/course_creation/edit", "/forms/", "/forms/survey.json"],
        "admin": ["/sector", "/admin/outbox/", f"/admin/outbox/{engine.outbox(engine.actor('admin'))[0].id}", "/certificates/", f"/certificates/courses/{course}", "/monitoring/",
                  f"/monitoring/courses/{course}", f"/courses/{course}/satisfaction", "/documents/",
                  "/admin/users", "/admin/csbs", "/announcement/nmis", f"/courses/{course}", "/courses/999999",
                  "/tasks/00000000-0000-0000-0000-000000000000"],
        "auditor": [f"/courses/{course}/history?replay=1", f"/courses/{course}/replay?step=3",
                    f"/courses/{course}/diagram", "/sector"],
        "tc4": ["/monitoring/", "/documents/", f"/courses/{course}/satisfaction"],
        "coordinator": ["/my/courses", f"/courses/{course}/satisfaction", f"/monitoring/courses/{course}"],
        "chair-tc2": ["/my/csb", "/processes/"],
    }


def _choose_russian(ui) -> None:
    ui.page.goto(f"{ui.base}/")
    ui.open_menu()
    ui.page.click("form.lang button[value=ru]")
    ui.page.wait_for_load_state()


def test_every_role_s_other_pages_read_in_russian(ui, engine):
    page, english, statuses = ui.page, [], {}
    for login, hrefs in _pages(engine).items():
        ui.login(login, DEMO_PASSWORD)
        _choose_russian(ui)
        for href in hrefs:
            for width, size in (("1280", {"width": 1280, "height": 900}), ("390", PHONE)):
                page.set_viewport_size(size)
                response = page.goto(f"{ui.base}{href}")
                statuses[(login, href)] = response.status if response else None
                if width == "1280":
                    english += [f"{login} {href}: {text}" for text in page.evaluate(VISIBLE_TEXT)
                                if ENGLISH.search(_interface(text))]
                slug = "-".join(part for part in href.split("?")[0].split("/") if part)[:40] or "inbox"
                ui.screenshot(f"language-{login}-{slug}-ru-{width}.png")
        page.set_viewport_size({"width": 1280, "height": 900})
        page.goto(f"{ui.base}/")
        ui.logout()
    assert statuses[("admin", "/courses/999999")] == 404
    assert statuses[("chair-tc2", "/processes/")] == 403 and statuses[("auditor", "/sector")] == 403
    assert not [key for key, status in statuses.items() if status is None or status >= 500]
    assert not english, "\n".join(sorted(set(english)))
