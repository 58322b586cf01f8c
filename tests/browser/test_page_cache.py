"""Cached pages in Chromium (issue 18): a supervisor is served the dashboard another supervisor's
request rendered, and its 催报 form still carries their own session's token; a change made in
another browser shows on the next load of the cached register."""

from __future__ import annotations

import pytest

from tests.browser.conftest import screenshot

pytestmark = pytest.mark.browser


@pytest.mark.demo_park
def test_a_dashboard_from_the_cache_posts_with_its_own_token_and_a_change_shows_next(
        app, page_as, runner, make_user):
    assert runner.invoke(args=["demo"]).exit_code == 0
    make_user("super2", "supervisor", "园区管委会督查室", name="刘督查")
    first = page_as("duchashi", password="duban-super")
    first.goto(first.base + "/")  # rendered here, then cached for every supervisor
    second = page_as("super2")
    second.goto(second.base + "/")
    card = second.locator("#not-submitted")
    assert "报送率" in card.inner_text()
    card.locator("tr", has_text="张伟").locator("button", has_text="催报").click()
    assert "已催报：张伟" in second.locator(".flash-success").inner_text()
    screenshot(second, "page-cache-dashboard-cuibao")

    first.goto(first.base + "/projects")
    name = first.locator("#register-table tbody tr td[data-label=项目] a").first.inner_text()
    code = first.locator("#register-table tbody tr td[data-label=编号]").first.inner_text().strip()
    admin = page_as("admin", password="duban-admin")
    admin.goto(f"{admin.base}/admin/projects/{code}/edit")
    admin.fill("input[name=name]", name + "（二期）")
    admin.locator("button.primary[type=submit]").click()
    first.goto(first.base + "/projects")
    assert name + "（二期）" in first.locator("#register-table").inner_text()
    first.set_viewport_size({"width": 390, "height": 844})
    screenshot(first, "page-cache-register-phone")
