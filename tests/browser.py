"""A live CourseFlow server and a headless Chromium driven by Playwright, for the browser tests."""
from __future__ import annotations

import os
import shutil
import threading
from contextlib import contextmanager
from pathlib import Path

from werkzeug.serving import make_server

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def chromium_path() -> str | None:
    return os.environ.get("COURSEFLOW_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")


@contextmanager
def live_server(app):
    """Serve ``app`` on a free loopback port in a thread; yield its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join()


def require_chromium() -> None:
    """Skip without Chromium, unless CI says it must be there (COURSEFLOW_REQUIRE_BROWSER)."""
    import pytest

    if chromium_path() is None:
        if os.environ.get("COURSEFLOW_REQUIRE_BROWSER"):
            pytest.fail("Chromium is required (COURSEFLOW_REQUIRE_BROWSER) but not installed")
        pytest.skip("Chromium not installed (apt-get install chromium)")


def require_modeller() -> None:
    """The modeller's script is built by `npm ci --prefix webapp/modeller` (the README's set-up)."""
    import pytest

    if not (Path(__file__).resolve().parent.parent / "webapp/static/modeller/modeller.js").is_file():
        if os.environ.get("COURSEFLOW_REQUIRE_BROWSER"):
            pytest.fail("the modeller is not built: run npm ci --prefix webapp/modeller")
        pytest.skip("the modeller is not built (npm ci --prefix webapp/modeller)")


@contextmanager
def browse(app):
    """A live server for ``app`` and a headless Chromium page on it, as a :class:`UI`."""
    from playwright.sync_api import sync_playwright

    require_chromium()
    with live_server(app) as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_FLAGS)
        page = browser.new_page()
        page.set_default_timeout(15000)
        try:
            yield UI(page, base)
        finally:
            browser.close()


class UI:
    """What a person does in the browser: log in, open a task from the inbox, fill in a form."""

    def __init__(self, page, base: str):
        self.page, self.base = page, base

    def login(self, user: str, password: str = "pw") -> None:
        self.page.goto(f"{self.base}/login")
        self.page.fill("input[name=login]", user)
        self.page.fill("input[name=password]", password)
        self.page.click("form.card button[type=submit]")
        self.page.wait_for_selector("form.logout", state="attached")

    def logout(self) -> None:
        self.open_menu()
        self.page.click("form.logout button")
        self.page.wait_for_selector("input[name=login]")

    def open_menu(self) -> None:
        """On a narrow screen the header's links are behind the menu button."""
        toggle = self.page.locator(".menu-toggle")
        if toggle.is_visible() and toggle.get_attribute("aria-expanded") != "true":
            toggle.click()

    def open_task(self, name: str) -> None:
        self.page.goto(f"{self.base}/")
        self.page.click(f"table.tasks a:has-text('{name}')")
        self.page.wait_for_selector("form.card")

    def fill(self, data: dict) -> None:
        """Fill form fields by their dotted names: YES/NO radios, selects, multi-selects, text."""
        for name, value in data.items():
            selector = f"[name='{name}']"
            if isinstance(value, bool):
                self.page.check(f"input{selector}[value={'yes' if value else 'no'}]")
            elif isinstance(value, list):
                self.page.select_option(f"select{selector}", [str(v) for v in value])
            elif self.page.locator(f"select{selector}").count():
                self.page.select_option(f"select{selector}", str(value))
            else:
                self.page.fill(selector, str(value))

    def submit(self) -> None:
        self.page.click("form.card button[type=submit]")
        self.page.wait_for_load_state()

    def do(self, user: str, task: str, data: dict) -> None:
        """Log in as ``user``, open ``task`` from the inbox, fill it in, submit, log out."""
        self.login(user)
        self.open_task(task)
        self.fill(data)
        self.submit()
        assert self.page.locator(".flash.ok").count() == 1, self.page.content()
        self.logout()

    def screenshot(self, name: str) -> None:
        ARTIFACTS.mkdir(exist_ok=True)
        self.page.screenshot(path=str(ARTIFACTS / name), full_page=True)
