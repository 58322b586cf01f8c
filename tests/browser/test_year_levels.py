"""In Chromium, on the demo park: the office puts a project on last year's list from the plans
page, the register of that year follows; the wall chart of the demo's plans at 1280 and 390 px."""

import re

import pytest

from tests.browser.conftest import screenshot
from tracker.periods import last_completed_month
from tracker.timeutil import today as today_in

pytestmark = pytest.mark.browser


@pytest.mark.demo_park
def test_a_years_level_set_on_the_plans_page_and_the_demo_wall_chart(app, page_as, runner):
    assert runner.invoke(args=["demo"]).exit_code == 0
    year = last_completed_month(today_in(app.config["TIMEZONE"])).year - 1
    office = page_as("duchashi", password="duban-super")
    office.goto(f"{office.base}/admin/projects/QZ-04/plans?year={year}")
    office.select_option("#f-level", "省重点")
    office.get_by_role("button", name="保存").click()
    assert f"已设置 QZ-04 {year}年" in office.locator("body").inner_text()
    row = office.locator("table.data tbody tr", has_text=str(year))
    assert "省重点" in row.inner_text()
    screenshot(office, "year-levels-plans")

    office.goto(f"{office.base}/projects?level=省重点&period={year}-12")
    assert "五金制品技改项目" in office.locator("main").inner_text()
    office.goto(f"{office.base}/projects?level=省重点")
    assert "五金制品技改项目" not in office.locator("main").inner_text()

    office.goto(f"{office.base}/milestones")
    wall = office.locator("#wall").inner_text()
    assert "逾期完成" in wall and "不适用" in wall
    screenshot(office, "milestones-demo-1280")
    office.goto(f"{office.base}/milestones?status=" + "供地未开工")
    assert "铝合金+汽车零部件产业园项目" in office.locator("#wall").inner_text()

    phone = page_as("duchashi", password="duban-super", width=390, height=844)
    for url in (f"/admin/projects/QZ-04/plans?year={year}", "/milestones"):
        phone.goto(phone.base + url)
        phone.wait_for_load_state("networkidle")
        assert phone.evaluate("document.documentElement.scrollWidth") <= 390, url
    screenshot(phone, "milestones-demo-390")
    phone.goto(f"{phone.base}/admin/projects/QZ-04/plans?year={year}")
    assert re.search(r"沿用当前级别（区重点）", phone.locator("#f-level").inner_text())
    screenshot(phone, "year-levels-plans-390")
