"""An admin sets up a unit, a member and a project in the browser; the member takes over.

The member then finds the new project in the reporting grid of July 2026.
"""

import re

import pytest

from tests.browser.conftest import screenshot

pytestmark = pytest.mark.browser

MEMBER_SEES = "/report/2026-07"


def test_admin_creates_unit_member_and_project_and_the_member_takes_over(page_as, users):
    admin = page_as(users["admin"])
    base = admin.base

    admin.goto(f"{base}/admin/units")
    admin.fill("#f-name", "园区新能源服务中心")
    admin.click("button:has-text('新建')")
    assert "已新建单位“园区新能源服务中心”" in admin.locator(".flash").inner_text()

    admin.goto(f"{base}/admin/users/new")
    admin.fill("#f-login", "sunxin")
    admin.fill("#f-name", "孙新")
    admin.select_option("#f-role", "member")
    admin.select_option("#f-unit_id", label="园区新能源服务中心")
    admin.fill("#f-password", "temporary-pass-1")
    admin.click("button:has-text('保存')")
    assert admin.url.endswith("/admin/users")
    row = admin.locator("tr", has_text="sunxin")
    assert "园区新能源服务中心" in row.inner_text() and "待改密码" in row.inner_text()
    screenshot(admin, "admin-users")

    admin.goto(f"{base}/admin/projects/new")
    admin.fill("#f-code", "XN-01")
    admin.fill("#f-name", "新能源示范项目")
    admin.select_option("#f-level", "省重点")
    admin.select_option("#f-stage", "在建")
    admin.fill("#f-industry", "储能")
    admin.select_option("#f-owner_unit_id", label="园区新能源服务中心")
    admin.select_option("#f-responsible_unit_id", label="园区新能源服务中心")
    admin.select_option("#f-lead_id", label="孙新（sunxin，园区新能源服务中心）")
    admin.fill("#f-leader_in_charge", "周副主任")
    admin.fill("#f-total_investment", "36000")
    admin.fill("#f-start_year", "2026")
    admin.fill("#f-planned_completion_year", "2027")
    admin.fill("#f-plan_year", "2026")
    admin.fill("#f-plan_amount", "8000")
    screenshot(admin, "admin-project-form")
    admin.click("button:has-text('保存')")
    assert "已新建项目 XN-01 新能源示范项目" in admin.locator(".flash").inner_text()

    # A bad value comes back next to its field, with the entry kept.
    admin.goto(f"{base}/admin/projects/XN-01/plans")
    admin.fill("#f-amount", "-5")
    admin.click("button:has-text('保存计划')")
    assert admin.locator("#e-amount").inner_text() == "年度计划投资不能为负数"
    screenshot(admin, "admin-project-plans-error")

    member = page_as()
    member.goto(f"{base}/login")
    member.fill("input[name=login]", "sunxin")
    member.fill("input[name=password]", "temporary-pass-1")
    member.click("button[type=submit]")
    member.wait_for_url(re.compile(r".*/account$"))
    assert "欢迎首次登录" in member.content() and "管理员已重置您的密码" not in member.content()
    member.fill("input[name=new]", "my-own-pass-2026")
    member.fill("input[name=confirm]", "my-own-pass-2026")
    member.click("main button[type=submit]")
    assert "密码已更新" in member.locator(".flash").inner_text()

    member.goto(f"{base}{MEMBER_SEES}")
    assert member.get_by_text("新能源示范项目").first.is_visible()
    assert member.locator("input[name=amount]").count() == 1  # a row the member can fill
    screenshot(member, "member-sees-new-project")


def test_the_sixth_wrong_password_in_a_row_is_throttled(page_as, users):
    page = page_as()
    for attempt in range(1, 7):
        page.goto(f"{page.base}/login")
        page.fill("input[name=login]", users["member"].login)
        page.fill("input[name=password]", "not-the-password")
        page.click("button[type=submit]")
        text = page.locator(".alert-error").inner_text()
        if attempt < 6:
            assert text == "账号或密码不正确。"
    assert re.fullmatch(r"登录失败次数过多，请 \d+ 秒后再试。", text)
    screenshot(page, "login-throttled")
