"""Each year's key-project list (年度重点项目清单, DESIGN.md sections 10 and 11): the brief, the
dashboard and the register of a period in year Y count year Y's levels; the plans page sets them."""

from __future__ import annotations

import io
import re

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from tests.web.test_briefs import pdf_text
from tracker.audit.models import AuditEntry
from tracker.extensions import db
from tracker.projects.models import ListLevel, Project, ProjectYearLevel

SENTENCE_2025 = (
    "截至12月底，园区共有3个省市重点项目，其中省重点项目2个，市重点项目1个，年度计划投资2.20亿元，"
    "1-12月完成投资2.00亿元，完成90.9%，比时间进度慢9.1个百分点，其中省重点项目平均投资进度为87.5%。"
)


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def set_level(project: Project, year: int, level: str) -> None:
    db.session.add(ProjectYearLevel(project_id=project.id, year=year, level=ListLevel(level)))
    db.session.commit()


@pytest.fixture
def listed_park(make_project, users):
    """Today A1, A2 are 省重点, B1 市重点, Q1 区重点; the 2025 list said otherwise."""
    lead = users["member"]
    a1 = make_project("A1", "储能电站项目", "省重点", 10000, {12: 10000}, year=2025, lead=lead)
    make_project("A2", "新材料产业园项目", "省重点", 8000, {12: 6000}, year=2025, lead=lead)
    b1 = make_project("B1", "装备制造基地项目", "市重点", 20000, {12: 20000}, year=2025)
    q1 = make_project("Q1", "污水处理厂改造项目", "区重点", 4000, {12: 4000}, year=2025)
    set_level(a1, 2025, "市重点")
    set_level(b1, 2025, "不列入")
    set_level(q1, 2025, "省重点")
    return {"A1": a1, "B1": b1, "Q1": q1}


def test_a_brief_of_2025_counts_the_2025_list_not_todays_levels(listed_park, users, login, client):
    login(users["supervisor"])
    page = client.get("/briefs/2025-12").get_data(as_text=True)
    assert SENTENCE_2025 in page
    # 二、项目进展: Q1 sits with the 省重点 projects, A1 with the 市重点, B1 (不列入) is left out.
    table = text(page[page.index("二、项目进展"):])
    assert "污水处理厂改造项目" in table and "装备制造基地项目" not in table
    assert table.index("污水处理厂改造项目") < table.index("储能电站项目")
    # The PDF says the same.
    assert SENTENCE_2025 in pdf_text(client.get("/briefs/2025-12.pdf?draft=1").data)


def test_a_year_without_its_own_list_uses_todays_levels(listed_park, make_project, users, login,
                                                        client):
    login(users["supervisor"])
    page = client.get("/briefs/2026-03").get_data(as_text=True)
    assert "截至3月底，园区共有3个省市重点项目，其中省重点项目2个，市重点项目1个" in page
    assert "装备制造基地项目" in page


def test_the_dashboard_of_2025_counts_the_2025_list(listed_park, users, login, client):
    login(users["viewer"])
    page = text(client.get("/?period=2025-12").get_data(as_text=True))
    assert "省市重点项目 3 个" in page
    assert "省重点 2 · 市重点 1" in page
    assert "年度计划投资 2.20 亿元" in page and "省重点平均投资进度 87.5 %" in page
    today = text(client.get("/?period=2026-03").get_data(as_text=True))
    assert "省市重点项目 3 个" in today and "区重点 1" in today


def test_the_register_of_a_period_filters_and_shows_that_years_levels(listed_park, users, login,
                                                                      client):
    login(users["viewer"])
    provincial_2025 = client.get("/projects?level=省重点&period=2025-12").get_data(as_text=True)
    assert "污水处理厂改造项目" in provincial_2025 and "新材料产业园项目" in provincial_2025
    assert "储能电站项目" not in provincial_2025
    provincial_now = client.get("/projects?level=省重点&period=2026-10").get_data(as_text=True)
    assert "储能电站项目" in provincial_now and "污水处理厂改造项目" not in provincial_now
    unlisted = text(client.get("/projects?level=不列入&period=2025-12").get_data(as_text=True))
    assert "装备制造基地项目 不列入" in unlisted and "储能电站项目" not in unlisted
    sheet = load_workbook(io.BytesIO(client.get("/projects?period=2025-12&format=xlsx").data)).active
    levels = {r[0]: r[2] for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert levels == {"A1": "市重点", "A2": "省重点", "B1": "不列入", "Q1": "省重点"}


def test_the_plans_page_sets_a_years_level_audited(listed_park, users, login, client):
    login(users["supervisor"])
    form = client.get("/admin/projects/A1/plans?year=2025").get_data(as_text=True)
    assert "该年度级别" in form and "沿用当前级别（省重点）" in form
    response = client.post("/admin/projects/A1/plans", data={
        "year": "2024", "amount": "", "level": "不列入", "seen": "", "seen_year": "2024"})
    assert response.status_code == 302
    page = text(client.get(response.headers["Location"]).get_data(as_text=True))
    assert "已设置 A1 2024年级别：不列入" in page and "2024 不列入 未设置" in page
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.table_name == "project_year_levels",
                                                      AuditEntry.record_label == "A1 2024年"))
    assert (entry.field, entry.old, entry.new, entry.user_id) == (
        "level", None, "不列入", users["supervisor"].id)
    # Back to 沿用当前级别: the year's own level goes, and the trail says so.
    client.post("/admin/projects/A1/plans", data={
        "year": "2024", "amount": "", "level": "", "seen": "|不列入", "seen_year": "2024"})
    assert db.session.scalar(select(ProjectYearLevel).where(ProjectYearLevel.year == 2024)) is None
    assert db.session.scalar(select(AuditEntry.action).where(
        AuditEntry.record_label == "A1 2024年").order_by(AuditEntry.id.desc())) == "delete"


def test_bad_or_stale_input_changes_nothing_and_says_why(listed_park, users, login, client):
    login(users["supervisor"])
    bad = client.post("/admin/projects/A1/plans", data={
        "year": "2025", "amount": "", "level": "国家级", "seen": "|市重点", "seen_year": "2025"})
    assert bad.status_code == 422
    assert "级别只能是：省重点、市重点、区重点、不列入" in bad.get_data(as_text=True)
    empty = client.post("/admin/projects/A2/plans", data={
        "year": "2024", "amount": "", "level": "", "seen": "", "seen_year": "2024"})
    assert empty.status_code == 422 and "请填写年度计划投资或选择级别" in empty.get_data(as_text=True)
    # Someone set A1's 2025 level meanwhile: the page shows what is stored now.
    stale = client.post("/admin/projects/A1/plans", data={
        "year": "2025", "amount": "", "level": "区重点", "seen": "10000.00", "seen_year": "2025"})
    assert stale.status_code == 409
    assert "2025年级别" in stale.get_data(as_text=True) and "市重点" in stale.get_data(as_text=True)
    levels = db.session.scalars(select(ProjectYearLevel.level).order_by(ProjectYearLevel.id)).all()
    assert levels == [ListLevel.MUNICIPAL, ListLevel.UNLISTED, ListLevel.PROVINCIAL]


def test_members_and_viewers_cannot_set_levels(listed_park, users, login, client):
    for role in ("member", "viewer"):
        login(users[role])
        response = client.post("/admin/projects/A1/plans", data={
            "year": "2025", "level": "区重点", "seen": "10000.00|市重点", "seen_year": "2025"})
        assert response.status_code == 403
    assert db.session.scalar(select(ProjectYearLevel.level).where(
        ProjectYearLevel.project_id == listed_park["A1"].id)) is ListLevel.MUNICIPAL


@pytest.mark.parametrize("url", ["/?period=2026-07", "/projects?period=2026-07&level=省重点",
                                 "/briefs/2026-07"])
def test_year_levels_keep_the_query_count_fixed(client, users, login, make_project, count_queries,
                                                url):
    def queries(n: int) -> int:
        for i in range(n):
            project = make_project(f"N{n}-{i}", level=["省重点", "市重点", "区重点"][i % 3],
                                   plan=1000 + i, months={1: 10, 7: 20}, lead=users["member"])
            if i % 2:
                set_level(project, 2026, ["区重点", "不列入", "省重点"][i % 3])
        login(users["supervisor"])
        db.session.expire_all()
        with count_queries() as q:
            assert client.get(url).status_code == 200
        return q.count

    assert queries(10) == queries(300)
