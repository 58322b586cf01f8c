"""The wall chart (/milestones, /milestones.xlsx) and the template's administration."""

import re
from datetime import timedelta
from io import BytesIO

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from tracker.audit.models import AuditEntry
from tracker.extensions import db
from tracker.milestones.models import MilestoneTemplate, ProjectMilestone
from tracker.projects.models import Project, Stage

HX = {"HX-Request": "true"}


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def template(name: str) -> MilestoneTemplate:
    return db.session.scalar(select(MilestoneTemplate).where(MilestoneTemplate.name == name))


@pytest.fixture
def park(users, make_project, plan, today):
    """A1 (省重点): land supplied, start 12 days overdue, permit due in 3 days, one milestone 不适用.
    B1 (市重点): started and completed on time. Q1 (区重点): nothing planned."""
    make_project("A1", name="储能电站项目", lead=users["member"])
    make_project("B1", name="装备制造基地项目", level="市重点", industry="机械装备")
    make_project("Q1", name="污水处理厂改造项目", level="区重点")
    plan("A1", "土地供应", planned=today - timedelta(days=40), actual=today - timedelta(days=45))
    plan("A1", "开工建设", planned=today - timedelta(days=12))
    plan("A1", "施工许可", planned=today + timedelta(days=3))
    plan("A1", "用地预审", na=True)
    plan("B1", "开工建设", planned=today - timedelta(days=100), actual=today - timedelta(days=100))
    plan("B1", "竣工验收", planned=today - timedelta(days=10), actual=today - timedelta(days=5))


def test_cells_are_coloured_by_status_with_their_dates(client, login, users, park, today):
    login(users["viewer"])
    html = client.get("/milestones").get_data(as_text=True)
    a1 = html.split("储能电站项目")[1].split("</tr>")[0]
    overdue = (today - timedelta(days=12)).isoformat()
    assert re.search(rf'class="ms ms-overdue"[^>]*>\s*<span class="ms-date">{overdue}</span>\s*'
                     r'<span class="ms-caption">逾期12天</span>', a1)
    done = (today - timedelta(days=45)).isoformat()  # the actual date once done
    assert re.search(rf'class="ms ms-done"[^>]*>\s*<span class="ms-date">{done}</span>', a1)
    assert 'class="ms ms-due-soon"' in a1 and "临期（3天后）" in a1
    assert 'class="ms ms-na"' in a1 and 'class="ms ms-unplanned"' in a1
    assert "供地未开工" in a1  # on a 三未 list
    b1 = html.split("装备制造基地项目")[1].split("</tr>")[0]
    assert "逾期完成（晚5天）" in b1
    legend = text(html.split('class="ms-legend"')[1].split("</ul>")[0])
    assert "按期完成 2" in legend and "逾期 1" in legend and "临期 1" in legend and "逾期完成 1" in legend
    assert 'class="wall"' in html and 'class="wall-list"' in html  # the matrix and the phone list
    assert [h for h in re.findall(r'<th scope="col">([^<]+)</th>', html)] == [
        "立项备案", "用地预审", "土地供应", "规划许可", "施工许可", "开工建设", "主体完工", "竣工验收",
        "投产运营", "自定节点"]
    # Register order: level, then code.
    assert html.index("储能电站项目") < html.index("装备制造基地项目") < html.index("污水处理厂改造项目")


def rows_of(html: str) -> list[str]:
    table = html.split('<table class="wall">')[1].split("</table>")[0] if '<table class="wall">' in html else ""
    return re.findall(r'<th class="proj" scope="row"><a [^>]+>([^<]+)</a>', table)


@pytest.mark.parametrize(
    ("query", "projects"),
    [
        ("", ["储能电站项目", "装备制造基地项目", "污水处理厂改造项目"]),
        ("level=市重点", ["装备制造基地项目"]),
        ("industry=机械装备", ["装备制造基地项目"]),
        ("q=污水", ["污水处理厂改造项目"]),
        ("status=逾期", ["储能电站项目"]),
        ("status=已完成", ["储能电站项目", "装备制造基地项目"]),
        ("status=逾期完成", ["装备制造基地项目"]),
        ("status=未计划", ["储能电站项目", "装备制造基地项目", "污水处理厂改造项目"]),
        ("status=供地未开工", ["储能电站项目"]),
        ("status=竣工未投产", ["装备制造基地项目"]),
        ("node=开工建设&status=逾期", ["储能电站项目"]),
        ("node=土地供应&status=逾期", []),
        ("node=竣工验收&status=已完成&level=市重点", ["装备制造基地项目"]),
        ("status=不存在的状态", ["储能电站项目", "装备制造基地项目", "污水处理厂改造项目"]),
    ],
)
def test_filters_of_the_wall_chart(client, login, users, park, query, projects):
    login(users["viewer"])
    response = client.get(f"/milestones?{query}")
    assert response.status_code == 200
    assert rows_of(response.get_data(as_text=True)) == projects


def test_filters_by_stage_unit_lead_and_archived_come_from_the_register(client, login, users, park):
    a1 = db.session.scalar(select(Project).where(Project.code == "A1"))
    a1.stage = Stage.PREPARATION
    db.session.commit()
    login(users["viewer"])
    assert rows_of(client.get("/milestones?stage=前期").get_data(as_text=True)) == ["储能电站项目"]
    lead = users["member"].id
    assert rows_of(client.get(f"/milestones?lead={lead}").get_data(as_text=True)) == ["储能电站项目"]
    unit = a1.responsible_unit_id
    assert len(rows_of(client.get(f"/milestones?unit={unit}").get_data(as_text=True))) == 3
    from datetime import date

    a1.archived_on = date(2026, 1, 31)
    db.session.commit()
    assert "储能电站项目" not in rows_of(client.get("/milestones").get_data(as_text=True))
    assert "储能电站项目" in rows_of(client.get("/milestones?archived=1").get_data(as_text=True))


def test_the_node_filter_shows_its_column_alone_by_id_or_name(client, login, users, park):
    login(users["viewer"])
    start = template("开工建设")
    for node in (str(start.id), "开工建设"):
        html = client.get(f"/milestones?node={node}").get_data(as_text=True)
        assert re.findall(r'<th scope="col">([^<]+)</th>', html) == ["开工建设"]


def test_htmx_gets_the_chart_alone_and_the_address_follows(client, login, users, park):
    login(users["viewer"])
    partial = client.get("/milestones?level=省重点", headers=HX).get_data(as_text=True)
    assert partial.lstrip().startswith('<section class="card" id="wall">') and "<html" not in partial
    full = client.get("/milestones").get_data(as_text=True)
    assert 'hx-push-url="true"' in full and 'id="wall-filters"' in full
    assert 'href="/milestones"' in full  # 节点 in the navigation


def test_the_workbook_is_the_same_matrix_filled_with_the_status_colours(client, login, users, park,
                                                                        today):
    login(users["viewer"])
    response = client.get("/milestones.xlsx?level=省重点")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    wb = load_workbook(BytesIO(response.data))
    ws = wb["节点计划挂图"]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][:7] == ("项目编号", "项目名称", "级别", "建设阶段", "责任单位", "立项备案", "用地预审")
    assert [r[0] for r in rows[1:]] == ["A1"]
    start = rows[0].index("开工建设") + 1
    cell = ws.cell(row=2, column=start)
    assert cell.value == f"{(today - timedelta(days=12)).isoformat()}\n逾期12天"
    assert cell.fill.fgColor.rgb.endswith("EF9A9A")
    assert ws.cell(row=2, column=rows[0].index("施工许可") + 1).fill.fgColor.rgb.endswith("FFE082")
    assert ws.cell(row=2, column=rows[0].index("用地预审") + 1).value == "不适用"
    legend = list(wb["图例"].iter_rows(values_only=True))
    assert ("逾期", "计划完成日期已过，尚未完成", 1) in legend


@pytest.mark.parametrize("url", ["/milestones", "/milestones?status=逾期&level=省重点",
                                 "/milestones.xlsx"])
def test_the_wall_chart_runs_a_fixed_number_of_queries(client, users, login, make_project, plan,
                                                       count_queries, today, url):
    def queries(n):
        for i in range(n):
            make_project(f"N{n}-{i}", level=["省重点", "市重点", "区重点"][i % 3], lead=users["member"])
        plan(f"N{n}-0", "开工建设", planned=today - timedelta(days=3))
        login(users["viewer"])
        with count_queries() as q:
            assert client.get(url).status_code == 200
        return q.count

    assert queries(10) == queries(300)


# --- the template ---------------------------------------------------------------------------


def test_an_admin_adds_renames_reorders_and_retires_template_milestones(client, login, users, park,
                                                                        plan, today):
    login(users["admin"])
    assert client.post("/admin/milestones", data={"name": "能评批复"}).status_code == 302
    chart = client.get("/milestones").get_data(as_text=True)
    assert re.findall(r'<th scope="col">([^<]+)</th>', chart)[-2:] == ["能评批复", "自定节点"]
    assert "<strong>能评批复</strong>" in client.get("/projects/A1/milestones").get_data(as_text=True)
    twice = client.post("/admin/milestones", data={"name": "能评批复"})
    assert twice.status_code == 422 and "模板中已有名为“能评批复”的节点" in twice.get_data(as_text=True)
    blank = client.post("/admin/milestones", data={"name": " "})
    assert blank.status_code == 422 and "请填写节点名称" in blank.get_data(as_text=True)

    new = template("能评批复")
    client.post(f"/admin/milestones/{new.id}/move", data={"direction": "up"})
    order = [t.name for t in db.session.scalars(
        select(MilestoneTemplate).order_by(MilestoneTemplate.position))]
    assert order[-2:] == ["能评批复", "投产运营"]

    renamed = client.post(f"/admin/milestones/{template('规划许可').id}/rename",
                          data={"name": "工程规划许可"})
    assert renamed.status_code == 302
    assert "工程规划许可" in client.get("/projects/B1/milestones").get_data(as_text=True)
    clash = client.post(f"/admin/milestones/{template('工程规划许可').id}/rename",
                        data={"name": "开工建设"})
    assert clash.status_code == 422 and "模板中已有名为“开工建设”的节点" in clash.get_data(as_text=True)

    plan("A1", "主体完工", planned=today + timedelta(days=60))
    main = template("主体完工")
    client.post(f"/admin/milestones/{main.id}/retire", data={"retired": "1"})
    chart = client.get("/milestones").get_data(as_text=True)
    assert "主体完工" not in re.findall(r'<th scope="col">([^<]+)</th>', chart)
    a1 = client.get("/projects/A1/milestones").get_data(as_text=True)
    assert "<strong>主体完工</strong>" in a1 and "模板已停用" in a1  # it holds a date: kept in view
    assert "<strong>主体完工</strong>" not in client.get("/projects/B1/milestones").get_data(as_text=True)
    client.post(f"/admin/milestones/{main.id}/retire", data={"retired": "0"})
    assert "<strong>主体完工</strong>" in client.get("/projects/B1/milestones").get_data(as_text=True)

    entries = [(e.action, e.field, e.old, e.new) for e in db.session.scalars(
        select(AuditEntry).where(AuditEntry.table_name == "milestone_templates"))]
    assert ("create", "name", None, "能评批复") in entries
    assert ("update", "name", "规划许可", "工程规划许可") in entries
    assert ("update", "retired", "否", "是") in entries and ("update", "retired", "是", "否") in entries
    assert ("update", "position", "10", "9") in entries
    audit = client.get("/admin/audit").get_data(as_text=True)
    assert "节点模板" in audit and "停用" in audit


def test_a_renamed_start_milestone_still_moves_the_stage(client, login, users, park, today):
    a1 = db.session.scalar(select(Project).where(Project.code == "A1"))
    a1.stage = Stage.PREPARATION
    db.session.commit()
    login(users["admin"])
    client.post(f"/admin/milestones/{template('开工建设').id}/rename", data={"name": "项目开工"})
    login(users["member"])
    client.get("/projects/A1/milestones")
    m = db.session.scalar(select(ProjectMilestone).join(MilestoneTemplate).where(
        ProjectMilestone.project_id == a1.id, MilestoneTemplate.name == "项目开工"))
    response = client.post(f"/projects/A1/milestones/{m.id}", headers=HX,
                           data={"version": str(m.version), "actual_on": today.isoformat()})
    assert response.status_code == 200
    db.session.expire_all()
    assert db.session.get(Project, a1.id).stage is Stage.CONSTRUCTION


def test_only_admins_reach_the_template_page(client, login, users, park):
    for role, status in (("admin", 200), ("supervisor", 403), ("member", 403), ("viewer", 403)):
        login(users[role])
        assert client.get("/admin/milestones").status_code == status, role
