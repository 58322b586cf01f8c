"""A supervisor writes next month's steps in the draft, saves without a page load, and
publishes; a leader then finds the brief in the archive."""

from __future__ import annotations

import pytest

from tests.browser.conftest import screenshot
from tracker.periods import last_completed_month


@pytest.mark.demo_park
def test_supervisor_drafts_and_publishes_a_brief(app, runner, page_as, today):
    assert runner.invoke(args=["demo"]).exit_code == 0
    month = last_completed_month(today)  # the demo's month, whose reports are still coming in
    issue = f"〔{month.year}〕第1期"
    page = page_as("duchashi", "duban-super")
    page.goto(f"{page.base}/briefs")
    page.fill("input[name=period]", str(month))
    page.click("text=新建 / 打开草稿")
    page.wait_for_url(f"**/briefs/{month}")
    assert page.locator(".brief-preview").get_by_text("一、总体情况").is_visible()
    assert page.get_by_text("草稿（未发布）").is_visible()

    page.fill("textarea[name=next_steps]", "加快推进滞后项目建设。\n督促逾期问题限期办结。")
    page.fill("input[name=send_to]", "区委、区政府主要领导")
    page.click("text=保存草稿")
    preview = page.locator(".brief-preview")
    preview.get_by_text("督促逾期问题限期办结。").wait_for()
    assert preview.get_by_text("报送：区委、区政府主要领导").is_visible()
    screenshot(page, "brief-draft")

    check = page.locator("#publish-check")
    assert check.get_by_text("发布前检查").is_visible() and "未报送" in check.inner_text()
    page.click(f"text=发布（{issue}）")  # without the tick: refused, the check stays
    page.get_by_text("确需发布，请勾选确认").wait_for()
    page.check("input[name=accept_incomplete]")
    page.click(f"text=发布（{issue}）")
    page.wait_for_url(f"**/briefs/{month}")
    assert page.get_by_text(f"已发布{issue}（第1版）").is_visible()
    assert page.get_by_label("更正原因").is_visible()

    phone = page_as("lingdao", "duban-viewer", width=390)
    phone.goto(f"{phone.base}/briefs")
    assert phone.get_by_text(issue).first.is_visible()
    phone.click(f"text={month.year}年{month.month}月")
    assert phone.locator(".brief-preview").get_by_text("加快推进滞后项目建设。").is_visible()
    assert phone.get_by_text("草稿（未发布）").count() == 0
    screenshot(phone, "brief-published-phone")
