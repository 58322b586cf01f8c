"""Milestones in Chromium: the office plans, the lead records in place, a stale browser is told of
the conflict, the wall chart filters through htmx with the address following."""

import re
from datetime import timedelta

import pytest

from tests.browser.conftest import screenshot
from tracker.timeutil import today as today_in

pytestmark = pytest.mark.browser


def test_plan_record_conflict_and_the_wall_chart(app, page_as, users, make_project):
    make_project("A1", name="储能电站项目", lead=users["member"])
    make_project("B1", name="装备制造基地项目", level="市重点")
    today = today_in(app.config["TIMEZONE"])

    boss = page_as(users["supervisor"])
    boss.goto(f"{boss.base}/projects/A1/milestones")
    row = boss.locator("article.ms-row", has_text="开工建设")
    row.locator("input[name=planned_on]").fill((today - timedelta(days=3)).isoformat())
    row.get_by_role("button", name="保存").click()
    boss.locator("article.ms-row", has_text="开工建设").locator("[data-status]", has_text="逾期").wait_for()

    lead = page_as(users["member"])
    stale = page_as(users["member"])  # a second browser of the lead, opened before the save
    stale.goto(f"{stale.base}/projects/A1/milestones")
    # The lead records it where the month's work is: the reporting grid's row.
    lead.goto(f"{lead.base}/report/{today.year}-{today.month:02d}")
    lead.evaluate("window.__marker = 'no reload'")
    item = lead.locator("#row-A1 li.grid-ms", has_text="开工建设")
    item.locator("input[name=actual_on]").fill(today.isoformat())
    item.locator("input[name=note]").fill("桩基施工")
    item.get_by_role("button", name="保存节点").click()
    lead.locator("#row-A1 li.grid-ms [data-status]", has_text="逾期完成").wait_for()
    assert lead.evaluate("window.__marker") == "no reload"
    screenshot(lead, "milestones-in-grid")
    lead.goto(f"{lead.base}/projects/A1")
    assert "在建" in lead.locator("main").inner_text()  # the stage moved forward
    lead.goto(f"{lead.base}/projects/A1/milestones")
    screenshot(lead, "milestones-project")

    stale_row = stale.locator("article.ms-row", has_text="开工建设")
    stale_row.locator("input[name=note]").fill("旧页面的备注")
    stale_row.get_by_role("button", name="保存").click()
    conflict = stale.locator("article.ms-row .conflict")
    conflict.wait_for()
    assert "保存冲突" in conflict.inner_text() and "桩基施工" in conflict.inner_text()

    chart = page_as(users["viewer"])
    chart.goto(f"{chart.base}/milestones")
    chart.evaluate("window.__marker = 'no reload'")
    chart.select_option("#f-level", "市重点")
    chart.wait_for_url(re.compile(r"level="))
    chart.locator("#wall").filter(has_not_text="储能电站项目").wait_for()
    assert "装备制造基地项目" in chart.locator("#wall").inner_text()
    assert chart.evaluate("window.__marker") == "no reload"
    chart.select_option("#f-level", "")
    chart.locator("#wall").filter(has_text="储能电站项目").wait_for()
    # The header row and the project column stay in view while the chart scrolls.
    assert chart.locator("table.wall thead th").first.evaluate("e => getComputedStyle(e).position") == "sticky"
    assert chart.locator("table.wall tbody th.proj").first.evaluate("e => getComputedStyle(e).position") == "sticky"
    screenshot(chart, "milestones-wall")
