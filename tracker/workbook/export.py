"""Writing the park's workbook (DESIGN.md section 5) with openpyxl: export and template.

The export has the sheets and headers of the import, in order, so that it imports back
changing nothing. Only reported monthly figures (已报送, 已审核) are written. 项目负责人 is
written as the lead's display name when that name identifies one user unambiguously (no other
user has it as name or login), else as the login — either way it matches the same user again.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date
from typing import IO, Any

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
from tracker.xlsx import write_sheets
from tracker.xlsxwrite import HEADER_DARK, ListValidation, SheetSpec, column_letter

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


def _spec(sheet: Sheet) -> SheetSpec:
    """Header style, column widths, frozen header row, number formats, validation lists."""
    widths, formats, validations = [], [], []
    for i, column in enumerate(sheet.columns, start=1):
        letter = column_letter(i)
        width = 12
        if column.kind == "text" and not column.max_len:
            width = 40
        elif column.max_len >= 120:
            width = 28
        widths.append(max(width, len(column.header) * 2 + 4))
        formats.append({"money": "0.00", "date": "yyyy-mm-dd", "plan_date": "yyyy-mm-dd",
                        "text": "@", "code": "@", "label": "@"}.get(column.kind))
        if column.choices:
            validations.append(ListValidation(
                f"{letter}2:{letter}{VALIDATION_ROWS}", column.choices,
                allow_blank=not column.required, error_title="无效的值",
                error=f"{column.header}应为：{'、'.join(column.choices)}",
            ))
    return SheetSpec(sheet.name, sheet.headers, widths=widths, formats=formats,
                     header_style=HEADER_DARK, validations=validations)


def build_file(data: dict[str, Iterable[Sequence[Any]]], *, explain: bool = False,
               step: Callable[[int, str], None] | None = None) -> IO[bytes]:
    """Every sheet (headers, styles, validations), filled with ``data`` by sheet name, streamed
    row by row into a spooled temporary file."""
    sheets: list = []
    if explain:
        sheets.append((SheetSpec("说明", ["工作表", "列名", "是否必填", "说明"],
                                 widths=[12, 22, 14, 80], header_style=HEADER_DARK),
                       _explanations()))
    sheets += [(_spec(sheet), data.get(sheet.name, ())) for sheet in (*SHEETS, *WORK_REPORT_SHEETS)]
    return write_sheets(sheets, step)


def build_workbook(data: dict[str, Iterable[Sequence[Any]]], *, explain: bool = False) -> bytes:
    """``build_file`` read into memory."""
    with build_file(data, explain=explain) as f:
        return f.read()


def _explanations() -> list[list[str]]:
    rows = []
    for sheet in (*SHEETS, *WORK_REPORT_SHEETS):
        for column in sheet.columns:
            required = "必填" if column.required else "选填"
            if (sheet.name, column.header) == ("问题", "办结日期"):
                required = "已办结时必填"
            elif (sheet.name, column.header) == ("年度计划", "年度计划投资(万元)"):
                required = "未填级别时必填"
            explained = EXPLANATIONS.get((sheet.name, column.header)) or WR_EXPLANATIONS[
                (sheet.name, column.header)]
            rows.append([sheet.name, column.header, required, explained])
    rows.append([])
    rows += [[line] for line in RULES]
    return rows


def template_bytes() -> bytes:
    """The empty workbook: headers, validation lists, and a 说明 sheet."""
    return build_workbook({}, explain=True)


def _text(value: Any) -> Any:
    return value.value if hasattr(value, "value") and not isinstance(value, date) else value


def _streamed(stmt: Any) -> Iterator[tuple]:
    """Rows of ``stmt`` fetched in batches, not all at once (flat memory for any park). The
    statement runs when its sheet is written, not before: on PostgreSQL each is a server-side
    cursor, which a job's progress commit between two sheets would close."""
    yield from db.session.execute(stmt.execution_options(yield_per=2000))


def export_rows() -> dict[str, Iterable[tuple]]:
    """Every sheet's rows from the database (a fixed number of queries), read as they are
    written: the large sheets are generators over ordered queries."""
    owner, responsible = aliased(Unit), aliased(Unit)
    users = db.session.execute(select(User.id, User.login, User.name)).all()
    names = Counter(u.name for u in users)
    logins = {u.login for u in users}
    lead_text = {
        u.id: u.name if names[u.name] == 1 and (u.name == u.login or u.name not in logins) else u.login
        for u in users
    }
    p = Project
    projects = db.session.execute(
        select(p.id, p.code, p.name, p.level, p.industry, p.stage, owner.name, responsible.name,
               p.lead_id, p.leader_in_charge, p.total_investment, p.start_year,
               p.planned_completion_year)
        .outerjoin(owner, owner.id == p.owner_unit_id)
        .outerjoin(responsible, responsible.id == p.responsible_unit_id)
        .order_by(p.code)
    ).all()
    codes = {r[0]: r[1] for r in projects}
    out: dict[str, Iterable[tuple]] = {s.name: () for s in SHEETS}
    out[PROJECTS.name] = [
        (code, name, _text(level), industry, _text(stage), o, r, lead_text.get(lead_id), leader,
         total, start, planned)
        for _id, code, name, level, industry, stage, o, r, lead_id, leader, total, start, planned
        in projects
    ]
    out[PLANS.name] = plan_rows(codes)
    m = MonthlyReport
    out[MONTHLY.name] = (tuple(r) for r in _streamed(
        select(p.code, m.year, m.month, m.amount, m.progress_text, m.next_steps)
        .join(p, p.id == m.project_id)
        .where(m.state.in_(COUNTED_STATES), m.amount.is_not(None))
        .order_by(p.code, m.year, m.month)
    ))
    i = Issue
    out[ISSUES.name] = (
        (number, codes.get(pid), _text(category), description, unit, person, _text(level), raised,
         deadline, _text(state), closed)
        for number, pid, category, description, unit, person, level, raised, deadline, state, closed
        in _streamed(
            select(i.number, i.project_id, i.category, i.description, Unit.name,
                   i.responsible_person, i.level, i.raised_on, i.deadline, i.state, i.closed_on)
            .outerjoin(Unit, Unit.id == i.responsible_unit_id)
            .order_by(i.raised_on, i.number)
        )
    )
    out[BONDS.name] = [tuple(r) for r in db.session.execute(
        select(p.code, Bond.year, Bond.amount, Bond.expected_on)
        .join(p, p.id == Bond.project_id).order_by(p.code, Bond.year)
    )]
    out[SPENDINGS.name] = (tuple(r) for r in _streamed(
        select(p.code, Bond.year, BondSpending.month, BondSpending.amount)
        .join(Bond, Bond.id == BondSpending.bond_id).join(p, p.id == Bond.project_id)
        .order_by(p.code, Bond.year, BondSpending.month)
    ))
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


def export_file(step: Callable[[int, str], None] | None = None) -> IO[bytes]:
    """The whole database as the park's workbook, in a (spooled) temporary file."""
    return build_file(export_rows() | wrplan.export_rows(), step=step)


def export_bytes() -> bytes:
    """The whole database as the park's workbook."""
    with export_file() as f:
        return f.read()
