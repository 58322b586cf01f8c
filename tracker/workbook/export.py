"""Writing the park's workbook (DESIGN.md section 5) with openpyxl: export and template.

The export has the sheets and headers of the import, in order, so that it imports back
changing nothing. Only reported monthly figures (已报送, 已审核) are written. 项目负责人 is
written as the lead's display name when that name identifies one user unambiguously (no other
user has it as name or login), else as the login — either way it matches the same user again.
"""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from sqlalchemy import or_, select
from sqlalchemy.orm import aliased

from tracker.auth.models import Unit, User
from tracker.extensions import db
from tracker.issues.models import Issue
from tracker.milestones.models import MilestoneTemplate, ProjectMilestone
from tracker.projects.models import (
    COUNTED_STATES,
    AnnualPlan,
    Bond,
    BondSpending,
    MonthlyReport,
    Project,
    ProjectYearLevel,
)
from tracker.workbook import wrplan
from tracker.workbook.cells import NOT_APPLICABLE
from tracker.workbook.parse import (
    BONDS,
    ISSUES,
    MILESTONES,
    MONTHLY,
    PLANS,
    PROJECTS,
    SHEETS,
    SPENDINGS,
    Sheet,
)
from tracker.workbook.wrsheets import EXPLANATIONS as WR_EXPLANATIONS
from tracker.workbook.wrsheets import WORK_REPORT_SHEETS

HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="1F4E79")
VALIDATION_ROWS = 5000

# What each column means, for the template's 说明 sheet.
EXPLANATIONS: dict[tuple[str, str], str] = {
    ("项目", "项目编号"): "项目的唯一编号，按此匹配已有项目；不能含“/”或空格",
    ("项目", "项目名称"): "项目全称",
    ("项目", "级别"): "省重点、市重点、区重点 之一",
    ("项目", "行业"): "自由填写，建议：金属智造、新材料、机械装备、绿色能源、储能、其他",
    ("项目", "建设阶段"): "前期、在建、竣工、投产 之一",
    ("项目", "业主单位"): "业主单位名称；系统中没有的单位导入时自动创建",
    ("项目", "责任单位"): "责任单位名称；系统中没有的单位导入时自动创建",
    ("项目", "项目负责人"): "负责人的账号或姓名（先按账号匹配，再按姓名；同名时请填账号）",
    ("项目", "包挂领导"): "包挂领导姓名",
    ("项目", "总投资(万元)"): "万元，最多两位小数",
    ("项目", "开工年份"): "四位年份，如 2025",
    ("项目", "计划竣工年份"): "四位年份，如 2027",
    ("年度计划", "项目编号"): "须在“项目”表或系统中已有",
    ("年度计划", "年度"): "四位年份",
    ("年度计划", "年度计划投资(万元)"): "万元，最多两位小数，不能为负数；只设级别时可留空",
    ("年度计划", "级别"): "该年度重点项目清单中的级别：省重点、市重点、区重点、不列入 之一；留空则不改（未设的年度沿用项目当前级别）；此列可整列省略",
    ("月度进展", "项目编号"): "须在“项目”表或系统中已有",
    ("月度进展", "年度"): "四位年份",
    ("月度进展", "月份"): "1 至 12",
    ("月度进展", "当月完成投资(万元)"): "该月当月完成的投资（不是累计），万元，最多两位小数，不能为负数",
    ("月度进展", "形象进度"): "该月的形象进度文字",
    ("月度进展", "下步计划"): "下一步工作计划",
    ("问题", "问题编号"): "问题的唯一编号，按此匹配已有问题；不能含“/”或空格",
    ("问题", "项目编号"): "所属项目；园区层面的问题留空",
    ("问题", "问题类别"): "资金不足、用地手续不完善、土地交付进度慢、规划报建、环评能评、施工组织、水电路配套、其他 之一",
    ("问题", "问题描述"): "问题的具体描述",
    ("问题", "责任单位"): "负责解决的单位；系统中没有的单位导入时自动创建",
    ("问题", "责任人"): "责任人姓名",
    ("问题", "督办等级"): "一般督办、重点督办、挂牌督办 之一",
    ("问题", "提出日期"): "日期，或 YYYY-MM-DD 格式的文字",
    ("问题", "办结时限"): "日期，或 YYYY-MM-DD 格式的文字",
    ("问题", "状态"): "待办理、办理中、待确认、已办结、已撤销 之一",
    ("问题", "办结日期"): "状态为已办结时必填，其他状态留空",
    ("专项债", "项目编号"): "须在“项目”表或系统中已有",
    ("专项债", "年度"): "四位年份",
    ("专项债", "下达金额(万元)"): "万元，最多两位小数",
    ("专项债", "预计支出完毕日期"): "日期，或 YYYY-MM-DD 格式的文字",
    ("专项债支出", "项目编号"): "须在“项目”表或系统中已有，且该年度有专项债",
    ("专项债支出", "年度"): "四位年份",
    ("专项债支出", "月份"): "1 至 12",
    ("专项债支出", "当月支出(万元)"): "该月支出金额，万元，最多两位小数",
    ("节点计划", "项目编号"): "须在“项目”表或系统中已有",
    ("节点计划", "节点名称"): "节点模板中的名称（如 开工建设）；模板中没有的名称新增为该项目的自定节点",
    ("节点计划", "计划完成日期"): "日期，或 YYYY-MM-DD 格式的文字，或“不适用”；修改已定的日期记为延期（理由：工作簿导入）",
    ("节点计划", "实际完成日期"): "日期，或 YYYY-MM-DD 格式的文字，不能晚于今天；开工建设、竣工验收、投产运营完成时建设阶段随之推进",
    ("节点计划", "备注"): "备注文字",
}

RULES = (
    "导入规则：",
    "1. 每张表的表头行为第一列是该表第一个列名的行，其上方的标题行会被跳过；列名中的全角括号（万元）也可识别。",
    "2. 缺少的工作表不做修改；其他工作表（如本说明）不导入；多余的列会被忽略并提示。",
    "3. 任何一行有错误，整个文件都不导入；错误按“表名 第N行 列名：原因”逐条列出。",
    "4. 与系统中相同的行不做修改；新增或修改的月度数据记为已审核；导入不会删除任何数据。",
    "5. 已发布简报所覆盖月份的月度数据和专项债支出已锁定，须督查室解锁后才能通过导入修改。",
)


def _style(ws: Any, sheet: Sheet) -> None:
    """Header style, column widths, frozen header row, number formats, validation lists."""
    for i, column in enumerate(sheet.columns, start=1):
        letter = get_column_letter(i)
        width = 12
        if column.kind == "text" and not column.max_len:
            width = 40
        elif column.max_len >= 120:
            width = 28
        width = max(width, len(column.header) * 2 + 4)
        ws.column_dimensions[letter].width = width
        if column.choices:
            dv = DataValidation(
                type="list", formula1='"' + ",".join(column.choices) + '"', allow_blank=not column.required,
                showErrorMessage=True, errorTitle="无效的值", error=f"{column.header}应为：{'、'.join(column.choices)}",
            )
            dv.add(f"{letter}2:{letter}{VALIDATION_ROWS}")
            ws.add_data_validation(dv)
    ws.freeze_panes = "A2"


def _header(ws: Any, sheet: Sheet) -> None:
    ws.append(sheet.headers)
    for cell in ws[1]:
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center")


def _fill(ws: Any, sheet: Sheet, rows: Iterable[Sequence[Any]]) -> None:
    formats = {}
    for i, column in enumerate(sheet.columns, start=1):
        if column.kind == "money":
            formats[i] = "0.00"
        elif column.kind in ("date", "plan_date"):
            formats[i] = "yyyy-mm-dd"
        elif column.kind in ("text", "code", "label"):
            formats[i] = "@"
    for r, row in enumerate(rows, start=2):
        for c, value in enumerate(row, start=1):
            if value is None or value == "":
                continue
            if isinstance(value, Decimal):
                value = float(value)  # a cell holds a double; shown with two places
            elif isinstance(value, str):
                value = ILLEGAL_CHARACTERS_RE.sub("", value)
            cell = ws.cell(row=r, column=c, value=value)
            if isinstance(value, str) and value.startswith("="):
                cell.data_type = "s"  # text, never a formula
            if c in formats:
                cell.number_format = formats[c]


def build_workbook(data: dict[str, Iterable[Sequence[Any]]], *, explain: bool = False) -> bytes:
    """Every sheet (headers, styles, validations), filled with ``data`` by sheet name."""
    wb = Workbook()
    wb.remove(wb.active)
    if explain:
        _explanations(wb.create_sheet("说明"))
    for sheet in (*SHEETS, *WORK_REPORT_SHEETS):
        ws = wb.create_sheet(sheet.name)
        _header(ws, sheet)
        _fill(ws, sheet, data.get(sheet.name, ()))
        _style(ws, sheet)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _explanations(ws: Any) -> None:
    ws.append(["工作表", "列名", "是否必填", "说明"])
    for cell in ws[1]:
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
    for sheet in (*SHEETS, *WORK_REPORT_SHEETS):
        for column in sheet.columns:
            required = "必填" if column.required else "选填"
            if (sheet.name, column.header) == ("问题", "办结日期"):
                required = "已办结时必填"
            elif (sheet.name, column.header) == ("年度计划", "年度计划投资(万元)"):
                required = "未填级别时必填"
            explained = EXPLANATIONS.get((sheet.name, column.header)) or WR_EXPLANATIONS[
                (sheet.name, column.header)]
            ws.append([sheet.name, column.header, required, explained])
    ws.append([])
    for line in RULES:
        ws.append([line])
    for letter, width in zip("ABCD", (12, 22, 14, 80), strict=True):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = "A2"


def template_bytes() -> bytes:
    """The empty workbook: headers, validation lists, and a 说明 sheet."""
    return build_workbook({}, explain=True)


def _text(value: Any) -> Any:
    return value.value if hasattr(value, "value") and not isinstance(value, date) else value


def export_rows() -> dict[str, list[tuple]]:
    """Every sheet's rows from the database (a fixed number of queries)."""
    owner, responsible = aliased(Unit), aliased(Unit)
    users = db.session.execute(select(User.id, User.login, User.name)).all()
    names = Counter(u.name for u in users)
    logins = {u.login for u in users}
    lead_text = {
        u.id: u.name if names[u.name] == 1 and (u.name == u.login or u.name not in logins) else u.login
        for u in users
    }
    projects = db.session.execute(
        select(Project, owner.name, responsible.name)
        .outerjoin(owner, owner.id == Project.owner_unit_id)
        .outerjoin(responsible, responsible.id == Project.responsible_unit_id)
        .order_by(Project.code)
    ).all()
    codes = {p.id: p.code for p, _o, _r in projects}
    out: dict[str, list[tuple]] = {s.name: [] for s in SHEETS}
    out[PROJECTS.name] = [
        (p.code, p.name, _text(p.level), p.industry, _text(p.stage), o, r,
         lead_text.get(p.lead_id), p.leader_in_charge, p.total_investment, p.start_year,
         p.planned_completion_year)
        for p, o, r in projects
    ]
    out[PLANS.name] = plan_rows(codes)
    out[MONTHLY.name] = sorted(
        (codes[r.project_id], r.year, r.month, r.amount, r.progress_text, r.next_steps)
        for r in db.session.execute(
            select(MonthlyReport.project_id, MonthlyReport.year, MonthlyReport.month,
                   MonthlyReport.amount, MonthlyReport.progress_text, MonthlyReport.next_steps)
            .where(MonthlyReport.state.in_(COUNTED_STATES), MonthlyReport.amount.is_not(None))
        )
    )
    out[ISSUES.name] = [
        (i.number, codes.get(i.project_id), _text(i.category), i.description, unit,
         i.responsible_person, _text(i.level), i.raised_on, i.deadline, _text(i.state), i.closed_on)
        for i, unit in db.session.execute(
            select(Issue, Unit.name).outerjoin(Unit, Unit.id == Issue.responsible_unit_id)
            .order_by(Issue.raised_on, Issue.number)
        )
    ]
    out[BONDS.name] = sorted(
        (codes[pid], year, amount, expected)
        for pid, year, amount, expected in db.session.execute(
            select(Bond.project_id, Bond.year, Bond.amount, Bond.expected_on)
        )
    )
    out[SPENDINGS.name] = sorted(
        (codes[pid], year, month, amount)
        for pid, year, month, amount in db.session.execute(
            select(Bond.project_id, Bond.year, BondSpending.month, BondSpending.amount)
            .join(Bond, Bond.id == BondSpending.bond_id)
        )
    )
    out[MILESTONES.name] = milestone_rows(codes)
    return out


def plan_rows(codes: dict[int, str]) -> list[tuple]:
    """年度计划: each (project, year) with a plan or a level of its own (two queries)."""
    years: dict[tuple[str, int], list] = {}
    for pid, year, amount in db.session.execute(
        select(AnnualPlan.project_id, AnnualPlan.year, AnnualPlan.amount)
    ):
        years[(codes[pid], year)] = [amount, None]
    for pid, year, level in db.session.execute(
        select(ProjectYearLevel.project_id, ProjectYearLevel.year, ProjectYearLevel.level)
    ):
        years.setdefault((codes[pid], year), [None, None])[1] = level.value
    return [(code, year, amount, level) for (code, year), (amount, level) in sorted(years.items())]


def milestone_rows(codes: dict[int, str]) -> list[tuple]:
    """节点计划: a project's own milestones, and the template's that hold anything (one query)."""
    pm, t = ProjectMilestone, MilestoneTemplate
    rows = db.session.execute(
        select(pm.project_id, pm.template_id, pm.name, t.name, t.position, pm.planned_on,
               pm.actual_on, pm.not_applicable, pm.note, pm.id)
        .outerjoin(t, t.id == pm.template_id)
        .where(or_(pm.template_id.is_(None), pm.planned_on.is_not(None),
                   pm.actual_on.is_not(None), pm.not_applicable, pm.note != ""))
    )
    ordered = sorted(rows, key=lambda r: (codes[r[0]], r[1] is None, r[4] or 0, r[9]))
    return [
        (codes[pid], template_name if tid is not None else name,
         NOT_APPLICABLE if na else planned, actual, note)
        for pid, tid, name, template_name, _pos, planned, actual, na, note, _id in ordered
    ]


def export_bytes() -> bytes:
    """The whole database as the park's workbook."""
    return build_workbook(export_rows() | wrplan.export_rows())
