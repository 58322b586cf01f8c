"""Blocking issues in a real browser: a supervisor assigns, the unit works it, the supervisor
confirms, and the list's counts follow. Screenshots of the list at desktop and phone width."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import screenshot
from tests.web import test_issues as _shared

pytestmark = pytest.mark.browser

make_issue = _shared.make_issue  # fixtures shared with the web tests


def _state_count(page, state: str) -> int:
    return int(page.locator(f'#counts-state li[data-state="{state}"] .count').inner_text())


@pytest.fixture
def park(users, make_project, make_issue, today):
    """A few projects and issues so the list looks like a park's."""
    a1 = make_project("A1", name="储能电站项目", lead=users["member"])
    a2 = make_project("A2", name="新材料产业园项目")
    make_issue("项目二期建设资金缺口约1.2亿元，银行贷款审批进度慢，影响设备采购。", project=a2,
               unit="园区财政金融局", person="孙科长", level="重点督办",
               deadline=today - timedelta(days=12), state="办理中")
    make_issue("项目用地农转用报批材料不完整，尚未取得用地批复。", project=a1,
               category="用地手续不完善", unit="园区自然资源分局", person="赵敏",
               level="挂牌督办", deadline=today + timedelta(days=5))
    make_issue("园区东片区施工车辆通行与周边村道冲突，需统筹交通组织。", category="其他",
               unit="园区管委会办公室", person="周主任", deadline=today + timedelta(days=40))
    make_issue("储能电站项目林地使用手续待补办。", project=a1, category="用地手续不完善",
               unit="园区自然资源分局", state="已办结", closed_on=today - timedelta(days=3))
    return {"A1": a1, "A2": a2}


def test_assign_work_confirm_and_the_counts_follow(page_as, users, park, today):
    boss = page_as(users["supervisor"])
    boss.goto(f"{boss.base}/issues")
    open_before = _state_count(boss, "待办理")
    closed_before = _state_count(boss, "已办结")

    boss.get_by_role("link", name="交办新事项").click()
    boss.select_option("#project", "A1")
    boss.select_option("#category", "土地交付进度慢")
    boss.fill("#description", "储能电站二期约30亩土地尚未完成交付，影响储能舱基础施工。")
    boss.select_option("#unit", label="园区经济发展局")
    boss.fill("#person", "张伟")
    boss.select_option("#level", "重点督办")
    boss.fill("#deadline", (today + timedelta(days=20)).isoformat())
    boss.get_by_role("button", name="交办").click()
    expect(boss.locator(".flash-success")).to_contain_text("已交办督办事项 DB-")
    number = re.search(r"DB-\d{4}-\d{4}", boss.locator(".flash-success").inner_text()).group(0)
    boss.goto(f"{boss.base}/issues")
    assert _state_count(boss, "待办理") == open_before + 1

    unit = page_as(users["member"])
    unit.get_by_role("link", name="我的待办").click()
    unit.locator("#mine").get_by_role("link", name=number).click()
    expect(unit.locator("#issue-state")).to_have_text("待办理")
    unit.fill("#comment", "已接收，正在与自然资源分局对接交地事宜。")
    unit.get_by_role("button", name="开始办理").click()
    expect(unit.locator("#issue-state")).to_have_text("办理中")  # swapped by htmx
    unit.fill("#comment", "补偿协议已签订，地上附着物清理完毕。")
    unit.get_by_role("button", name="填报办理进展").click()
    expect(unit.locator(".issue-log")).to_contain_text("补偿协议已签订")
    unit.fill("#comment", "土地已完成交付，申请办结确认。")
    unit.locator("#evidence").set_input_files([{  # 办结需佐证 (on by default)
        "name": "交地确认书.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n%%EOF\n"}])
    unit.get_by_role("button", name="办结，申请确认").click()
    expect(unit.locator("#issue-state")).to_have_text("待确认")
    expect(unit.get_by_role("button", name="确认办结")).to_have_count(0)

    boss.goto(f"{boss.base}/issues?state=待确认")
    expect(boss.locator("table.data")).to_contain_text("储能电站二期约30亩土地")
    boss.get_by_role("link", name=number).click()
    boss.fill("#comment", "经现场核实，土地已交付。")
    boss.get_by_role("button", name="确认办结").click()
    expect(boss.locator("#issue-state")).to_have_text("已办结")
    expect(boss.locator(".issue-log tbody tr")).to_have_count(5)

    boss.goto(f"{boss.base}/issues")
    assert _state_count(boss, "待办理") == open_before
    assert _state_count(boss, "已办结") == closed_before + 1


def test_filtering_updates_the_list_and_the_address(page_as, users, park):
    page = page_as(users["viewer"])
    page.goto(f"{page.base}/issues")
    expect(page.locator("table.data tbody tr")).to_have_count(4)
    expect(page.locator("table.data")).to_contain_text("逾期12天")
    page.select_option("#f-due", "overdue")
    expect(page).to_have_url(re.compile(r"/issues\?.*due=overdue"))
    expect(page.locator("table.data tbody tr")).to_have_count(1)
    expect(page.locator("table.data")).to_contain_text("银行贷款审批进度慢")
    assert page.evaluate("performance.getEntriesByType('navigation').length") == 1  # no reload
    page.reload()  # the same address without htmx renders the whole page, filtered
    expect(page.locator("table.data tbody tr")).to_have_count(1)
    expect(page.locator("#f-due")).to_have_value("overdue")


@pytest.mark.parametrize("width", [1280, 390])
def test_the_list_at_desktop_and_phone_width(page_as, users, park, width):
    page = page_as(users["supervisor"], width=width)
    page.goto(f"{page.base}/issues")
    expect(page.locator("table.data")).to_contain_text("逾期12天")
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"page scrolls sideways by {overflow}px at {width}px"
    screenshot(page, f"issues-list-{width}")
    page.goto(f"{page.base}/issues/mine")
    screenshot(page, f"issues-mine-{width}")
    page.locator("table.data a").first.click()
    screenshot(page, f"issues-detail-{width}")
