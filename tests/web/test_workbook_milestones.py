"""The workbook's 节点计划 sheet and 年度计划's 级别 column (DESIGN.md sections 5 and 11): import
all or nothing, export, the template."""

from __future__ import annotations

import io
import re
from datetime import date, datetime, timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from tests.web.test_workbook_import import db_fingerprint, token_of, upload, xlsx
from tracker.audit.models import AuditEntry
from tracker.extensions import db
from tracker.milestones.models import MilestoneTemplate, ProjectMilestone
from tracker.projects.models import ListLevel, Project, ProjectYearLevel, Stage
from tracker.workbook.plan import plan_import


def imported(client, data: bytes) -> str:
    """Upload, confirm, and the import page's message."""
    preview = upload(client, data)
    assert preview.status_code == 200, preview.get_data(as_text=True)
    assert client.post("/import/confirm", data={"token": token_of(preview.get_data(as_text=True))}).status_code == 303
    return client.get("/import").get_data(as_text=True)


def milestones_of(code: str) -> dict[str, ProjectMilestone]:
    db.session.expire_all()
    project = db.session.scalar(select(Project).where(Project.code == code))
    rows = db.session.scalars(select(ProjectMilestone).where(ProjectMilestone.project_id == project.id))
    return {m.title: m for m in rows}


def errors_of(html: str) -> list[str]:
    listed = re.findall(r"<li>(.*?)</li>", html.split('id="import-errors"')[1].split("</ul>")[0])
    return [x.replace("&#34;", '"') for x in listed]


@pytest.fixture
def prep_park(make_project, users):
    """A1 still 前期, with nothing planned."""
    a1 = make_project("A1", "储能电站项目", "省重点", 10000, lead=users["member"])
    a1.stage = Stage.PREPARATION
    db.session.commit()
    return a1


def test_a_node_plan_plans_records_adds_own_milestones_and_moves_the_stage(client, login, users,
                                                                          prep_park):
    login(users["supervisor"])
    page = imported(client, xlsx({"节点计划": [
        ["A1", "土地供应", date(2026, 3, 31), date(2026, 4, 10), "已摘牌"],
        ["A1", "开工建设", "2026-05-01", datetime(2026, 5, 1), ""],
        ["A1", "规划许可", "不适用", "", "已并入施工许可"],
        ["A1", "人才公寓配套", "2026-12-31", "", ""],
        ["A1", "竣工验收", "", "", ""],  # records nothing: nothing changes
    ]}))
    assert "节点计划：新增 4，修改 0，未变 1" in page
    assert "建设阶段随节点推进：A1 前期→在建" in page
    ms = milestones_of("A1")
    assert (ms["土地供应"].planned_on, ms["土地供应"].actual_on, ms["土地供应"].note) == (
        date(2026, 3, 31), date(2026, 4, 10), "已摘牌")
    assert ms["开工建设"].actual_on == date(2026, 5, 1)
    assert ms["规划许可"].not_applicable and ms["规划许可"].planned_on is None
    assert ms["人才公寓配套"].is_own and ms["人才公寓配套"].planned_on == date(2026, 12, 31)
    assert db.session.get(Project, prep_park.id).stage is Stage.CONSTRUCTION
    stage = db.session.scalar(select(AuditEntry).where(AuditEntry.field == "stage"))
    assert (stage.old, stage.new, stage.note) == ("前期", "在建", "节点“开工建设”已完成（2026-05-01）；工作簿导入")
    # What the office sees: the wall chart colours the cells by status.
    chart = client.get("/milestones").get_data(as_text=True)
    assert "逾期完成" in chart and "不适用" in chart


def test_changing_a_set_planned_date_is_a_delay_with_the_import_as_reason(client, login, users,
                                                                          prep_park):
    login(users["supervisor"])
    imported(client, xlsx({"节点计划": [["A1", "施工许可", "2026-04-30", "", ""]]}))
    page = imported(client, xlsx({"节点计划": [["A1", "施工许可", "2026-06-30", "", "审图延后"]]}))
    assert "节点计划：新增 0，修改 1，未变 0" in page
    assert milestones_of("A1")["施工许可"].planned_on == date(2026, 6, 30)
    entries = {e.field: e for e in db.session.scalars(select(AuditEntry).where(
        AuditEntry.table_name == "project_milestones", AuditEntry.action == "update",
        AuditEntry.record_label == "A1 施工许可").order_by(AuditEntry.id))}
    planned = entries["planned_on"]
    assert (planned.old, planned.new) == ("2026-04-30", "2026-06-30")
    assert planned.note == "延期：工作簿导入"
    assert entries["note"].note == "工作簿导入"
    # The same file again changes nothing.
    again = upload(client, xlsx({"节点计划": [["A1", "施工许可", "2026-06-30", "", "审图延后"]]}))
    assert "文件中的数据与系统中一致，无需导入。" in again.get_data(as_text=True)


def test_a_node_plan_with_bad_rows_is_refused_whole(client, login, users, prep_park):
    login(users["supervisor"])
    before = db_fingerprint()
    tomorrow = date.today() + timedelta(days=2)
    response = upload(client, xlsx({"节点计划": [
        ["A1", "土地供应", "2026-03-31", "", ""],  # fine, but the file is refused
        ["A1", "开工建设", "2026/05/01", "", ""],
        ["A1", "主体完工", "暂缓", "", ""],
        ["ZZ9", "立项备案", "2026-01-01", "", ""],
        ["A1", "", "2026-01-01", "", ""],
        ["A1", "竣工验收", "", tomorrow, ""],
        ["A1", "土地供应", "2026-04-30", "", ""],
    ]}))
    assert response.status_code == 422
    assert errors_of(response.get_data(as_text=True)) == [
        "节点计划 第3行 计划完成日期：应为日期（日期单元格或 YYYY-MM-DD 格式的文字）或“不适用”",
        "节点计划 第4行 计划完成日期：应为日期（日期单元格或 YYYY-MM-DD 格式的文字）或“不适用”",
        "节点计划 第5行 项目编号：项目“ZZ9”不存在（项目表和系统中均没有）",
        "节点计划 第6行 节点名称：不能为空",
        "节点计划 第7行 实际完成日期：不能晚于今天",
        "节点计划 第8行 项目编号：与第2行重复（项目编号 A1，节点名称 土地供应）",
    ]
    assert db_fingerprint() == before


def test_the_plans_level_column_sets_each_years_list(client, login, users, prep_park, make_project):
    make_project("Q1", "污水处理厂改造项目", "区重点", 3000)
    login(users["supervisor"])
    page = imported(client, xlsx({"年度计划": [
        ["A1", 2026, 10000, ""],  # unchanged: a blank 级别 leaves the level as it is
        ["A1", 2025, "", "不列入"],
        ["Q1", 2025, 4000, "省重点"],
    ]}))
    assert "年度计划：新增 2，修改 0，未变 1" in page
    levels = dict(db.session.execute(select(Project.code, ProjectYearLevel.level).join(
        ProjectYearLevel, ProjectYearLevel.project_id == Project.id)).all())
    assert levels == {"A1": ListLevel.UNLISTED, "Q1": ListLevel.PROVINCIAL}
    trail = {(e.record_label, e.action, e.new) for e in db.session.scalars(select(AuditEntry).where(
        AuditEntry.table_name == "project_year_levels"))}
    assert trail == {("A1 储能电站项目 2025年", "create", "不列入"),
                     ("Q1 污水处理厂改造项目 2025年", "create", "省重点")}
    # The 2025 register lists Q1 as 省重点 now.
    register = client.get("/projects?level=省重点&period=2025-12").get_data(as_text=True)
    assert "污水处理厂改造项目" in register and "储能电站项目" not in register
    # A sheet without the 级别 column changes no level; a changed level is audited.
    imported(client, xlsx({"年度计划": [["Q1", 2025, 4000, "市重点"]]}))
    assert db.session.scalar(select(ProjectYearLevel.level).join(Project).where(
        Project.code == "Q1")) is ListLevel.MUNICIPAL
    data = xlsx({"年度计划": [["项目编号", "年度", "年度计划投资(万元)"], ["Q1", 2025, 4500]]},
                headers=False)
    assert "年度计划：新增 0，修改 1，未变 0" in imported(client, data)
    assert db.session.scalar(select(ProjectYearLevel.level).join(Project).where(
        Project.code == "Q1")) is ListLevel.MUNICIPAL


def test_bad_levels_and_empty_plan_rows_are_refused(client, login, users, prep_park):
    login(users["supervisor"])
    response = upload(client, xlsx({"年度计划": [["A1", 2025, 100, "国家级"], ["A1", 2024, "", ""]]}))
    assert response.status_code == 422
    assert errors_of(response.get_data(as_text=True)) == [
        "年度计划 第2行 级别：“国家级”不是有效的级别，应为 省重点、市重点、区重点、不列入 之一",
        "年度计划 第3行 年度计划投资(万元)：不能为空",
    ]


def test_export_and_template_carry_node_plans_and_levels_and_import_back_unchanged(
        client, login, users, prep_park):
    login(users["supervisor"])
    imported(client, xlsx({
        "年度计划": [["A1", 2025, "", "市重点"]],
        "节点计划": [["A1", "土地供应", date(2026, 3, 31), date(2026, 4, 10), "已摘牌"],
                 ["A1", "规划许可", "不适用", "", ""], ["A1", "人才公寓配套", "", "", ""]],
    }))
    db.session.add(MilestoneTemplate(name="环评批复", position=10))  # a template row never filled
    db.session.commit()
    data = client.get("/export.xlsx").data
    wb = load_workbook(io.BytesIO(data))
    plans = list(wb["年度计划"].iter_rows(min_row=2, values_only=True))
    assert plans == [("A1", 2025, None, "市重点"), ("A1", 2026, 10000, None)]
    nodes = list(wb["节点计划"].iter_rows(min_row=2, values_only=True))
    assert nodes == [("A1", "土地供应", datetime(2026, 3, 31), datetime(2026, 4, 10), "已摘牌"),
                     ("A1", "规划许可", "不适用", None, None),
                     ("A1", "人才公寓配套", None, None, None)]
    before = db_fingerprint()
    plan = plan_import(data)
    assert plan.ok and not plan.changes_anything, plan.errors
    assert db_fingerprint() == before
    template = load_workbook(io.BytesIO(client.get("/import/template.xlsx").data))
    assert [c.value for c in template["节点计划"][1]] == ["项目编号", "节点名称", "计划完成日期",
                                                      "实际完成日期", "备注"]
    explained = {r[1]: r[3] for r in template["说明"].iter_rows(min_row=2, values_only=True)
                 if r[0] == "节点计划"}
    assert "不适用" in explained["计划完成日期"] and "延期" in explained["计划完成日期"]


def test_the_command_line_refuses_a_bad_node_plan_on_stderr_and_imports_a_good_one(
        runner, tmp_path, prep_park):
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(xlsx({"节点计划": [["A1", "开工建设", "下周", "", ""]]}))
    before = db_fingerprint()
    result = runner.invoke(args=["import-xlsx", str(bad)])
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr.splitlines() == [
        "节点计划 第2行 计划完成日期：应为日期（日期单元格或 YYYY-MM-DD 格式的文字）或“不适用”"]
    assert db_fingerprint() == before
    good = tmp_path / "good.xlsx"
    good.write_bytes(xlsx({"节点计划": [["A1", "开工建设", "2026-05-01", "2026-05-03", ""]]}))
    result = runner.invoke(args=["import-xlsx", str(good)])
    assert result.exit_code == 0, result.output
    assert "节点计划：新增 1，修改 0，未变 0" in result.stdout
    assert "建设阶段随节点推进：A1 前期→在建" in result.stdout
