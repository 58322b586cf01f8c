"""The project page (/projects/<code>): the investment curve against the even plan line and the
milestone timeline on the same months, with a link to edit for those allowed."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from tracker.extensions import db
from tracker.milestones.models import MilestoneTemplate, ProjectMilestone
from tracker.milestones.queries import ensure_rows
from tracker.projects.models import Project


def set_milestone(code: str, name: str, planned=None, actual=None) -> None:
    ensure_rows()
    m = db.session.scalar(
        select(ProjectMilestone).join(Project).join(MilestoneTemplate)
        .where(Project.code == code, MilestoneTemplate.name == name))
    m.planned_on, m.actual_on = planned, actual
    db.session.commit()


@pytest.fixture
def project(make_project, users, today):
    p = make_project("A1", "储能电站项目", plan=12000, months={1: 1000, 2: 1500, 3: 1500},
                     lead=users["member"], year=today.year)
    set_milestone("A1", "土地供应", date(today.year, 1, 20), date(today.year, 1, 15))
    set_milestone("A1", "开工建设", today - timedelta(days=9))
    return p


def section(html: str) -> str:
    return html.split('id="timeline"')[1].split("</section>")[0]


def test_the_curve_and_the_timeline_are_drawn_on_the_project_page(client, login, users, project,
                                                                  today):
    login(users["viewer"])
    html = client.get(f"/projects/A1?period={today.year}-03").get_data(as_text=True)
    part = section(html)
    assert f"{today.year}年投资完成曲线与节点计划" in part
    assert 'class="curve-chart"' in part and 'class="timeline-chart"' in part
    assert "1-3月累计 4000.00 万元" in part  # cumulative: 1000 + 1500 + 1500
    assert "1-4月累计" not in part  # the page's month ends the line
    assert "年度计划 12000.00 万元 × 月份/12" in part
    assert "逾期节点 1 个" in part  # 开工建设, in red on the timeline
    assert f"开工建设 计划 {today - timedelta(days=9)}" in part
    assert f"土地供应 实际 {date(today.year, 1, 15)}" in part
    assert "编辑节点计划" not in part  # a viewer changes nothing


@pytest.mark.parametrize(("role", "link"), [("supervisor", True), ("member", True),
                                            ("other_member", False), ("viewer", False)])
def test_the_edit_link_is_for_those_who_may_plan_or_record(client, login, users, project, role,
                                                           link):
    login(users[role])
    part = section(client.get("/projects/A1").get_data(as_text=True))
    assert ('href="/projects/A1/milestones"' in part) is link


def test_a_project_without_a_plan_or_milestones_still_shows_the_axis(client, login, users,
                                                                     make_project):
    make_project("B2", "标准厂房项目", level="市重点")
    login(users["viewer"])
    part = section(client.get("/projects/B2").get_data(as_text=True))
    assert "未下达年度计划，无均衡计划线" in part and "未计划" in part and "12月" in part
