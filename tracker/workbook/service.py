"""Importing the park's workbook: plan what would change, then write it all in one transaction.

``plan_import`` reads and validates the file against the database and returns an
``ImportPlan`` (errors, or what is new, changed and unchanged per sheet; units and users to
create). ``apply_import`` writes a valid plan in bulk (executemany, never one ORM object and
flush per row), records an ``ImportBatch``, audit entries for every updated field and the
follow-up log of imported issues, and commits once. Nothing is written while a plan has errors.

Decisions where DESIGN.md is silent:

- Audit entries of updated fields name the model attribute (``amount``, ``state``…); unit and
  lead fields are recorded as ``owner_unit`` / ``responsible_unit`` / ``lead`` with names, not ids.
  Created rows get no per-field entry (they point at their batch); the batch itself gets one
  ``import`` entry, and each created user a ``create`` entry.
- A changed monthly row or spending gets ``updated_by`` = the importer; its ``import_batch_id``
  stays that of the batch that created it (the audit entries carry the updating batch).
- An issue whose 状态 changes gets a follow-up log entry (状态变更) dated its 办结日期 when it is
  closed, the import's day otherwise. A new issue's log: 交办 on 提出日期, then, unless it is
  待办理, a move to its state (on 办结日期 for 已办结, on 提出日期 otherwise).
- A month is locked when a published brief of that year covers it (month ≥ m) and no open
  unlock (``relocked_at`` empty) exists for that month and the project (or all projects). New or
  changed monthly figures and bond spendings of a locked month refuse the file, one line per row.
- 项目负责人 created with create-users get the unit named in the first 项目 row naming them.
"""

from __future__ import annotations

import gc
import hashlib
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import bindparam, insert, select, update

from tracker.audit.models import AuditEntry
from tracker.audit.service import as_text
from tracker.auth.models import Role, Unit, User
from tracker.extensions import db
from tracker.issues.models import (
    Category,
    EventKind,
    Issue,
    IssueEvent,
    IssueState,
    SupervisionLevel,
)
from tracker.projects.models import (
    AnnualPlan,
    Bond,
    BondSpending,
    Level,
    MonthlyReport,
    Project,
    ReportState,
    Stage,
)
from tracker.reports import locks
from tracker.reports.models import PeriodUnlock
from tracker.timeutil import utcnow
from tracker.workbook import parse
from tracker.workbook.models import ImportBatch
from tracker.workbook.parse import (
    BONDS,
    ISSUES,
    MONTHLY,
    PLANS,
    PROJECTS,
    SHEETS,
    SPENDINGS,
    ParsedBook,
    Record,
    error,
)

PREVIEW_ROWS = 10
IMPORT_NOTE = "工作簿导入"


@dataclass
class Row:
    """A row that will be written: what it is called, and (for an update) what changes."""

    row: int
    label: str
    values: dict[str, Any]
    existing_id: int | None = None
    project_id: int | None = None
    changes: list[tuple[str, str, Any, Any]] = field(default_factory=list)  # (field, header, old, new)
    old_state: Any = None


@dataclass
class SheetPlan:
    """What one sheet would do."""

    sheet: str
    present: bool = False
    new: list[Row] = field(default_factory=list)
    changed: list[Row] = field(default_factory=list)
    unchanged: int = 0

    def counts(self) -> dict[str, int]:
        return {"new": len(self.new), "changed": len(self.changed), "unchanged": self.unchanged}


@dataclass
class ImportPlan:
    """Everything an import would do, or why it cannot."""

    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    sheets: dict[str, SheetPlan] = field(default_factory=dict)
    new_units: list[str] = field(default_factory=list)
    new_users: list[tuple[str, str | None]] = field(default_factory=list)  # (login, unit name)

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
            stored = _stored(AnnualPlan, code_ids, self.project_codes, ("year",), ("amount",))
            plan.sheets[PLANS.name] = self.keyed_sheet(
                PLANS, records[PLANS.name], stored, ("amount",),
                lambda v: f"{v['code']} {self.project_name(v['code'])} {v['year']}年",
            )
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
        plan.sheets = {s.name: plan.sheets[s.name] for s in SHEETS if s.name in plan.sheets}
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
        sheets = parse.read_sheets(data, file_limit())
    except parse.WorkbookError as exc:
        return ParsedBook(errors=[str(exc)])
    return parse.parse_book(sheets)


@contextmanager
def _gc_paused() -> Iterator[None]:
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
    with _gc_paused():
        return plan_book(read_book(data), create_users=create_users)


def plan_book(book: ParsedBook, *, create_users: bool = False) -> ImportPlan:
    """``plan_import`` for a file already read (the staged import reports both steps)."""
    with _gc_paused():
        if book.errors and not book.records:
            return ImportPlan(errors=parse.sort_errors(book.errors), warnings=book.warnings)
        return _Planner(book, create_users).run()


def data_rows(book: ParsedBook) -> int:
    """Data rows read from every sheet (refused ones too): an import's size."""
    return book.rows


# --- applying ---------------------------------------------------------------------------


class _Writer:
    """Writes a plan in bulk inside the session's transaction."""

    def __init__(self, plan: ImportPlan, user_id: int | None, batch_id: int,
                 step: Callable[[str], None] | None, today: date) -> None:
        self.plan = plan
        self.today = today
        self.step = step or (lambda _sheet: None)
        self.user_id = user_id
        self.batch_id = batch_id
        self.now = utcnow()
        self.audit: list[dict] = []
        self.units = dict(db.session.execute(select(Unit.name, Unit.id)).all())

    def note(self, table: str, row: Row, project_id: int | None, action: str = "update") -> None:
        for f, _header, old, new in row.changes:
            self.audit.append({
                "at": self.now, "user_id": self.user_id, "action": action, "table_name": table,
                "record_id": row.existing_id, "record_label": row.label[:200],
                "project_id": project_id, "field": f, "old": as_text(old), "new": as_text(new),
                "note": IMPORT_NOTE, "import_batch_id": self.batch_id,
            })

    def unit_id(self, name: str | None) -> int | None:
        return self.units[name] if name else None

    def insert(self, model: Any, rows: list[dict]) -> None:
        """One executemany INSERT."""
        if rows:
            db.session.execute(insert(model.__table__), rows)

    def update(self, model: Any, rows: list[dict], versioned: bool = False) -> None:
        if not rows:
            return
        table = model.__table__
        values = {k: bindparam(f"b_{k}") for k in rows[0] if k != "id"}
        if versioned:
            values["version"] = table.c.version + 1
        stmt = update(table).where(table.c.id == bindparam("b_id")).values(values)
        db.session.execute(stmt, [{f"b_{k}": v for k, v in r.items()} for r in rows])

    def run(self) -> None:
        plan = self.plan
        if plan.new_units:
            self.insert(Unit, [{"name": n, "active": True, "created_at": self.now} for n in plan.new_units])
            self.units = dict(db.session.execute(select(Unit.name, Unit.id)).all())
        users: dict[str, int] = {}
        if plan.new_users:
            logins = [login for login, _ in plan.new_users]
            self.insert(User, [
                {"login": login, "name": login, "password_hash": None, "role": Role.MEMBER,
                 "unit_id": self.unit_id(unit), "active": True, "must_change_password": False,
                 "created_at": self.now}
                for login, unit in plan.new_users
            ])
            users = dict(db.session.execute(
                select(User.login, User.id).where(User.login.in_(logins))
            ).all())
            for login, uid in users.items():
                self.audit.append({
                    "at": self.now, "user_id": self.user_id, "action": "create", "table_name": "users",
                    "record_id": uid, "record_label": login, "project_id": None, "field": "",
                    "old": None, "new": None, "note": "工作簿导入创建的项目负责人（未设密码）",
                    "import_batch_id": self.batch_id,
                })
        codes = self.projects(self.sheet(PROJECTS), users)
        self.per_project(self.sheet(PLANS), AnnualPlan, "annual_plans", codes,
                         lambda v: {"amount": v["amount"]})
        self.per_project(self.sheet(MONTHLY), MonthlyReport, "monthly_reports", codes,
                         lambda v: {"amount": v["amount"], "progress_text": v["progress_text"],
                                    "next_steps": v["next_steps"], "state": ReportState.APPROVED,
                                    "updated_by_id": self.user_id, "updated_at": self.now},
                         month=True, versioned=True)
        self.per_project(self.sheet(BONDS), Bond, "bonds", codes,
                         lambda v: {"amount": v["amount"], "expected_on": v["expected_on"]})
        self.spendings(self.sheet(SPENDINGS), codes)
        self.issues(self.sheet(ISSUES), codes)
        self.step("")
        if self.audit:
            db.session.execute(insert(AuditEntry.__table__), self.audit)

    def sheet(self, sheet: parse.Sheet) -> SheetPlan | None:
        """The plan of ``sheet``, announcing that its rows are being written."""
        plan = self.plan.sheets.get(sheet.name)
        if plan is not None:
            self.step(sheet.name)
        return plan

    def projects(self, sheet: SheetPlan | None, users: dict[str, int]) -> dict[str, int]:
        def columns(v: dict) -> dict:
            lead = v["lead"]
            return {
                "name": v["name"], "level": Level(v["level"]), "industry": v["industry"],
                "stage": Stage(v["stage"]), "owner_unit_id": self.unit_id(v["owner_unit"]),
                "responsible_unit_id": self.unit_id(v["responsible_unit"]),
                "lead_id": (lead[1] if lead[0] == "id" else users[lead[1]]) if lead else None,
                "leader_in_charge": v["leader_in_charge"], "total_investment": v["total_investment"],
                "start_year": v["start_year"], "planned_completion_year": v["planned_completion_year"],
            }

        if sheet is not None:
            self.insert(Project, [
                {"code": r.values["code"], **columns(r.values), "version": 1, "created_at": self.now,
                 "import_batch_id": self.batch_id}
                for r in sheet.new
            ])
            self.update(Project, [{"id": r.existing_id, **columns(r.values)} for r in sheet.changed],
                        versioned=True)
            for r in sheet.changed:
                self.note("projects", r, r.existing_id)
        return dict(db.session.execute(select(Project.code, Project.id)).all())

    def per_project(self, sheet: SheetPlan | None, model: Any, table: str, codes: dict[str, int],
                    columns: Any, month: bool = False, versioned: bool = False) -> None:
        if sheet is None:
            return
        extra = {"version": 1} if versioned else {}
        self.insert(model, [
            {"project_id": codes[r.values["code"]], "year": r.values["year"],
             **({"month": r.values["month"]} if month else {}), **columns(r.values), **extra,
             "import_batch_id": self.batch_id}
            for r in sheet.new
        ])
        self.update(model, [{"id": r.existing_id, **columns(r.values)} for r in sheet.changed],
                    versioned=versioned)
        for r in sheet.changed:
            self.note(table, r, codes[r.values["code"]])

    def spendings(self, sheet: SheetPlan | None, codes: dict[str, int]) -> None:
        if sheet is None:
            return
        bonds = {
            (pid, year): bid
            for bid, pid, year in db.session.execute(select(Bond.id, Bond.project_id, Bond.year))
        }
        self.insert(BondSpending, [
            {"bond_id": bonds[(codes[r.values["code"]], r.values["year"])], "month": r.values["month"],
             "amount": r.values["amount"], "version": 1, "updated_by_id": self.user_id,
             "updated_at": self.now, "import_batch_id": self.batch_id}
            for r in sheet.new
        ])
        self.update(BondSpending, [
            {"id": r.existing_id, "amount": r.values["amount"], "updated_by_id": self.user_id,
             "updated_at": self.now}
            for r in sheet.changed
        ], versioned=True)
        for r in sheet.changed:
            self.note("bond_spendings", r, codes[r.values["code"]])

    def issues(self, sheet: SheetPlan | None, codes: dict[str, int]) -> None:
        if sheet is None:
            return

        def columns(v: dict) -> dict:
            return {
                "project_id": codes[v["code"]] if v["code"] else None,
                "category": Category(v["category"]), "description": v["description"],
                "responsible_unit_id": self.unit_id(v["responsible_unit"]),
                "responsible_person": v["responsible_person"],
                "level": SupervisionLevel(v["level"]), "raised_on": v["raised_on"],
                "deadline": v["deadline"], "state": IssueState(v["state"]),
                "closed_on": v["closed_on"],
            }

        self.insert(Issue, [
            {"number": r.values["number"], "title": "", **columns(r.values), "version": 1,
             "created_by_id": self.user_id, "created_at": self.now,
             "import_batch_id": self.batch_id}
            for r in sheet.new
        ])
        # RETURNING in parameter order would make SQLite insert row by row: look the ids up.
        ids_by_number = dict(db.session.execute(
            select(Issue.number, Issue.id).where(Issue.import_batch_id == self.batch_id)
        ).all()) if sheet.new else {}
        events = []
        for r in sheet.new:
            issue_id = ids_by_number[r.values["number"]]
            v = r.values
            events.append(self.event(issue_id, EventKind.RAISED, None, IssueState.OPEN, v["raised_on"]))
            state = IssueState(v["state"])
            if state is not IssueState.OPEN:
                kind = EventKind.CANCEL if state is IssueState.CANCELLED else EventKind.MOVE
                on = v["closed_on"] if state is IssueState.CLOSED else v["raised_on"]
                events.append(self.event(issue_id, kind, IssueState.OPEN, state, on))
        self.update(Issue, [{"id": r.existing_id, **columns(r.values)} for r in sheet.changed],
                    versioned=True)
        today = self.today
        for r in sheet.changed:
            self.note("issues", r, codes[r.values["code"]] if r.values["code"] else None)
            old, new = IssueState(r.old_state), IssueState(r.values["state"])
            if old is not new:
                kind = (EventKind.CANCEL if new is IssueState.CANCELLED
                        else EventKind.RESTORE if old is IssueState.CANCELLED else EventKind.MOVE)
                on = r.values["closed_on"] if new is IssueState.CLOSED else today
                events.append(self.event(r.existing_id, kind, old, new, on))
        self.insert(IssueEvent, events)

    def event(self, issue_id: int, kind: EventKind, before: IssueState | None,
              after: IssueState, on: date) -> dict:
        return {"issue_id": issue_id, "kind": kind, "from_state": before, "to_state": after,
                "comment": IMPORT_NOTE, "effective_on": on, "new_deadline": None,
                "user_id": self.user_id, "created_at": self.now}


def apply_import(
    plan: ImportPlan, data: bytes, filename: str, user_id: int | None,
    step: Callable[[str], None] | None = None, *, today: date,
) -> ImportBatch:
    """Write a valid plan in one transaction and keep the file as an import batch.

    ``step(sheet_name)`` is called before each sheet's rows are written and ``step("")``
    before the audit entries and the commit: inside the transaction, so it must not use
    the session.
    """
    if not plan.ok:
        raise ValueError("导入计划有错误，不能写入")
    try:
        batch = ImportBatch(
            user_id=user_id, filename=filename[:255], sha256=hashlib.sha256(data).hexdigest(),
            content=data, summary=plan.summary(),
        )
        db.session.add(batch)
        db.session.flush()
        with _gc_paused():
            _Writer(plan, user_id, batch.id, step, today).run()
        db.session.execute(insert(AuditEntry.__table__), [{
            "at": utcnow(), "user_id": user_id, "action": "import", "table_name": "import_batches",
            "record_id": batch.id, "record_label": filename[:200], "project_id": None, "field": "",
            "old": None, "new": None, "note": "；".join(plan.summary_lines())[:2000],
            "import_batch_id": batch.id,
        }])
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return batch
