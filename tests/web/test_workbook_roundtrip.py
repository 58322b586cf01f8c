"""The workbook round trip and its command line (DESIGN.md section 5): an export imports back
changing nothing; import-xlsx's dry run, refusals on stderr and idempotence; the template."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

from openpyxl import load_workbook
from sqlalchemy import func, select, text

from tests.web import test_workbook_import
from tests.web.test_workbook_import import (
    ALL_SHEETS,
    HEADERS,
    db_fingerprint,
    workbook_with_everything,
    xlsx,
)
from tracker.extensions import db
from tracker.models import (
    AnnualPlan,
    AuditEntry,
    Bond,
    BondSpending,
    ImportBatch,
    Issue,
    IssueEvent,
    MonthlyReport,
    ReportState,
    Unit,
)
from tracker.workbook.plan import plan_import

park = test_workbook_import.park  # the fixture: A1 with a plan, months and a lead

# --- round trip and the command line ------------------------------------------------------------


def full_park(users, make_project):
    a1 = make_project("A1", name="储能电站项目", plan=10000, months={1: 1000.5, 2: 1200}, lead=users["member"],
                      total=80000)
    make_project("B1", name="标准厂房项目", level="市重点", lead=users["other_member"])
    db.session.add_all([
        MonthlyReport(project_id=a1.id, year=2026, month=3, amount=Decimal("10"), state=ReportState.SUBMITTED,
                      progress_text="=主体封顶", next_steps="下月\n验收"),
        MonthlyReport(project_id=a1.id, year=2026, month=4, amount=Decimal("99"), state=ReportState.DRAFT),
        MonthlyReport(project_id=a1.id, year=2026, month=5, amount=Decimal("77"), state=ReportState.RETURNED),
        AnnualPlan(project_id=a1.id, year=2025, amount=Decimal("3000.10")),
    ])
    bond = Bond(project_id=a1.id, year=2026, amount=Decimal("5000"), expected_on=date(2026, 9, 30))
    db.session.add(bond)
    db.session.flush()
    db.session.add(BondSpending(bond_id=bond.id, month=1, amount=Decimal("400")))
    unit = db.session.scalar(select(Unit))
    db.session.add(Issue(number="DB-2026-0001", project_id=a1.id, category="资金不足", description="缺口",
                         responsible_unit_id=unit.id, level="挂牌督办", raised_on=date(2026, 2, 1),
                         deadline=date(2026, 4, 1), state="已办结", closed_on=date(2026, 3, 1)))
    db.session.commit()
    return a1


def test_an_export_imports_back_changing_nothing(client, login, users, make_project, make_user):
    make_user("dup", "member", name="李娜")  # the other lead's name is shared: export writes the login
    full_park(users, make_project)
    login(users["viewer"])
    response = client.get("/export.xlsx")
    assert response.status_code == 200
    assert "filename*=UTF-8''" in response.headers["Content-Disposition"]
    data = response.data
    wb = load_workbook(io.BytesIO(data))
    assert wb.sheetnames == [s.name for s in ALL_SHEETS]
    for sheet in ALL_SHEETS:
        ws = wb[sheet.name]
        assert [c.value for c in ws[1]] == sheet.headers
        assert ws.freeze_panes == "A2"
    months = [(r[1], r[2]) for r in wb["月度进展"].iter_rows(min_row=2, values_only=True)]
    assert months == [(2026, 1), (2026, 2), (2026, 3)], "drafts and returned rows stay in the app"
    leads = [r[7] for r in wb["项目"].iter_rows(min_row=2, values_only=True)]
    assert leads == ["张伟", "lead2"]
    validated = {str(dv.sqref).split(":")[0][0] for dv in wb["问题"].data_validations.dataValidation}
    assert validated == {"C", "G", "J"}

    before = db_fingerprint()
    plan = plan_import(data)
    assert plan.ok, plan.errors
    assert not plan.changes_anything, [(n, [r.changes for r in p.changed]) for n, p in plan.sheets.items()]
    assert db_fingerprint() == before


def test_cli_import_dry_run_then_import_then_idempotent(runner, tmp_path, users, park):
    path = tmp_path / "park.xlsx"
    path.write_bytes(workbook_with_everything())
    before = db_fingerprint()
    dry = runner.invoke(args=["import-xlsx", str(path), "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "项目：新增 1，修改 1，未变 0" in dry.stdout and "试运行：未写入任何数据。" in dry.stdout
    assert db_fingerprint() == before

    done = runner.invoke(args=["import-xlsx", str(path)])
    assert done.exit_code == 0, done.output
    assert "已导入（导入记录 #1" in done.stdout
    audit = db.session.scalar(select(func.count(AuditEntry.id)))
    after = db_fingerprint()

    again = runner.invoke(args=["import-xlsx", str(path)])
    assert again.exit_code == 0
    assert "项目：新增 0，修改 0，未变 2" in again.stdout
    assert "数据与系统中一致，未做任何修改。" in again.stdout
    assert db.session.scalar(select(func.count(AuditEntry.id))) == audit
    assert db_fingerprint() == after
    assert db.session.scalar(select(func.count(IssueEvent.id))) == 4


def test_cli_refusal_prints_errors_one_per_line_on_stderr(runner, tmp_path, park):
    path = tmp_path / "bad.xlsx"
    rows = [["标题：2026年月度进展"], HEADERS["月度进展"]] + [["A1", 2026, 1, 1, "", ""]] * 12
    rows.append(["A1", 2026, 9, -3, "", ""])
    path.write_bytes(xlsx({"月度进展": rows}, headers=False))
    before = db_fingerprint()
    result = runner.invoke(args=["import-xlsx", str(path)])
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines[-1] == "月度进展 第15行 当月完成投资(万元)：不能为负数"
    assert lines[0] == "月度进展 第4行 项目编号：与第3行重复（项目编号 A1，年度 2026，月份 1）"
    assert len(lines) == 12 and result.stdout == ""
    assert db_fingerprint() == before


def test_cli_unreadable_file_and_missing_file(runner, tmp_path):
    path = tmp_path / "x.xlsx"
    path.write_bytes(b"")
    result = runner.invoke(args=["import-xlsx", str(path)])
    assert (result.exit_code, result.stderr) == (1, "文件为空，请选择要导入的工作簿。\n")
    assert runner.invoke(args=["import-xlsx", str(tmp_path / "nope.xlsx")]).exit_code == 2


def test_cli_export_writes_a_workbook_that_imports_back(runner, tmp_path, users, make_project):
    full_park(users, make_project)
    path = tmp_path / "out.xlsx"
    result = runner.invoke(args=["export-xlsx", str(path)])
    assert result.exit_code == 0 and f"已导出到 {path}" in result.stdout
    assert not plan_import(path.read_bytes()).changes_anything
    assert runner.invoke(args=["export-xlsx", str(tmp_path / "out.csv")]).exit_code == 1


def test_template_has_headers_validation_lists_and_an_explanation_sheet(client, login, users):
    login(users["supervisor"])
    response = client.get("/import/template.xlsx")
    wb = load_workbook(io.BytesIO(response.data))
    assert wb.sheetnames == ["说明", *[s.name for s in ALL_SHEETS]]
    for sheet in ALL_SHEETS:
        assert [c.value for c in wb[sheet.name][1]] == sheet.headers
        assert wb[sheet.name].max_row == 1
    lists = {dv.formula1 for dv in wb["项目"].data_validations.dataValidation}
    assert lists == {'"省重点,市重点,区重点"', '"前期,在建,竣工,投产"'}
    lists = {dv.formula1 for dv in wb["问题"].data_validations.dataValidation}
    assert '"待办理,办理中,待确认,已办结,已撤销"' in lists and '"一般督办,重点督办,挂牌督办"' in lists
    explained = [(r[0], r[1]) for r in wb["说明"].iter_rows(min_row=2, max_col=2, values_only=True) if r[1]]
    assert explained == [(s.name, h) for s in ALL_SHEETS for h in s.headers]
    # The template itself imports: nothing to do.
    plan = plan_import(response.data)
    assert plan.ok and not plan.changes_anything


def test_import_page_runs_a_fixed_number_of_queries(client, login, users, count_queries):
    login(users["supervisor"])

    def add(n):
        db.session.add(ImportBatch(user_id=users["admin"].id, filename=f"f{n}.xlsx", sha256="0" * 64,
                                   content=b"x", summary={"sheets": {"项目": {"new": 1, "changed": 0, "unchanged": 0}}}))
        db.session.commit()

    add(0)
    with count_queries() as few:
        client.get("/import")
    for n in range(1, 6):
        add(n)
    with count_queries() as many:
        html = client.get("/import").get_data(as_text=True)
    assert "f5.xlsx" in html and "项目 新增1/修改0" in html
    assert many.count == few.count
    assert db.session.execute(text("select 1")).scalar() == 1
