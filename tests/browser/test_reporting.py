"""A lead reports July in Chromium; the supervisor sees it; a stale browser is told of the conflict."""

import re

import pytest

from tests.browser.conftest import screenshot

pytestmark = pytest.mark.browser


def test_lead_reports_july_and_supervisor_sees_the_dashboard_change(page_as, users, make_project):
    make_project("A1", name="储能电站项目", plan=10000, lead=users["member"],
                 months={m: 500 for m in range(1, 7)})
    make_project("B1", name="装备制造基地项目", level="市重点", plan=20000,
                 lead=users["other_member"], months={m: 1000 for m in range(1, 8)})

    boss = page_as(users["supervisor"])
    boss.goto(f"{boss.base}/?period=2026-07")
    assert "储能电站项目" in boss.locator("#not-submitted").inner_text()
    rate_before = boss.locator(".kpi", has_text="完成率").first.inner_text()

    lead = page_as(users["member"])
    stale = page_as(users["member"])  # the same lead in a second browser, opened now
    stale.goto(f"{stale.base}/report/2026-07")

    lead.goto(f"{lead.base}/report/2026-07")
    lead.evaluate("window.__marker = 'no reload'")
    row = lead.locator("#row-A1")
    row.locator("input[name=amount]").fill("1500")
    # While typing: the cumulative and rate including this row update in place.
    row.locator("[data-ytd]").filter(has_text="4,500.00").wait_for()
    assert row.locator("[data-rate]").inner_text() == "45.0%"
    row.locator("textarea[name=progress_text]").fill("主体结构封顶，设备进场")
    row.get_by_role("button", name="保存草稿").click()
    lead.locator("#row-A1 [data-state]", has_text="草稿").wait_for()
    lead.locator("#row-A1").get_by_role("button", name="报送", exact=True).click()
    lead.locator("#row-A1 [data-state]", has_text="已报送").wait_for()
    assert lead.evaluate("window.__marker") == "no reload"
    screenshot(lead, "report-grid-lead")

    boss.goto(f"{boss.base}/?period=2026-07")
    assert "储能电站项目" not in boss.locator("#not-submitted").inner_text()
    assert boss.locator(".kpi", has_text="完成率").first.inner_text() != rate_before
    screenshot(boss, "dashboard-after-report")

    # The second browser still holds the row as it was before the save.
    stale_row = stale.locator("#row-A1")
    stale_row.locator("input[name=amount]").fill("999")
    stale_row.get_by_role("button", name="保存草稿").click()
    conflict = stale.locator("#row-A1 .conflict")
    conflict.wait_for()
    text = conflict.inner_text()
    assert "保存冲突" in text and "张伟" in text and "1500.00" in text
    screenshot(stale, "report-conflict")


def test_grid_is_usable_at_phone_width(page_as, users, make_project):
    make_project("A1", name="储能电站项目", plan=10000, lead=users["member"], months={1: 500})
    page = page_as(users["member"], width=390, height=844)
    page.goto(f"{page.base}/report/2026-07")
    amount = page.locator("#row-A1 input[name=amount]")
    box = amount.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    amount.fill("12.5")
    page.locator("#row-A1").get_by_role("button", name="保存草稿").click()
    page.locator("#row-A1 [data-state]", has_text="草稿").wait_for()
    screenshot(page, "report-grid-390")


def test_register_filters_through_htmx_and_the_url_follows(page_as, users, make_project):
    make_project("A1", name="储能电站项目", plan=10000, months={1: 500})
    make_project("B1", name="装备制造基地项目", level="市重点", plan=20000, months={1: 500})
    page = page_as(users["viewer"])
    page.goto(f"{page.base}/projects")
    page.evaluate("window.__marker = 'no reload'")
    page.select_option("#f-level", "市重点")
    page.wait_for_url(re.compile(r"level=%E5%B8%82%E9%87%8D%E7%82%B9|level=市重点"))
    page.locator("#register-table").filter(has_not_text="储能电站项目").wait_for()
    assert "装备制造基地项目" in page.locator("#register-table").inner_text()
    assert page.evaluate("window.__marker") == "no reload"
    screenshot(page, "register-filtered")
    # The same URL without htmx renders the whole page, filtered.
    page.reload()
    assert "储能电站项目" not in page.locator("#register-table").inner_text()
