"""Planning an import of the park's workbook: what would change, decided before anything is written.

``plan_import`` reads and validates the file against the database and returns an
``ImportPlan`` (errors, or what is new, changed and unchanged per sheet; units and users to
create). ``tracker.workbook.write.apply_import`` writes a valid plan. Nothing is written while
a plan has errors.

Decisions where DESIGN.md is silent:

- A month is locked when a published brief of that year covers it (month ≥ m) and no open
  unlock (``relocked_at`` empty) exists for that month and the project (or all projects). New or
  changed monthly figures and bond spendings of a locked month refuse the file, one line per row.
- 项目负责人 created with create-users get the unit named in the first 项目 row naming them.
"""

from __future__ import annotations

import gc
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from tracker.audit.service import as_text
from tracker.auth.models import Unit, User
from tracker.extensions import db
from tracker.issues.models import (
    Issue,
)
from tracker.projects.models import (
    Bond,
    BondSpending,
    MonthlyReport,
    Project,
    ReportState,
)
from tracker.reports import locks
from tracker.reports.models import PeriodUnlock
from tracker.workbook import nodes, parse, wrplan
from tracker.workbook.parse import (
    BONDS,
    ISSUES,
    MILESTONES,
    MONTHLY,
    PLANS,
    PROJECTS,
    SHEETS,
    SPENDINGS,
    ParsedBook,
    Record,
    error,
)
from tracker.workbook.rows import IMPORT_NOTE, PREVIEW_ROWS, Row, SheetPlan, StageMove
from tracker.workbook.wrsheets import WORK_REPORT_SHEET_NAMES, WORK_REPORT_SHEETS

__all__ = ["IMPORT_NOTE", "PREVIEW_ROWS", "ImportPlan", "Row", "SheetPlan", "plan_import"]



@dataclass
class ImportPlan:
    """Everything an import would do, or why it cannot."""

    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    sheets: dict[str, SheetPlan] = field(default_factory=dict)
    new_units: list[str] = field(default_factory=list)
    new_users: list[tuple[str, str | None]] = field(default_factory=list)  # (login, unit name)
    stage_moves: list[StageMove] = field(default_factory=list)  # 节点计划's actual dates

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def changes_anything(self) -> bool:
        return bool(self.new_units or self.new_users) or any(
            p.new or p.changed for p in self.sheets.values()
        )

    @property
    def rows(self) -> int:
        """Data rows of the file across all sheets (new, changed and unchanged)."""
        return sum(len(p.new) + len(p.changed) + p.unchanged for p in self.sheets.values())

    def summary(self) -> dict[str, Any]:
        """Counts per sheet and what gets created: kept with the batch, shown by the CLI."""
        return {
            "sheets": {name: p.counts() for name, p in self.sheets.items() if p.present},
            "new_units": list(self.new_units),
            "new_users": [login for login, _ in self.new_users],
            "warnings": list(self.warnings),
        }

    def summary_lines(self) -> list[str]:
        """The summary as short Chinese lines (CLI and flash)."""
        lines = []
        for name, p in self.sheets.items():
            if p.present:
                lines.append(f"{name}：新增 {len(p.new)}，修改 {len(p.changed)}，未变 {p.unchanged}")
        if self.new_units:
            lines.append(f"新建单位 {len(self.new_units)} 个：" + "、".join(self.new_units))
        if self.new_users:
            lines.append(f"新建用户 {len(self.new_users)} 个（项目负责人，未设密码，须管理员设置后才能登录）：")
            lines.extend(f"  {login}（{unit or '无单位'}）" for login, unit in self.new_users)
        if self.stage_moves:
            lines.append("建设阶段随节点推进：" + "、".join(
                f"{m.code} {m.old}→{m.new}" for m in self.stage_moves))
        return lines


def file_limit() -> int | None:
    from flask import current_app

    return current_app.config.get("MAX_CONTENT_LENGTH")


# --- planning ---------------------------------------------------------------------------


class _Planner:
    """Loads what the database holds for the workbook's keys and compares row by row."""

    def __init__(self, book: ParsedBook, create_users: bool) -> None:
        self.book = book
        self.create_users = create_users
        self.plan = ImportPlan(warnings=list(book.warnings))
        self.errors = book.errors  # appended to in place
        self.units = dict(db.session.execute(select(Unit.name, Unit.id)).all())
        self.unit_names = {v: k for k, v in self.units.items()}
        self.new_unit_names: dict[str, None] = {}
        self.projects = {
            r.code: r
            for r in db.session.execute(
                select(
                    Project.id, Project.code, Project.name, Project.level, Project.industry,
                    Project.stage, Project.owner_unit_id, Project.responsible_unit_id,
                    Project.lead_id, Project.leader_in_charge, Project.total_investment,
                    Project.start_year, Project.planned_completion_year,
                )
            )
        }
        self.project_codes = {r.id: code for code, r in self.projects.items()}
        self.file_names = {
            r.values["code"]: r.values["name"] for r in book.records.get(PROJECTS.name, [])
        }

    # helpers
    def unit(self, name: str | None) -> str | None:
        """A unit by name; one that does not exist yet is to be created."""
        if name and name not in self.units:
            self.new_unit_names.setdefault(name)
        return name or None

    def project_name(self, code: str | None) -> str:
        if not code:
            return ""
        if code in self.file_names:
            return self.file_names[code]
        stored = self.projects.get(code)
        return stored.name if stored else ""

    def project_id(self, code: str | None) -> int | None:
        stored = self.projects.get(code) if code else None
        return stored.id if stored else None

    @staticmethod
    def diff(sheet: parse.Sheet, values: dict, stored: dict) -> list[tuple[str, str, Any, Any]]:
        changes = []
        for f, old in stored.items():
            new = values[f]
            # Decimal, str/StrEnum, date and int compare by value: 1470.37 == 1470.370.
            if old == new or (old in (None, "") and new in (None, "")):
                continue
            if as_text(old) != as_text(new):
                header = sheet.column(f).header if f in {c.field for c in sheet.columns} else f
                changes.append((f, header, old, new))
        return changes

    # sheets
    def projects_sheet(self, records: list[Record]) -> SheetPlan:
        plan = SheetPlan(PROJECTS.name, present=True)
        users = db.session.execute(select(User.id, User.login, User.name)).all()
        by_login = {u.login: u for u in users}
        by_name: dict[str, list] = defaultdict(list)
        for u in users:
            by_name[u.name].append(u)
        user_names = {u.id: u.name for u in users}
        new_users: dict[str, str | None] = {}
        for record in records:
            v = dict(record.values)
            code = v.pop("code")
            v["owner_unit"] = self.unit(v["owner_unit"])
            v["responsible_unit"] = self.unit(v["responsible_unit"])
            lead_text = v.pop("lead")
            lead: tuple[str, Any] | None = None  # ("id", 5) or ("new", login)
            if lead_text:
                if lead_text in by_login:
                    lead = ("id", by_login[lead_text].id)
                elif len(by_name.get(lead_text, [])) == 1:
                    lead = ("id", by_name[lead_text][0].id)
                elif len(by_name.get(lead_text, [])) > 1:
                    logins = "、".join(sorted(u.login for u in by_name[lead_text]))
                    self.errors.append(error(PROJECTS.name, record.row, "项目负责人",
                                             f"“{lead_text}”有多个同名用户（账号 {logins}），请改填账号"))
                    continue
                elif self.create_users:
                    new_users.setdefault(lead_text, v["responsible_unit"])
                    lead = ("new", lead_text)
                else:
                    self.errors.append(error(PROJECTS.name, record.row, "项目负责人",
                                             f"系统中没有账号或姓名为“{lead_text}”的用户（可选择创建缺少的用户后重新导入）"))
                    continue
            v["lead"] = lead
            stored = self.projects.get(code)
            label = f"{code} {v['name']}"
            if stored is None:
                plan.new.append(Row(record.row, label, {"code": code, **v}))
                continue
            old = {
                "name": stored.name, "level": stored.level, "industry": stored.industry,
                "stage": stored.stage, "owner_unit": self.unit_names.get(stored.owner_unit_id),
                "responsible_unit": self.unit_names.get(stored.responsible_unit_id),
                "lead": ("id", stored.lead_id) if stored.lead_id else None,
                "leader_in_charge": stored.leader_in_charge,
                "total_investment": stored.total_investment, "start_year": stored.start_year,
                "planned_completion_year": stored.planned_completion_year,
            }
            changes = []
            for f, header, before, after in self.diff(PROJECTS, v, old):
                if f == "lead":
                    before = user_names.get(before[1]) if before else None
                    after = (user_names.get(after[1]) if after[0] == "id" else after[1]) if after else None
                    header = "项目负责人"
                changes.append((f, header, before, after))
            if changes:
                plan.changed.append(Row(record.row, label, {"code": code, **v}, stored.id, stored.id, changes))
            else:
                plan.unchanged += 1
        self.plan.new_users = list(new_users.items())
        return plan

    def keyed_sheet(
        self,
        sheet: parse.Sheet,
        records: list[Record],
        stored: dict[tuple, Any],
        fields: tuple[str, ...],
        label: Any,
    ) -> SheetPlan:
        """Plans, monthly rows, bonds, spendings: matched by (code, year[, month])."""
        plan = SheetPlan(sheet.name, present=True)
        for record in records:
            v = record.values
            key = tuple(v[k] for k in sheet.key)
            values = {f: v[f] for f in fields}
            existing = stored.get(key)
            pid = self.project_id(v["code"])
            if existing is None:
                # New rows are named only in the preview's first lines (no audit entry).
                row_label = label(v) if len(plan.new) < PREVIEW_ROWS else ""
                plan.new.append(Row(record.row, row_label, v, None, pid))
                continue
            row_label = label(v)
            changes = self.diff(sheet, values, {f: getattr(existing, f) for f in fields})
            old_state = getattr(existing, "state", None)
            if changes and old_state is not None and old_state != ReportState.APPROVED:
                # A changed monthly row becomes 已审核; an equal one keeps its state.
                changes.append(("state", "状态", old_state, ReportState.APPROVED))
            if changes:
                plan.changed.append(Row(record.row, row_label, v, existing.id, pid, changes, old_state))
            else:
                plan.unchanged += 1
        return plan

    def issues_sheet(self, records: list[Record]) -> SheetPlan:
        plan = SheetPlan(ISSUES.name, present=True)
        # Every stored issue in one query: cheaper than IN lists of thousands of numbers.
        stored = {
            r.number: r
            for r in db.session.execute(
                select(
                    Issue.id, Issue.number, Issue.project_id, Issue.category, Issue.description,
                    Issue.responsible_unit_id, Issue.responsible_person, Issue.level,
                    Issue.raised_on, Issue.deadline, Issue.state, Issue.closed_on,
                )
            )
        }
        fields = ("code", "category", "description", "responsible_unit", "responsible_person",
                  "level", "raised_on", "deadline", "state", "closed_on")
        for record in records:
            v = dict(record.values)
            v["responsible_unit"] = self.unit(v["responsible_unit"])
            label = v["number"]
            existing = stored.get(v["number"])
            pid = self.project_id(v["code"])
            if existing is None:
                plan.new.append(Row(record.row, label, v, None, pid))
                continue
            old = {
                "code": self.project_codes.get(existing.project_id),
                "category": existing.category, "description": existing.description,
                "responsible_unit": self.unit_names.get(existing.responsible_unit_id),
                "responsible_person": existing.responsible_person, "level": existing.level,
                "raised_on": existing.raised_on, "deadline": existing.deadline,
                "state": existing.state, "closed_on": existing.closed_on,
            }
            changes = self.diff(ISSUES, {f: v[f] for f in fields}, old)
            if changes:
                plan.changed.append(Row(record.row, label, v, existing.id, pid, changes, existing.state))
            else:
                plan.unchanged += 1
        return plan

    def locks(self, plans: Iterable[tuple[SheetPlan, str]]) -> None:
        """New or changed figures of a month locked by a published brief refuse the file."""
        published = locks.published_through()
        if not published:
            return
        unlocked = {
            (u.year, u.month, u.project_id)
            for u in db.session.execute(
                select(PeriodUnlock.year, PeriodUnlock.month, PeriodUnlock.project_id).where(
                    PeriodUnlock.relocked_at.is_(None)
                )
            )
        }
        for sheet_plan, amount_header in plans:
            for row in [*sheet_plan.new, *sheet_plan.changed]:
                y, m = row.values["year"], row.values["month"]
                if m > published.get(y, 0):
                    continue
                if (y, m, None) in unlocked or (row.project_id is not None and (y, m, row.project_id) in unlocked):
                    continue
                column = row.changes[0][1] if row.changes else amount_header
                self.errors.append(error(sheet_plan.sheet, row.row, column,
                                         f"{y}年{m}月已发布简报，数据已锁定，须督查室解锁后才能修改"))

    def run(self) -> ImportPlan:
        records = self.book.records
        parse.check_codes(self.book, self.projects.keys())
        plan = self.plan
        code_ids = [r.id for r in self.projects.values()]
        if PROJECTS.name in records:
            plan.sheets[PROJECTS.name] = self.projects_sheet(records[PROJECTS.name])
        if PLANS.name in records:
            plan.sheets[PLANS.name] = nodes.plan_plans(self, records[PLANS.name])
        if MONTHLY.name in records:
            stored = _stored(MonthlyReport, code_ids, self.project_codes, ("year", "month"),
                             ("amount", "progress_text", "next_steps", "state"))
            plan.sheets[MONTHLY.name] = self.keyed_sheet(
                MONTHLY, records[MONTHLY.name], stored, ("amount", "progress_text", "next_steps"),
                lambda v: f"{v['code']} {self.project_name(v['code'])} {v['year']}年{v['month']}月",
            )
        bonds_stored = _stored(Bond, code_ids, self.project_codes, ("year",), ("amount", "expected_on"))
        if BONDS.name in records:
            plan.sheets[BONDS.name] = self.keyed_sheet(
                BONDS, records[BONDS.name], bonds_stored, ("amount", "expected_on"),
                lambda v: f"{v['code']} {self.project_name(v['code'])} {v['year']}年专项债",
            )
        if SPENDINGS.name in records:
            bond_keys = set(bonds_stored) | {
                (r.values["code"], r.values["year"]) for r in records.get(BONDS.name, [])
            }
            kept = []
            for r in records[SPENDINGS.name]:
                if (r.values["code"], r.values["year"]) in bond_keys:
                    kept.append(r)
                else:
                    self.errors.append(error(SPENDINGS.name, r.row, "年度",
                                             f"项目“{r.values['code']}”没有{r.values['year']}年的专项债（专项债表和系统中均没有）"))
            stored = _stored_spendings(code_ids, self.project_codes)
            plan.sheets[SPENDINGS.name] = self.keyed_sheet(
                SPENDINGS, kept, stored, ("amount",),
                lambda v: f"{v['code']} {self.project_name(v['code'])} {v['year']}年{v['month']}月支出",
            )
        if ISSUES.name in records:
            plan.sheets[ISSUES.name] = self.issues_sheet(records[ISSUES.name])
        if MILESTONES.name in records:
            plan.sheets[MILESTONES.name], plan.stage_moves = nodes.plan_milestones(
                self, records[MILESTONES.name])
        plan.sheets.update(wrplan.plan_sheets(self.book, self.errors))
        self.locks(
            (plan.sheets[s.name], s.columns[3].header)
            for s in (MONTHLY, SPENDINGS)
            if s.name in plan.sheets
        )
        # Units named only by rows that were refused do not matter: the file is refused anyway.
        plan.new_units = list(self.new_unit_names)
        missing = [s.name for s in SHEETS if s.name not in self.book.header_rows]
        if missing and not self.errors:
            plan.warnings.append("工作簿中没有以下工作表，这些数据不做修改：" + "、".join(missing))
        plan.errors = parse.sort_errors(self.errors)
        # Order sheets as DESIGN.md lists them.
        plan.sheets = {s.name: plan.sheets[s.name] for s in (*SHEETS, *WORK_REPORT_SHEETS)
                       if s.name in plan.sheets}
        return plan


def _stored(model: Any, project_ids: list[int], codes: dict[int, str], key: tuple[str, ...],
            fields: tuple[str, ...]) -> dict[tuple, Any]:
    """(code, *key) → stored row (id and ``fields``) of a per-project table."""
    if not project_ids:
        return {}
    columns = [model.id, model.project_id, *(getattr(model, k) for k in key),
               *(getattr(model, f) for f in fields)]
    out = {}
    for r in db.session.execute(select(*columns)):
        out[(codes[r.project_id], *(getattr(r, k) for k in key))] = r
    return out


def _stored_spendings(project_ids: list[int], codes: dict[int, str]) -> dict[tuple, Any]:
    if not project_ids:
        return {}
    rows = db.session.execute(
        select(BondSpending.id, BondSpending.month, BondSpending.amount, Bond.project_id, Bond.year)
        .join(Bond, Bond.id == BondSpending.bond_id)
    )
    return {(codes[r.project_id], r.year, r.month): r for r in rows}


def read_book(data: bytes) -> ParsedBook:
    """Parse a file's bytes; a file that cannot be read at all is one error line."""
    try:
        sheets = parse.read_sheets(data, file_limit(), extra=WORK_REPORT_SHEET_NAMES)
    except parse.WorkbookError as exc:
        return ParsedBook(errors=[str(exc)])
    return parse.parse_book(sheets, extra=WORK_REPORT_SHEETS)


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while tens of thousands of rows are built.

    An import allocates a few hundred thousand small objects that live until it ends; the
    collector would walk them again and again (about a quarter of the CPU time). Reference
    counting still frees everything; one collection runs when the import is done.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def plan_import(data: bytes, *, create_users: bool = False) -> ImportPlan:
    """What importing ``data`` would change, or every reason it cannot (nothing is written)."""
    with gc_paused():
        return plan_book(read_book(data), create_users=create_users)


def plan_book(book: ParsedBook, *, create_users: bool = False) -> ImportPlan:
    """``plan_import`` for a file already read (the staged import reports both steps)."""
    with gc_paused():
        if book.errors and not book.records:
            return ImportPlan(errors=parse.sort_errors(book.errors), warnings=book.warnings)
        return _Planner(book, create_users).run()


def data_rows(book: ParsedBook) -> int:
    """Data rows read from every sheet (refused ones too): an import's size."""
    return book.rows
