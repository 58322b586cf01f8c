"""The demo park's work report: its mid-year draft reads like the seed report's (二)–(五)."""

from __future__ import annotations

import re

import pytest

from tracker.http import park_today
from tracker.periods import last_completed_month


def text(html: str) -> str:
    return re.sub(r"\s+", "", re.sub(r"<[^>]+>", " ", html))


@pytest.mark.demo_park
def test_the_demo_parks_mid_year_report_reads_like_the_seed_report(app, runner, client, login):
    assert runner.invoke(args=["demo"]).exit_code == 0
    with app.test_request_context():
        period = last_completed_month(park_today())
    year = period.year if period.month >= 6 else period.year - 1
    login("duchashi", "duban-super")
    page = text(client.get(f"/work-report/{year}-06").get_data(as_text=True))
    assert re.search(r"（一）经济运行。上半年园区共实现规上工业总产值\d+\.\d\d亿元，增长\d+\.\d%；"
                     r"规上工业增加值\d+\.\d\d亿元，增长\d+\.\d%；全社会固定资产投资总额\d+\.\d\d亿元，"
                     r"增长\d+\.\d%；全口径税收\d+\.\d\d亿元，增长\d+\.\d%，退税\d+\.\d\d亿元，占比\d+\.\d%。",
                     page)
    assert re.search(r"（二）项目建设。截至6月底，园区共有\d+个省市重点项目", page)
    assert re.search(r"（三）招商引资。上半年，园区共签约引进5个项目，计划总投资29\.10亿元，完成年度任务的"
                     r"36\.4%，其中粤能独立储能电站项目(（\d+年）)?计划投资12\.00亿元，其余4个项目计划投资17\.10亿元。"
                     r"还储备了12个有较强投资落户意向项目，涉及金属智造、新材料、机械装备、绿色能源等相关行业领域，"
                     r"总投资约61\.00亿元。", page)
    assert "（四）载体开发。上半年完成新增收储土地180.5亩，完成年度任务的60.2%。" in page
    # The office's own paragraphs of 二 and 三 are begun in the demo's draft (this year's).
    assert year < period.year or "（二）产业结构有待优化。" in page and "（一）一刻不松建设项目。" in page
    # Leadership sees the four areas on the dashboard too, for the same months.
    login("lingdao", "duban-viewer")
    dashboard = text(client.get(f"/?period={year}-06").get_data(as_text=True))
    assert "园区工作数据" in dashboard and "招商签约5个·29.10亿元" in dashboard
    assert "土地收储180.5亩" in dashboard
