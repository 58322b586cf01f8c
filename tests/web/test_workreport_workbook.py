"""The work report's sheets of the workbook (DESIGN.md section 15): import (all or nothing,
with the usual error lines), export and template."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from tracker.audit.models import AuditEntry
from tracker.extensions import db
from tracker.workbook.plan import plan_import
from tracker.workbook.wrsheets import WORK_REPORT_SHEETS
from tracker.workreport.models import (
    IndicatorValue,
    LandEntry,
    PipelineProject,
    SignedProject,
    Target,
    TargetKind,
)

HEADERS = {s.name: s.headers for s in WORK_REPORT_SHEETS}
GOOD = {
    "经济指标": [("规上工业总产值", 2026, 6, 45.6, 38), ("退税", 2026, 6, 1.05, None)],
    "招商签约": [("独立储能电站项目", "绿色能源", date(2026, 4, 18), 12.5, "投资协议")],
    "储备项目": [("安防科技项目", "电子信息", "10", "已签框架协议")],
    "土地收储": [(date(2026, 5, 20), 120, "东片区")],
    "年度目标": [(2026, "年度招商任务", 50), (2026, "土地收储", 300)],
}


def book(sheets: dict[str, list[tuple]]) -> bytes:
    wb = Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        ws.append(HEADERS[name])
        for row in rows:
            ws.append(list(row))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _count(model) -> int:  # noqa: ANN001
    return db.session.scalar(select(func.count()).select_from(model))


def test_the_five_sheets_import_and_an_unchanged_file_changes_nothing(runner, tmp_path: Path):
    path = tmp_path / "park.xlsx"
    path.write_bytes(book(GOOD))
    r = runner.invoke(args=["import-xlsx", str(path)])
    assert r.exit_code == 0, r.output + r.stderr
    assert "经济指标：新增 2，修改 0，未变 0" in r.output
    value = db.session.scalar(select(IndicatorValue).where(IndicatorValue.cumulative == Decimal("45.60")))
    assert (value.year, value.month, value.last_year) == (2026, 6, Decimal("38.00"))
    signed = db.session.scalar(select(SignedProject))
    assert (signed.name, signed.signed_on, signed.investment, signed.agreement.value) == (
        "独立储能电站项目", date(2026, 4, 18), Decimal("12.50"), "投资协议")
    assert db.session.scalar(select(PipelineProject)).progress.value == "已签框架协议"
    assert db.session.scalar(select(LandEntry)).area == Decimal("120.00")
    assert {t.kind: t.value for t in db.session.scalars(select(Target))} == {
        TargetKind.INVESTMENT: Decimal("50.00"), TargetKind.LAND: Decimal("300.00")}
    created = db.session.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.action == "create", AuditEntry.import_batch_id.is_not(None)))
    assert created == 7
    assert not plan_import(path.read_bytes()).changes_anything
    # A changed figure updates the matched row (audited), and adds nothing.
    changed = dict(GOOD, 经济指标=[("规上工业总产值", 2026, 6, 46, 38)])
    path.write_bytes(book(changed))
    r = runner.invoke(args=["import-xlsx", str(path)])
    assert "经济指标：新增 0，修改 1，未变 0" in r.output
    assert _count(IndicatorValue) == 2
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.field == "cumulative",
                                                       AuditEntry.action == "update"))
    assert (entry.old, entry.new, entry.record_label) == ("45.60", "46.00", "2026年1-6月 规上工业总产值")


def test_a_bad_row_in_the_economy_sheet_refuses_the_whole_workbook(runner, tmp_path: Path):
    bad = dict(GOOD, 经济指标=[("规上工业总产值", 2026, 6, 45.6, 38), ("工业用电量", 2026, 6, 3, 2),
                              ("全口径税收", 2026, 13, "四点二", 4)])
    path = tmp_path / "bad.xlsx"
    path.write_bytes(book(bad))
    r = runner.invoke(args=["import-xlsx", str(path)])
    assert r.exit_code == 1
    assert "经济指标 第3行 指标：“工业用电量”不在经济指标名录中" in r.stderr
    assert "经济指标 第4行 月份：" in r.stderr and "经济指标 第4行 本期累计(亿元)：不是有效的数字" in r.stderr
    for model in (IndicatorValue, SignedProject, PipelineProject, LandEntry, Target):
        assert _count(model) == 0


def test_the_export_holds_the_work_report_sheets_and_imports_back_unchanged(
        runner, client, login, users, tmp_path: Path):
    path = tmp_path / "park.xlsx"
    path.write_bytes(book(GOOD))
    assert runner.invoke(args=["import-xlsx", str(path)]).exit_code == 0
    login(users["supervisor"])
    data = client.get("/export.xlsx").data
    wb = load_workbook(io.BytesIO(data))
    assert [r for r in wb["经济指标"].iter_rows(min_row=2, values_only=True)] == [
        ("规上工业总产值", 2026, 6, 45.6, 38), ("退税", 2026, 6, 1.05, None)]
    assert [r[0] for r in wb["招商签约"].iter_rows(min_row=2, values_only=True)] == ["独立储能电站项目"]
    assert not plan_import(data).changes_anything
    template = load_workbook(io.BytesIO(client.get("/import/template.xlsx").data))
    explained = {(r[0], r[1]): r[3] for r in template["说明"].iter_rows(min_row=2, values_only=True) if r[1]}
    assert explained[("年度目标", "指标")] == "年度招商任务（亿元，计划投资）、土地收储（亩） 之一"
    assert {dv.formula1 for dv in template["储备项目"].data_validations.dataValidation} == {
        '"洽谈中,已签框架协议,拟签投资协议"'}
