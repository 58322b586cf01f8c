"""A live server on loopback and Debian's Chromium driven by Playwright.

``live_server`` serves this test's app (and database) from a thread; ``browser``
is one Chromium per session; ``page_as(user)`` opens a signed-in page of its own
(separate cookies), so a test can hold two people's browsers at once.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from tests.conftest import PASSWORD

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# Screenshots for a person to look at, taken only when asked for (SCREENSHOT_DIR=/tmp/shots):
# the suite's 65 full-page PNGs cost Chromium about 10 s of CPU that no assertion uses.
SHOTS = Path(os.environ["SCREENSHOT_DIR"]) if os.environ.get("SCREENSHOT_DIR") else None


@pytest.fixture
def live_server(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(5)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def page_as(browser, live_server):
    contexts = []

    def open_page(user=None, password: str = PASSWORD, width: int = 1280, height: int = 900):
        context = browser.new_context(
            viewport={"width": width, "height": height}, locale="zh-CN"
        )
        contexts.append(context)
        page = context.new_page()
        # Generous: the two runs of make test share the cores with their servers and browsers,
        # and a page that renders a PDF waits for it.
        page.set_default_timeout(30_000)
        page.base = live_server
        page.click = _click_then_load(page)
        if user is not None:
            page.goto(f"{live_server}/login")
            page.fill("input[name=login]", getattr(user, "login", user))
            page.fill("input[name=password]", password)
            page.click("button[type=submit]")  # returns once the next page has loaded
        return page

    yield open_page
    for context in contexts:
        context.close()


def _click_then_load(page):
    """Playwright's click, then the page's load event: a click that submits a form returns once
    the next page has started loading, and under load a check made right after could run
    before that page is parsed. A click that loads no page returns at once, as before."""
    click = page.click

    def click_then_load(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        click(*args, **kwargs)
        page.wait_for_load_state()

    return click_then_load


def screenshot(page, name: str) -> Path | None:
    """Save a full-page screenshot for a person to look at, when ``SCREENSHOT_DIR`` names a
    folder; returns its path, or None."""
    if SHOTS is None:
        return None
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
