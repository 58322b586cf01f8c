"""Milestones where people read them, in Chromium: the dashboard's card (a supervisor turns an
overdue milestone into a blocking issue in one step), the project page's curve and timeline at
desktop and phone width, and the wall chart's A3 PDF link."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.browser.conftest import screenshot
from tracker.extensions import db
from tracker.issues.models import Issue
from tracker.milestones.models import MilestoneTemplate, ProjectMilestone
from tracker.milestones.queries import ensure_rows
from tracker.projects.models import Project
from tracker.timeutil import today as today_in

pytestmark = pytest.mark.browser


def set_milestone(code, name, planned=None, actual=None):
    ensure_rows()
    m = db.session.scalar(
        select(ProjectMilestone).join(Project).join(MilestoneTemplate)
        .where(Project.code == code, MilestoneTemplate.name == name))
    m.planned_on, m.actual_on = planned, actual
    db.session.commit()


@pytest.fixture
def park(app, users, make_project):
    today = today_in(app.config["TIMEZONE"])
    months = {m: 800 + 100 * m for m in range(1, today.month)}
    make_project("A1", name="储能电站项目", plan=12000, months=months, lead=users["member"],
                 year=today.year)
    make_project("B1", name="装备制造基地项目", level="市重点", plan=8000, year=today.year)
    day = timedelta(days=1)
    set_milestone("A1", "立项备案", today - 300 * day, today - 310 * day)
    set_milestone("A1", "土地供应", today - 200 * day, today - 180 * day)
    set_milestone("A1", "开工建设", today - 12 * day)
    set_milestone("A1", "竣工验收", today + 200 * day)
    set_milestone("B1", "开工建设", today - 100 * day, today - 100 * day)
    set_milestone("B1", "竣工验收", today - 20 * day)
    set_milestone("B1", "施工许可", today + 5 * day)
    return today


def test_an_overdue_milestone_becomes_an_issue_from_the_dashboard(page_as, users, park):
    boss = page_as(users["supervisor"])
    boss.goto(f"{boss.base}/")
    card = boss.locator("#milestones")
    assert "逾期节点" in card.inner_text() and "供地未开工" in card.inner_text()
    screenshot(boss, "milestones-dashboard")
    card.locator("tr", has_text="储能电站项目").get_by_role("link", name="转为督办问题").click()
    assert boss.input_value("input[name=title]") == "开工建设逾期12天"
    assert boss.input_value("select[name=project]") == "A1"
    assert boss.input_value("select[name=category]") == "施工组织"
    boss.fill("input[name=person]", "王工")
    boss.fill("input[name=deadline]", (park + timedelta(days=10)).isoformat())
    boss.get_by_role("button", name="交办").click()
    assert "已交办督办事项" in boss.content()
    issue = db.session.scalar(select(Issue))
    assert issue.title == "开工建设逾期12天" and issue.project.code == "A1"


@pytest.mark.parametrize("width", [1280, 390])
def test_the_project_page_draws_the_curve_and_the_timeline(page_as, users, park, width):
    page = page_as(users["member"], width=width)
    page.goto(f"{page.base}/projects/A1")
    section = page.locator("#timeline")
    assert section.locator("svg.curve-chart").is_visible()
    assert section.locator("svg.timeline-chart").is_visible()
    # The page itself never scrolls sideways; on a phone the charts scroll inside their card.
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert section.get_by_role("link", name="编辑节点计划").is_visible()
    screenshot(page, f"project-curve-{width}")
    page.emulate_media(media="print")
    assert section.locator("svg.curve-chart").is_visible()
    screenshot(page, f"project-curve-{width}-print")
    assert not section.get_by_role("link", name="编辑节点计划").is_visible()


def test_the_wall_chart_links_its_a3_pdf(page_as, users, park):
    page = page_as(users["viewer"])
    page.goto(f"{page.base}/milestones?level=市重点")
    link = page.get_by_role("link", name="A3 挂图 PDF")
    href = link.get_attribute("href")
    assert href.startswith("/milestones.pdf?") and "level=" in href
    response = page.request.get(page.base + href)
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"


def test_the_dashboard_card_fits_a_phone(page_as, users, park):
    page = page_as(users["supervisor"], width=390)
    page.goto(f"{page.base}/")
    card = page.locator("#milestones")
    card.scroll_into_view_if_needed()
    assert card.get_by_role("link", name="转为督办问题").first.is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "milestones-dashboard-390")
