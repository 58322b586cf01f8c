"""The office narrows the month's review table in Chromium: the table updates in place, the
address follows (so back and reload keep the filter), and it reads at phone width."""

import re

import pytest

from tests.browser.conftest import screenshot
from tracker.extensions import db

pytestmark = pytest.mark.browser


def test_the_office_filters_the_review_table_in_place_and_the_address_follows(
        page_as, users, make_project, make_unit):
    other = make_unit("园区规划建设局")
    for i in range(130):
        p = make_project(f"C{i:04d}", name=f"第{i}号项目", plan=1000,
                         lead=users["member"] if i % 2 else None,
                         months={1: 10, 7: 5} if i < 60 else {1: 10}, state="已报送")
        if i % 3 == 0:
            p.responsible_unit = other
    db.session.commit()

    page = page_as(users["supervisor"])
    page.goto(f"{page.base}/report/2026-07")
    assert page.locator(".review-table tbody tr").count() == 100
    assert "第 1 / 2 页" in page.locator(".pager").inner_text()
    page.evaluate("window.__marker = 'no reload'")

    page.select_option("#f-unit", label="园区规划建设局")
    page.wait_for_url(re.compile(rf"unit={other.id}"))
    page.select_option("#f-state", value="submitted")
    page.wait_for_url(re.compile(r"state=submitted"))
    page.locator("#review-list", has_text="符合条件的 20 个项目").wait_for()
    assert page.locator(".review-table tbody tr").count() == 20
    assert page.evaluate("window.__marker") == "no reload", "the table changed in place"
    screenshot(page, "report-review-filtered")

    page.reload()
    assert page.locator(".review-table tbody tr").count() == 20, "the address keeps the filter"

    phone = page_as(users["supervisor"], width=390, height=844)
    phone.goto(f"{phone.base}/report/2026-07?state=missing&page=1")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(phone, "report-review-phone")
