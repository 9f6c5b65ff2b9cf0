"""The Outbox page, a message, the public course list and the NMI directory in Chromium, in English and Russian,
at 1280 and 390 pixels wide (screenshots in test-artifacts/): nothing overflows the window (12.1, 12.2)."""
from __future__ import annotations

import pytest

from demo import load_demo
from tests.browser import browse
from webapp.app import create_app

playwright_api = pytest.importorskip("playwright.sync_api")


@pytest.fixture
def ui(engine, monkeypatch):
    monkeypatch.delenv("COURSEFLOW_SMTP_URL", raising=False)
    assert load_demo(engine) == []
    with browse(create_app(engine, TICK_SECONDS=0)) as ui:
        yield ui


def fits(ui) -> bool:
    """No horizontal scrolling of the whole page (wide tables scroll inside their own box)."""
    return ui.page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_outbox_public_list_and_nmis_read_well_in_both_languages_and_widths(ui):
    ui.login("admin", "demo")
    for language in ("en", "ru"):
        ui.page.click(f"form.lang button[value={language}]")
        for width in (1280, 390):
            ui.page.set_viewport_size({"width": width, "height": 900})
            ui.page.goto(f"{ui.base}/admin/outbox/")
            assert ui.page.locator("table.outbox tbody tr").count() > 10
            assert fits(ui), f"outbox overflows at {width}px ({language})"
            ui.screenshot(f"outbox-{language}-{width}.png")
            ui.page.click("table.outbox tbody tr:first-child a")
            assert ui.page.locator("pre.mail").count() == 1 and fits(ui)
            ui.page.frame_locator("iframe.mail").locator("a").first.wait_for()  # the HTML part, rendered
            ui.screenshot(f"outbox-message-{language}-{width}.png")
            ui.page.goto(f"{ui.base}/announcement/nmis")
            assert fits(ui), f"NMI directory overflows at {width}px ({language})"
            ui.screenshot(f"nmis-{language}-{width}.png")
            ui.page.goto(f"{ui.base}/public/courses")
            assert ui.page.locator("article.public-course").count() == 2 and fits(ui)
            ui.screenshot(f"public-courses-{language}-{width}.png")
