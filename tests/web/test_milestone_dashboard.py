"""The dashboard's milestone card: overdue and 临期 counts, the "三未" lists, and an overdue
milestone turned into a blocking issue in one step (DESIGN.md section 11)."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from tracker.extensions import db
from tracker.issues.models import Category, Issue
from tracker.milestones.queries import ensure_rows
from tracker.milestones.status import issue_category
from tracker.projects.models import Project


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def card(html: str) -> str:
    return html.split('id="milestones"')[1].split("</section>")[0]


@pytest.fixture
def park(users, make_project, plan, today):
    """A1: land supplied, start 12 days overdue (供地未开工). B1: started, completion 20 days
    overdue (开工未竣工逾期), permit due in 5 days. C1: completed, not operating (竣工未投产).
    D1: land supplied, start 不适用: on no list."""
    make_project("A1", name="储能电站项目", lead=users["member"])
    make_project("B1", name="装备制造基地项目", level="市重点")
    make_project("C1", name="新材料产业园项目")
    make_project("D1", name="标准厂房项目", level="区重点")
    day = timedelta(days=1)
    plan("A1", "土地供应", planned=today - 40 * day, actual=today - 45 * day)
    plan("A1", "开工建设", planned=today - 12 * day)
    plan("B1", "开工建设", planned=today - 100 * day, actual=today - 100 * day)
    plan("B1", "竣工验收", planned=today - 20 * day)
    plan("B1", "施工许可", planned=today + 5 * day)
    plan("C1", "竣工验收", planned=today - 30 * day, actual=today - 30 * day)
    plan("C1", "投产运营", planned=today + 60 * day)
    plan("D1", "土地供应", planned=today - 10 * day, actual=today - 10 * day)
    plan("D1", "开工建设", na=True)


def test_the_card_counts_overdue_and_due_soon_and_names_the_three_lists(client, login, users,
                                                                       park):
    login(users["viewer"])
    html = client.get("/").get_data(as_text=True)
    words = text(card(html))
    assert "逾期节点 2 个" in words and "临期节点 1 个" in words
    assert "供地未开工 1 个项目" in words and "开工未竣工逾期 1 个项目" in words
    assert "竣工未投产 1 个项目" in words
    lists = card(html).split('class="ms-lists"')[1]
    land = text(lists.split("供地未开工")[1].split("</div>")[0])
    assert "储能电站项目" in land and "标准厂房项目" not in land  # 不适用 start is not pending
    assert "装备制造基地项目" in text(lists.split("开工未竣工逾期")[1].split("</div>")[0])
    assert "新材料产业园项目" in text(lists.split("竣工未投产")[1].split("</div>")[0])
    # Links: the counts to the filtered wall chart, the projects to their milestones.
    assert 'href="/milestones?status=%E9%80%BE%E6%9C%9F"' in html  # 逾期
    assert 'href="/projects/A1/milestones"' in lists
    # Most overdue first; viewers see no button.
    rows = card(html).split("<tbody>")[1]
    assert rows.index("装备制造基地项目") < rows.index("储能电站项目")
    assert "逾期天数" in words and "转为督办问题" not in html


def test_a_supervisor_turns_an_overdue_milestone_into_an_issue_in_one_step(client, login, users,
                                                                          park, today):
    login(users["supervisor"])
    html = client.get("/").get_data(as_text=True)
    links = re.findall(r'href="(/issues/new\?[^"]+)"[^>]*>转为督办问题', html)
    assert len(links) == 2
    start = next(u.replace("&amp;", "&") for u in links if "project=A1&" in u)
    query = parse_qs(urlsplit(start).query)
    assert query["title"] == ["开工建设逾期12天"] and query["project"] == ["A1"]

    form = client.get(start)
    page = form.get_data(as_text=True)
    assert re.search(r'<option selected value="A1">|<option value="A1" selected', page)
    assert re.search(r'<option selected value="施工组织">|<option value="施工组织" selected', page)
    assert 'value="开工建设逾期12天"' in page
    unit = db.session.scalar(select(Project).where(Project.code == "A1")).responsible_unit_id
    assert re.search(rf'<option selected value="{unit}">|<option value="{unit}" selected', page)
    assert "储能电站项目的“开工建设”节点计划于" in page

    # The supervisor adds a person and a deadline and submits: the issue is open on A1.
    fields = {k: v[0] for k, v in query.items()}
    fields.update(person="王工", level="一般督办", deadline=(today + timedelta(days=10)).isoformat())
    response = client.post("/issues/new", data=fields)
    assert response.status_code == 302
    issue = db.session.scalar(select(Issue))
    assert issue.title == "开工建设逾期12天" and issue.project.code == "A1"
    assert issue.category is Category.CONSTRUCTION and issue.responsible_unit_id == unit


def test_the_closest_category_per_milestone():
    assert issue_category("土地供应", "土地供应") == "土地交付进度慢"
    assert issue_category("拿地", "土地供应") == "土地交付进度慢"  # renamed, known by key
    assert issue_category("用地预审") == "用地手续不完善"
    assert issue_category("施工许可") == "规划报建"
    assert issue_category("竣工验收", "竣工验收") == "施工组织"
    assert issue_category("环保验收") == "其他"  # a project's own milestone
    assert {issue_category(n) for n in ("立项备案", "规划许可", "主体完工")} <= {c.value for c in Category}


def test_without_any_planned_milestone_the_card_says_so(client, login, users, make_project):
    make_project("A1")
    login(users["supervisor"])
    words = text(card(client.get("/").get_data(as_text=True)))
    assert "尚未制定节点计划" in words and "逾期节点" not in words


def test_the_card_runs_a_fixed_number_of_queries(client, login, users, make_project, plan, today,
                                                 count_queries):
    login(users["supervisor"])

    def queries(n: int) -> int:
        for i in range(n):
            make_project(f"N{n}-{i}", level=["省重点", "市重点", "区重点"][i % 3])
        ensure_rows()
        for i in range(0, n, 3):
            plan(f"N{n}-{i}", "开工建设", planned=today - timedelta(days=3 + i))
            plan(f"N{n}-{i}", "土地供应", planned=today - timedelta(days=90), actual=today)
        with count_queries() as q:
            assert client.get("/").status_code == 200
        return q.count

    assert queries(10) == queries(300)


def test_the_cards_counts_agree_with_the_wall_chart_at_every_boundary(client, login, users,
                                                                      make_project, plan, today):
    make_project("A1")
    make_project("B1")
    day = timedelta(days=1)
    plan("A1", "立项备案", planned=today)  # 临期 (due today)
    plan("A1", "用地预审", planned=today + 15 * day)  # 临期, the window's last day
    plan("A1", "土地供应", planned=today + 16 * day)  # 未到期
    plan("A1", "规划许可", planned=today - day)  # 逾期 1 day
    plan("A1", "施工许可", planned=today - 3 * day, actual=today + day)  # done after today: 逾期
    plan("A1", "开工建设", planned=today - 9 * day, na=True)  # 不适用: nowhere
    plan("B1", "立项备案", planned=today - 5 * day, actual=today)  # done today (late): nowhere
    plan("B1", "用地预审", planned=today + 3 * day, actual=today - day)  # done early: nowhere
    login(users["viewer"])
    words = text(card(client.get("/").get_data(as_text=True)))
    assert "逾期节点 2 个" in words and "临期节点 2 个" in words
    legend = text(client.get("/milestones").get_data(as_text=True).split('class="ms-legend"')[1]
                  .split("</ul>")[0])
    assert "逾期 2" in legend and "临期 2" in legend
