"""Signing in with a real browser; htmx loads and carries the CSRF header."""

import pytest

from tests.browser.conftest import screenshot

pytestmark = pytest.mark.browser


def test_supervisor_signs_in_and_sees_the_dashboard(page_as, users, make_project):
    make_project("A1", name="储能电站项目", plan=10000, months={1: 1000})
    page = page_as(users["supervisor"])
    assert page.locator("h1").first.inner_text().startswith("重点项目总览")
    assert page.evaluate("typeof window.htmx") == "object"
    assert "储能电站项目" in page.content()
    screenshot(page, "dashboard-supervisor")


def test_wrong_password_shows_one_message(page_as, users):
    page = page_as()
    page.goto(f"{page.base}/login")
    page.fill("input[name=login]", users["member"].login)
    page.fill("input[name=password]", "wrong-password")
    page.click("button[type=submit]")
    assert page.locator(".alert-error").inner_text() == "账号或密码不正确。"
