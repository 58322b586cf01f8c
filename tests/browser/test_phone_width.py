"""Every main page of the demo park fits a 390-px phone screen (no sideways scrolling)."""

import pytest

from tests.browser.conftest import screenshot

pytestmark = pytest.mark.browser

PAGES = ["/", "/projects", "/projects/SZ-01", "/report/2026-10", "/issues", "/issues/mine",
         "/briefs", "/briefs/2026-10", "/import", "/admin/audit", "/admin/projects", "/account",
         "/milestones", "/projects/SZ-01/milestones"]


@pytest.mark.demo_park
def test_main_pages_fit_a_phone(page_as, runner):
    assert runner.invoke(args=["demo"]).exit_code == 0
    page = page_as("duchashi", password="duban-super", width=390, height=844)
    wide = {}
    for url in PAGES:
        page.goto(page.base + url)  # returns at the load event; no page loads more after it
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > 390:
            wide[url] = width
    assert wide == {}
    page.goto(page.base + "/")
    screenshot(page, "dashboard-390")
