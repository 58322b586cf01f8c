"""The issue list (/issues), my work (/issues/mine), the download, and the readers other
domains call (issues_for_project, counts_by_project)."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta

import pytest
from openpyxl import load_workbook

from tracker.extensions import db


@pytest.fixture
def make_issue(app, users, make_unit, today):
    """``make_issue("资金缺口", project=p, deadline=today - 3, state="办理中")``: opened by the
    supervisor through the service (as the import would), committed."""
    from tracker.issues.models import Category, IssueState, SupervisionLevel
    from tracker.issues.service import create_issue

    def make(description: str = "项目建设资金缺口较大，影响设备采购。", *, project=None,
             category: str = "资金不足", unit: str = "园区经济发展局", person: str = "张伟",
             level: str = "一般督办", raised_on: date | None = None,
             deadline: date | None = None, state: str = "待办理", closed_on: date | None = None,
             number: str | None = None, title: str = ""):
        issue = create_issue(
            users["supervisor"], category=Category(category), description=description,
            responsible_unit=make_unit(unit), responsible_person=person,
            level=SupervisionLevel(level), raised_on=raised_on or today - timedelta(days=30),
            deadline=deadline if deadline is not None else today + timedelta(days=30),
            project=project, state=IssueState(state), closed_on=closed_on, number=number,
            title=title,
        )
        db.session.commit()
        return issue

    return make


def _count(html: str, box: str, key: str) -> int:
    match = re.search(rf'data-{box}="{key}">.*?<span class="count">(\d+)</span>', html, re.S)
    assert match, f"no count for {key}"
    return int(match.group(1))


def test_the_list_shows_issues_with_overdue_days_and_counts(client, login, users, make_issue,
                                                            make_project, today):
    p = make_project("A2", name="新材料产业园项目")
    make_issue("银行贷款审批慢", project=p, deadline=today - timedelta(days=5))
    make_issue("用地报批材料不全", category="用地手续不完善", deadline=today + timedelta(days=20))
    make_issue("已解决的问题", state="已办结", closed_on=today - timedelta(days=2))
    login(users["viewer"])
    html = client.get("/issues").get_data(as_text=True)
    assert "银行贷款审批慢" in html and "新材料产业园项目" in html
    assert "逾期5天" in html
    assert html.count("逾期") == 1 + html.count("已逾期")  # only the one overdue row (+ option)
    assert "园区层面" in html  # park-wide issues
    assert _count(html, "category", "资金不足") == 2
    assert _count(html, "category", "用地手续不完善") == 1
    assert _count(html, "state", "待办理") == 2
    assert _count(html, "state", "已办结") == 1
    assert "共 3 项" in html


def test_filters_narrow_the_list_and_the_other_counts(client, login, users, make_issue,
                                                      make_project, make_unit, today):
    p = make_project("A1", name="储能电站项目")
    make_issue("甲 逾期", project=p, deadline=today - timedelta(days=1), level="挂牌督办")
    make_issue("乙 七日内到期", deadline=today + timedelta(days=7), unit="园区规划建设局")
    make_issue("丙 下月到期", category="规划报建", deadline=today + timedelta(days=40))
    make_issue("丁 已办结逾期不算", deadline=today - timedelta(days=9), state="已办结",
               closed_on=today)
    login(users["member"])

    def titles(query: str) -> set[str]:
        html = client.get(f"/issues?{query}").get_data(as_text=True)
        return {t for t in ("甲", "乙", "丙", "丁") if f"{t} " in html}

    assert titles("due=overdue") == {"甲"}
    assert titles("due=soon") == {"乙"}
    assert titles("category=规划报建") == {"丙"}
    assert titles("level=挂牌督办") == {"甲"}
    assert titles(f"unit={make_unit('园区规划建设局').id}") == {"乙"}
    assert titles("project=A1") == {"甲"}
    assert titles("project=none") == {"乙", "丙", "丁"}
    assert titles("state=open") == {"甲", "乙", "丙"}
    assert titles("state=已办结") == {"丁"}
    # the state counts keep the category filter, and the other way round
    html = client.get("/issues?category=资金不足").get_data(as_text=True)
    assert _count(html, "state", "待办理") == 2 and _count(html, "state", "已办结") == 1
    assert _count(html, "category", "规划报建") == 1


def test_sort_by_deadline_or_by_age(client, login, users, make_issue, today):
    make_issue("先交办后到期", raised_on=today - timedelta(days=60), deadline=today + timedelta(days=50))
    make_issue("后交办先到期", raised_on=today - timedelta(days=3), deadline=today + timedelta(days=5))
    login(users["supervisor"])
    by_deadline = client.get("/issues").get_data(as_text=True)
    assert by_deadline.index("后交办先到期") < by_deadline.index("先交办后到期")
    by_age = client.get("/issues?sort=age").get_data(as_text=True)
    assert by_age.index("先交办后到期") < by_age.index("后交办先到期")


def test_htmx_gets_the_fragment_and_the_same_url_the_whole_page(client, login, users, make_issue):
    make_issue("资金问题")
    login(users["viewer"])
    full = client.get("/issues?category=资金不足").get_data(as_text=True)
    part = client.get("/issues?category=资金不足", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert full.lstrip().startswith("<!doctype html>") and "<html" not in part
    assert "资金问题" in part and "资金问题" in full
    assert 'hx-push-url:inherited="true"' in full
    assert 'hx-get="/issues"' in part


def test_paginates_fifty_a_page(client, login, users, make_issue, today):
    for n in range(55):
        make_issue(f"问题第{n:02d}号", deadline=today + timedelta(days=n + 1))
    login(users["viewer"])
    first = client.get("/issues").get_data(as_text=True)
    assert "问题第00号" in first and "问题第49号" in first and "问题第50号" not in first
    assert "第 1 / 2 页" in first and "page=2" in first
    second = client.get("/issues?page=2").get_data(as_text=True)
    assert "问题第50号" in second and "问题第54号" in second and "问题第49号" not in second


def test_a_bad_filter_answers_400_in_chinese(client, login, users):
    login(users["viewer"])
    for query in ("category=无此类别", "state=done", "due=later", "page=0", "unit=abc", "sort=x"):
        response = client.get(f"/issues?{query}")
        assert response.status_code == 400, query
        assert "筛选条件有误" in response.get_data(as_text=True)


def test_the_excel_download_has_the_filtered_rows(client, login, users, make_issue, make_project,
                                                  today):
    p = make_project("A2", name="新材料产业园项目")
    make_issue("逾期的资金问题", project=p, deadline=today - timedelta(days=4))
    make_issue("规划问题", category="规划报建")
    login(users["viewer"])
    response = client.get("/issues.xlsx?due=overdue")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    ws = load_workbook(io.BytesIO(response.data)).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][:4] == ("问题编号", "项目编号", "项目名称", "问题类别")
    assert len(rows) == 2
    assert rows[1][1:4] == ("A2", "新材料产业园项目", "资金不足")
    assert rows[1][5] == "逾期的资金问题" and rows[1][11] == "待办理" and rows[1][13] == 4


def test_the_list_runs_the_same_queries_with_few_and_many_issues(client, login, users, make_issue,
                                                                 make_project, make_unit, today,
                                                                 count_queries):
    login(users["viewer"])
    p = make_project("A1")
    make_issue("一个问题", project=p)

    def run() -> int:
        with count_queries() as q:
            assert client.get("/issues?state=open").status_code == 200
        return q.count

    few = run()
    for n in range(40):
        unit = make_unit(f"单位{n % 7}")
        make_issue(f"问题{n}", project=make_project(f"B{n}") if n % 3 else None, unit=unit.name,
                   deadline=today + timedelta(days=n - 20))
    assert run() == few


def test_everyone_signed_in_reads_and_nobody_else(client, login, users, make_issue):
    issue = make_issue("资金问题")
    for path in ("/issues", "/issues/mine", f"/issues/{issue.number}", "/issues.xlsx"):
        assert client.get(path).status_code == 302  # to the sign-in page
    for role in ("viewer", "member", "other_member", "supervisor", "admin"):
        login(users[role])
        for path in ("/issues", "/issues/mine", f"/issues/{issue.number}", "/issues.xlsx"):
            assert client.get(path).status_code == 200, (role, path)
        client.post("/logout")
    login(users["viewer"])
    assert client.get("/issues/DB-1999-0001").status_code == 404


def test_my_work_lists_my_unit_and_my_projects_overdue_first(client, login, users, make_issue,
                                                             make_project, today):
    mine_project = make_project("C1", name="李娜负责的项目", lead=users["other_member"])
    make_issue("本单位后到期", unit="园区经济发展局", deadline=today + timedelta(days=9))
    make_issue("本单位已逾期", unit="园区经济发展局", deadline=today - timedelta(days=3))
    make_issue("别的单位的", unit="园区规划建设局")
    make_issue("本单位已办结", unit="园区经济发展局", state="已办结", closed_on=today)
    make_issue("我负责项目上的", project=mine_project, unit="区供电局")
    login(users["member"])
    html = client.get("/issues/mine").get_data(as_text=True)
    assert "本单位后到期" in html and "本单位已逾期" in html
    assert "别的单位的" not in html and "本单位已办结" not in html and "我负责项目上的" not in html
    assert html.index("本单位已逾期") < html.index("本单位后到期")
    client.post("/logout")
    login(users["other_member"])
    html = client.get("/issues/mine").get_data(as_text=True)
    assert "我负责项目上的" in html and "别的单位的" in html and "本单位后到期" not in html


def test_my_work_of_a_supervisor_is_what_awaits_confirmation_and_what_is_overdue(
        client, login, users, make_issue, today):
    make_issue("待确认的", state="待确认")
    make_issue("逾期的", deadline=today - timedelta(days=1))
    make_issue("正常办理中的", state="办理中")
    login(users["supervisor"])
    html = client.get("/issues/mine").get_data(as_text=True)
    assert "待确认的" in html and "逾期的" in html and "正常办理中的" not in html


def test_issues_for_project_and_counts_as_of_a_day(app, make_issue, make_project, today):
    from tracker.issues.queries import counts_by_project, issues_for_project

    a = make_project("A1")
    b = make_project("B1")
    make_issue("甲", project=a, raised_on=date(2026, 2, 10), deadline=date(2026, 3, 15))
    make_issue("乙", project=a, raised_on=date(2026, 3, 5), deadline=date(2026, 6, 30))
    make_issue("丙", project=b, raised_on=date(2026, 1, 8), deadline=date(2026, 2, 1),
               state="已办结", closed_on=date(2026, 3, 20))
    make_issue("园区层面", raised_on=date(2026, 4, 1), deadline=date(2026, 4, 2))
    issues = issues_for_project(a.id)
    assert [i.description for i in issues] == ["甲", "乙"]
    assert all(i.events for i in issues)
    march = counts_by_project(date(2026, 3, 31))
    assert march[a.id].open == 2 and march[a.id].overdue == 1
    assert b.id not in march  # closed on 3月20日
    assert counts_by_project(date(2026, 3, 10))[b.id].overdue == 1  # still open then
    assert None not in march and counts_by_project(today)[None].overdue == 1


def test_a_city_types_the_project_it_filters_on(client, login, users, make_issue, make_project,
                                               monkeypatch):
    """Past PICK_PROJECTS_UP_TO projects the filter is a box for a code or part of a name."""
    from tracker.issues import queries

    make_issue("甲 储能", project=make_project("A1", name="储能电站项目"))
    make_issue("乙 装备", project=make_project("B1", name="装备制造基地项目"))
    make_issue("丙 园区")
    login(users["supervisor"])
    picked = client.get("/issues").get_data(as_text=True)
    assert '<select id="f-project"' in picked and 'value="A1"' in picked
    monkeypatch.setattr(queries, "PICK_PROJECTS_UP_TO", 1)

    def titles(query: str) -> tuple[set[str], str]:
        html = client.get(f"/issues?{query}").get_data(as_text=True)
        return {t for t in ("甲", "乙", "丙") if f"{t} " in html}, html

    found, html = titles("project=制造")
    assert found == {"乙"}
    assert '<select id="f-project"' not in html
    assert '<input id="f-project" name="project" type="search" value="制造"' in html
    assert titles("project=A1")[0] == {"甲"}  # a code still names one project
    assert titles("project=none")[0] == {"丙"}
    assert titles("project=%25")[0] == set()  # a % is a character here, not a wildcard
