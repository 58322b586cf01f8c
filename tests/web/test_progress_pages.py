"""Dashboard, project register and project page: the figures a reader sees, and query counts."""

import re
from io import BytesIO

import pytest
from openpyxl import load_workbook

HX = {"HX-Request": "true"}


@pytest.fixture
def worked_example(make_project, users):
    """DESIGN.md section 9, March 2026."""
    make_project("A1", name="储能电站项目", plan=10000, months={1: 1000, 2: 1000, 3: 1500}, lead=users["member"])
    make_project("A2", name="新材料产业园项目", plan=8000, months={1: 500, 2: 500, 3: 500}, industry="新材料")
    make_project("B1", name="装备制造基地项目", level="市重点", plan=20000, months={3: 4100}, industry="机械装备")
    make_project("B2", name="标准厂房项目", level="市重点", months={})
    make_project("Q1", name="污水处理厂改造项目", level="区重点", plan=3000, months={3: 900})


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_dashboard_shows_the_worked_example_figures(client, users, login, worked_example):
    login(users["viewer"])
    page = text(client.get("/?period=2026-03").get_data(as_text=True))
    assert "省市重点项目 4 个" in page
    assert "年度计划投资 3.80 亿元" in page
    assert "1-3月完成投资 0.91 亿元" in page
    assert "完成率 23.9 %" in page and "时间进度 25.0%" in page and "慢1.1个百分点" in page
    assert "省重点平均投资进度 26.9 %" in page
    assert "慢6.3" in page and "快10.0" in page


def test_dashboard_defaults_to_the_last_completed_month(app, client, users, login, worked_example):
    from tracker.http import park_today
    from tracker.periods import last_completed_month

    login(users["viewer"])
    with app.test_request_context():
        year, month = last_completed_month(park_today())
    assert f"{year}年{month}月" in client.get("/").get_data(as_text=True)


def test_register_filters_sort_and_search(client, users, login, worked_example):
    login(users["viewer"])
    level = client.get("/projects?level=市重点&period=2026-03").get_data(as_text=True)
    assert "装备制造基地项目" in level and "储能电站项目" not in level
    red = client.get("/projects?light=yellow&period=2026-03").get_data(as_text=True)
    assert "新材料产业园项目" in red and "储能电站项目" not in red
    found = client.get("/projects?q=厂房").get_data(as_text=True)
    assert "标准厂房项目" in found and "储能电站项目" not in found
    by_rate = text(client.get("/projects?sort=rate&dir=desc&period=2026-03").get_data(as_text=True))
    assert by_rate.index("储能电站项目") < by_rate.index("装备制造基地项目") < by_rate.index("新材料产业园项目")


def test_register_answers_htmx_with_the_table_only(client, users, login, worked_example):
    login(users["viewer"])
    partial = client.get("/projects?level=省重点", headers=HX).get_data(as_text=True)
    assert partial.lstrip().startswith('<section class="card" id="register-table">')
    assert "<html" not in partial
    full = client.get("/projects?level=省重点").get_data(as_text=True)
    assert "<html" in full and 'id="register-filters"' in full


def test_register_downloads_the_filtered_rows_as_excel(client, users, login, worked_example):
    login(users["viewer"])
    response = client.get("/projects?level=省重点&format=xlsx&period=2026-03")
    ws = load_workbook(BytesIO(response.data)).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][0] == "项目编号"
    assert [r[0] for r in rows[1:]] == ["A1", "A2"]
    assert rows[2][10] == pytest.approx(18.8)


def test_register_paginates(client, users, login, make_project):
    for i in range(55):
        make_project(f"P{i:02d}", plan=100)
    login(users["viewer"])
    first = client.get("/projects?sort=code").get_data(as_text=True)
    assert "P49" in first and "P50" not in first and "第 1 / 2 页" in first
    second = client.get("/projects?sort=code&page=2").get_data(as_text=True)
    assert "P54" in second and "P00" not in second


def test_project_page_shows_twelve_months_plans_and_history(client, users, login, worked_example):
    login(users["viewer"])
    page = text(client.get("/projects/A2?period=2026-03").get_data(as_text=True))
    assert "1,500.00" in page and "18.8%" in page
    assert "12月" in page and "年度计划投资" in page and "变更记录" in page
    assert client.get("/projects/NOPE").status_code == 404


@pytest.mark.parametrize("url", ["/?period=2026-07", "/projects?period=2026-07", "/projects?sort=rate&light=red"])
def test_pages_run_a_fixed_number_of_queries(client, users, login, make_project, count_queries, url):
    def queries(n):
        for i in range(n):
            make_project(f"N{n}-{i}", level=["省重点", "市重点", "区重点"][i % 3], plan=1000 + i,
                         months={1: 10, 7: 20}, lead=users["member"])
        login(users["viewer"])
        with count_queries() as q:
            assert client.get(url).status_code == 200
        return q.count

    assert queries(10) == queries(300)


def test_project_page_runs_a_fixed_number_of_queries(client, users, login, make_project, count_queries):
    from tracker.audit.service import record
    from tracker.extensions import db

    project = make_project("BIG", plan=1000, months={m: 10 for m in range(1, 13)})

    def changes(n):
        for i in range(n):
            record(user_id=users["admin"].id, action="update", table="projects", record_id=project.id,
                   project_id=project.id, field="name", old=str(i), new=str(i + 1))
        db.session.commit()

    changes(1)
    login(users["viewer"])
    with count_queries() as few:
        client.get("/projects/BIG")
    changes(100)
    with count_queries() as many:
        client.get("/projects/BIG")
    assert few.count == many.count
