"""Supervisors and admins keep the project register in the browser: create, edit, plans,
bonds, archive — validated field by field, never half-saved, every change audited, and a
stale edit meets a conflict message instead of overwriting."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from tracker.audit.models import AuditEntry
from tracker.extensions import db
from tracker.projects import editing as ps
from tracker.projects.models import AnnualPlan, Bond, BondSpending, Project


def errors_in(response) -> list[str]:
    return re.findall(r'class="field-error"[^>]*>([^<]*)<', response.get_data(as_text=True))


def form_for(unit: int, lead: int, **override) -> dict:
    data = {
        "code": "SZ-09", "name": "氢能装备产业园项目", "level": "省重点", "industry": "绿色能源",
        "stage": "在建", "owner_unit_id": str(unit), "responsible_unit_id": str(unit),
        "lead_id": str(lead), "leader_in_charge": "刘副主任", "total_investment": "56000.50",
        "start_year": "2025", "planned_completion_year": "2027",
        "plan_year": "2026", "plan_amount": "12000",
    }
    data.update(override)
    return data


def entries(**where) -> list[AuditEntry]:
    stmt = select(AuditEntry).order_by(AuditEntry.id)
    for key, value in where.items():
        stmt = stmt.where(getattr(AuditEntry, key) == value)
    return list(db.session.scalars(stmt))


@pytest.fixture
def supervisor(users, login):
    login(users["supervisor"])
    return users["supervisor"]


def test_supervisor_creates_a_project_with_every_register_field_and_a_plan(
    client, supervisor, users
):
    lead = users["member"]
    response = client.post("/admin/projects/new",
                           data={**form_for(lead.unit_id, lead.id), "liaison_ids": [str(users["other_member"].id)]})
    assert response.status_code == 302
    p = db.session.scalar(select(Project).where(Project.code == "SZ-09"))
    assert (p.name, p.level.value, p.industry, p.stage.value) == ("氢能装备产业园项目", "省重点", "绿色能源", "在建")
    assert p.responsible_unit.name == "园区经济发展局" and p.owner_unit.name == "园区经济发展局"
    assert p.lead.login == "lead1" and [u.login for u in p.liaisons] == ["lead2"]
    assert (p.leader_in_charge, p.total_investment) == ("刘副主任", Decimal("56000.50"))
    assert (p.start_year, p.planned_completion_year, p.archived_on) == (2025, 2027, None)
    plan = db.session.scalar(select(AnnualPlan).where(AnnualPlan.project_id == p.id))
    assert (plan.year, plan.amount) == (2026, Decimal("12000.00"))
    fields = {e.field: e.new for e in entries(table_name="projects", project_id=p.id)}
    assert fields["lead_id"] == "张伟" and fields["total_investment"] == "56000.50"
    assert entries(table_name="annual_plans")[0].new == "12000.00"
    assert all(e.user_id == supervisor.id for e in entries())


def test_the_form_offers_the_suggested_industries_and_the_register_fields(client, supervisor):
    html = client.get("/admin/projects/new").get_data(as_text=True)
    for industry in ("金属智造", "新材料", "机械装备", "绿色能源", "储能", "其他"):
        assert f'<option value="{industry}">' in html
    for name in ("code", "name", "level", "industry", "stage", "owner_unit_id",
                 "responsible_unit_id", "lead_id", "liaison_ids", "leader_in_charge",
                 "total_investment", "start_year", "planned_completion_year"):
        assert f'name="{name}"' in html


def test_every_bad_field_gets_its_message_and_nothing_is_saved(client, supervisor, users):
    lead = users["member"]
    bad = form_for(lead.unit_id, lead.id, code="SZ 09/", name="", level="国重点", stage="规划",
                   total_investment="-5", start_year="2028", planned_completion_year="abc",
                   plan_amount="1.234", owner_unit_id="99999", lead_id="x")
    response = client.post("/admin/projects/new", data=bad)
    assert response.status_code == 422
    messages = errors_in(response)
    assert "项目编号不能包含空格" in messages
    assert "请填写项目名称" in messages
    assert any(m.startswith("级别只能是") for m in messages)
    assert any(m.startswith("建设阶段只能是") for m in messages)
    assert "总投资不能为负数" in messages
    assert "计划竣工年份应为整数" in messages
    assert any("最多两位小数" in m for m in messages)
    assert any("项目负责人选择无效" in m for m in messages)
    assert db.session.scalar(select(func.count(Project.id))) == 0
    assert db.session.scalar(select(func.count(AuditEntry.id))) == 0
    # The user's entries come back (escaped), so nothing typed is lost.
    assert 'value="SZ 09/"' in response.get_data(as_text=True)


def test_service_checks_units_years_and_leads(client, supervisor, users, make_unit):
    closed = make_unit("已撤并单位")
    closed.active = False
    db.session.commit()
    viewer = users["viewer"]
    response = client.post("/admin/projects/new", data=form_for(
        closed.id, viewer.id, start_year="2028", planned_completion_year="2026"))
    assert response.status_code == 422
    messages = errors_in(response)
    assert "单位“已撤并单位”已停用，不能选择" in messages
    assert "计划竣工年份不能早于开工年份" in messages
    assert any("不能担任项目负责人" in m for m in messages)
    assert db.session.scalar(select(func.count(Project.id))) == 0


def test_codes_are_unique_whatever_the_case(client, supervisor, users, make_project):
    make_project("SZ-09")
    lead = users["member"]
    response = client.post("/admin/projects/new", data=form_for(lead.unit_id, lead.id, code="sz-09"))
    assert response.status_code == 422
    assert "项目编号“sz-09”已被其他项目使用" in errors_in(response)
    assert db.session.scalar(select(func.count(AnnualPlan.id))) == 0  # the plan is not half-saved


def edit_form(project: Project, **override) -> dict:
    page = {
        "code": project.code, "name": project.name, "level": project.level.value,
        "industry": project.industry, "stage": project.stage.value,
        "responsible_unit_id": str(project.responsible_unit_id or ""),
        "lead_id": str(project.lead_id or ""), "total_investment": "",
        "version": str(project.version),
    }
    page.update(override)
    return page


def test_an_edit_changes_the_fields_and_records_old_and_new(client, supervisor, users, make_project):
    project = make_project("A1", name="储能电站项目", total=1000)
    response = client.post("/admin/projects/A1/edit", data=edit_form(
        project, name="独立储能电站项目", stage="竣工", total_investment="1200",
        lead_id=str(users["member"].id)))
    assert response.status_code == 302
    db.session.refresh(project)
    assert project.name == "独立储能电站项目" and project.stage.value == "竣工"
    assert project.version == 2
    trail = {e.field: (e.old, e.new) for e in entries(table_name="projects")}
    assert trail["name"] == ("储能电站项目", "独立储能电站项目")
    assert trail["stage"] == ("在建", "竣工")
    assert trail["total_investment"] == ("1000.00", "1200.00")
    assert trail["lead_id"] == (None, "张伟")


def test_a_stale_edit_shows_the_current_values_and_overwrites_nothing(
    client, supervisor, users, make_project
):
    project = make_project("A1", name="储能电站项目")
    opened = edit_form(project)  # the form as the supervisor loaded it (version 1)
    # Meanwhile the admin renames the project.
    ps.update_project(users["admin"], project, {**ps_values(project), "name": "管理员改的名字"},
                      project.version)
    response = client.post("/admin/projects/A1/edit", data={**opened, "name": "督查室改的名字"})
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "已被他人修改" in html and "管理员改的名字" in html
    assert 'value="督查室改的名字"' in html  # their entry is kept
    db.session.refresh(project)
    assert project.name == "管理员改的名字"
    # Saving again from the conflict page is a deliberate overwrite of the version it showed.
    version = re.search(r'name="version" value="(\d+)"', html).group(1)
    again = client.post("/admin/projects/A1/edit", data={**opened, "name": "督查室改的名字", "version": version})
    assert again.status_code == 302
    db.session.refresh(project)
    assert project.name == "督查室改的名字"


def ps_values(project: Project) -> dict:
    return {
        "code": project.code, "name": project.name, "level": project.level,
        "industry": project.industry, "stage": project.stage,
        "responsible_unit_id": project.responsible_unit_id, "owner_unit_id": project.owner_unit_id,
        "lead_id": project.lead_id, "liaison_ids": [u.id for u in project.liaisons],
        "leader_in_charge": project.leader_in_charge,
        "total_investment": project.total_investment, "start_year": project.start_year,
        "planned_completion_year": project.planned_completion_year,
    }


def test_changing_only_the_liaisons_moves_the_version(client, supervisor, users, make_project):
    project = make_project("A1")
    response = client.post("/admin/projects/A1/edit", data={
        **edit_form(project), "liaison_ids": [str(users["member"].id), str(users["other_member"].id)]})
    assert response.status_code == 302
    db.session.refresh(project)
    assert project.version == 2 and {u.login for u in project.liaisons} == {"lead1", "lead2"}
    assert entries(field="liaison_ids")[0].new == "张伟、李娜"


def test_renaming_a_code_to_another_projects_code_is_refused(client, supervisor, make_project):
    make_project("A2")
    project = make_project("A1")
    response = client.post("/admin/projects/A1/edit", data=edit_form(project, code="A2"))
    assert response.status_code == 422 and "项目编号“A2”已被其他项目使用" in errors_in(response)


def test_plans_are_set_and_changed_with_the_old_value_in_the_trail(client, supervisor, make_project):
    make_project("A1", plan=10000)
    page = client.get("/admin/projects/A1/plans?year=2026").get_data(as_text=True)
    assert 'name="seen" value="10000.00"' in page
    response = client.post("/admin/projects/A1/plans",
                           data={"year": "2026", "amount": "12,500.5", "seen": "10000.00", "seen_year": "2026"})
    assert response.status_code == 302
    response = client.post("/admin/projects/A1/plans", data={"year": "2027", "amount": "3000"})
    assert response.status_code == 302
    plans = dict(db.session.execute(select(AnnualPlan.year, AnnualPlan.amount)).all())
    assert plans == {2026: Decimal("12500.50"), 2027: Decimal("3000.00")}
    trail = [(e.label if hasattr(e, "label") else e.record_label, e.old, e.new) for e in entries(table_name="annual_plans")]
    assert trail == [("A1 2026年", "10000.00", "12500.50"), ("A1 2027年", None, "3000.00")]


def test_a_plan_changed_meanwhile_is_a_conflict(client, supervisor, make_project):
    make_project("A1", plan=10000)
    client.post("/admin/projects/A1/plans", data={"year": "2026", "amount": "11000", "seen": "10000.00", "seen_year": "2026"})
    stale = client.post("/admin/projects/A1/plans",
                        data={"year": "2026", "amount": "9000", "seen": "10000.00", "seen_year": "2026"})
    assert stale.status_code == 409 and "11000.00" in stale.get_data(as_text=True)
    assert db.session.scalar(select(AnnualPlan.amount)) == Decimal("11000.00")


@pytest.mark.parametrize(("year", "amount", "message"), [
    ("2026", "-1", "年度计划投资不能为负数"),
    ("2026", "abc", "年度计划投资应为数字（万元），最多两位小数，例如 1200.50"),
    ("2026", "1e5", "年度计划投资应为数字（万元），最多两位小数，例如 1200.50"),
    ("2026", "9999999999999", "年度计划投资过大（上限 999999999999.99 万元）"),
    ("1899", "5", "年度应在 2000 到 2100 之间"),
    ("", "5", "请填写年度"),
])
def test_bad_plans_are_refused_next_to_the_field(client, supervisor, make_project, year, amount, message):
    make_project("A1")
    response = client.post("/admin/projects/A1/plans", data={"year": year, "amount": amount})
    assert response.status_code == 422 and message in errors_in(response)
    assert db.session.scalar(select(func.count(AnnualPlan.id))) == 0


def test_a_bond_is_granted_and_its_expected_date_changed(client, supervisor, make_project):
    project = make_project("A1")
    assert client.post("/admin/projects/A1/bonds", data={
        "year": "2026", "amount": "5000", "expected_on": "2026-09-30"}).status_code == 302
    bond = db.session.scalar(select(Bond))
    assert (bond.amount, bond.expected_on) == (Decimal("5000.00"), date(2026, 9, 30))
    seen = ps.bond_seen(bond)
    assert client.post("/admin/projects/A1/bonds", data={
        "year": "2026", "amount": "5000", "expected_on": "2026-10-31", "seen": seen,
        "seen_year": "2026"}).status_code == 302
    db.session.refresh(bond)
    assert bond.expected_on == date(2026, 10, 31)
    trail = [(e.field, e.old, e.new) for e in entries(table_name="bonds", project_id=project.id)]
    assert trail == [("amount", None, "5000.00"), ("expected_on", None, "2026-09-30"),
                     ("expected_on", "2026-09-30", "2026-10-31")]


def test_a_bond_cannot_go_below_what_was_spent_nor_take_an_impossible_date(
    client, supervisor, make_project
):
    project = make_project("A1")
    bond = Bond(project_id=project.id, year=2026, amount=Decimal(5000))
    db.session.add(bond)
    db.session.flush()
    db.session.add(BondSpending(bond_id=bond.id, month=1, amount=Decimal(1200)))
    db.session.commit()
    low = client.post("/admin/projects/A1/bonds", data={"year": "2026", "amount": "1000"})
    assert low.status_code == 422 and "下达金额不能小于已支出的 1200.00 万元" in errors_in(low)
    bad_date = client.post("/admin/projects/A1/bonds",
                           data={"year": "2026", "amount": "6000", "expected_on": "2026-02-30"})
    assert bad_date.status_code == 422
    assert "预计支出完毕日期“2026-02-30”不是有效日期" in errors_in(bad_date)
    db.session.refresh(bond)
    assert bond.amount == Decimal("5000.00")


def test_an_archived_project_leaves_current_lists_but_counts_in_its_year(
    client, supervisor, make_project
):
    project = make_project("A1", name="已竣工项目", plan=1000, months={1: 500})
    page = client.get("/admin/projects/A1/archive").get_data(as_text=True)
    version = re.search(r'name="version" value="(\d+)"', page).group(1)
    future = client.post("/admin/projects/A1/archive", data={"archived_on": "2099-01-01", "version": version})
    assert future.status_code == 422 and "归档日期不能晚于今天" in errors_in(future)
    response = client.post("/admin/projects/A1/archive", data={"archived_on": "2026-10-31", "version": version})
    assert response.status_code == 302
    db.session.refresh(project)
    assert project.archived_on == date(2026, 10, 31)
    assert "已竣工项目" not in client.get("/admin/projects").get_data(as_text=True)
    assert "已竣工项目" in client.get("/admin/projects?show=all").get_data(as_text=True)
    # Still on the 2026 dashboard (it belonged to 2026), gone from 2027's key group.
    assert "已竣工项目" in client.get("/?period=2026-07").get_data(as_text=True)
    from tracker.projects.service import key_group
    assert [p.code for p in key_group(2026)] == ["A1"] and key_group(2027) == []
    assert entries(field="archived_on")[0].new == "2026-10-31"


def test_an_archive_can_be_undone(client, supervisor, make_project):
    project = make_project("A1", archived_on=date(2026, 3, 1))
    response = client.post("/admin/projects/A1/archive", data={"action": "restore", "version": str(project.version)})
    assert response.status_code == 302
    db.session.refresh(project)
    assert project.archived_on is None
    assert entries(action="restore")[0].old == "2026-03-01"


def test_an_unknown_project_is_a_clear_404(client, supervisor):
    response = client.get("/admin/projects/NOPE/edit")
    assert response.status_code == 404 and "项目“NOPE”不存在" in response.get_data(as_text=True)
