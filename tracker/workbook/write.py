"""Writing a planned import in one transaction: bulk statements (executemany, never one ORM
object and flush per row), an ``ImportBatch``, audit entries for every updated field and the
follow-up log of imported issues, one commit.

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
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import date
from operator import itemgetter
from typing import Any

from sqlalchemy import Date, DateTime, bindparam, insert, select, update

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
    Bond,
    BondSpending,
    Level,
    MonthlyReport,
    Project,
    ReportState,
    Stage,
)
from tracker.timeutil import utcnow
from tracker.workbook import nodes, parse, wrplan
from tracker.workbook.models import ImportBatch
from tracker.workbook.parse import (
    BONDS,
    ISSUES,
    MILESTONES,
    MONTHLY,
    PLANS,
    PROJECTS,
    SPENDINGS,
)
from tracker.workbook.plan import IMPORT_NOTE, ImportPlan, Row, SheetPlan, gc_paused
from tracker.workbook.wrsheets import WORK_REPORT_SHEETS

# --- applying ---------------------------------------------------------------------------


def _driver_insert(table: Any, rows: list[dict]) -> bool:
    """SQLite: the rows straight to the driver's executemany, each column's bind processor
    applied here, Python-side defaults filled in. SQLAlchemy's per-row parameter handling was
    half the import's writing time. False (nothing done) where this does not apply."""
    conn = db.session.connection()
    if conn.dialect.name != "sqlite":
        return False  # PostgreSQL: SQLAlchemy batches the rows into multi-row INSERTs
    keys = list(rows[0])
    first = rows[0].keys()
    if any(r.keys() != first for r in rows):
        return False
    extra: list[tuple[str, Any]] = []
    for column in table.columns:
        default = column.default
        if column.key in first or default is None:
            continue
        if default.is_scalar:
            extra.append((column.key, default.arg))
        elif default.is_callable:
            try:
                extra.append((column.key, default.arg(None)))  # e.g. utcnow: one stamp per batch
            except Exception:  # a default that reads the statement's context
                return False
        else:
            return False
    names = keys + [k for k, _ in extra]
    processors = []
    for i, k in enumerate(names):
        process = table.c[k].type._cached_bind_processor(conn.dialect)
        if process is not None:
            dated = isinstance(table.c[k].type, (Date, DateTime))
            processors.append((i, _remembered(process) if dated else process))
    tail = tuple(v for _, v in extra)
    pick = itemgetter(*keys)  # a row's values in C, not a generator per row
    params = [pick(r) + tail for r in rows] if len(keys) > 1 else [(r[keys[0]], *tail) for r in rows]
    if processors:  # column by column: map() calls each processor without a loop per row
        columns = list(zip(*params, strict=True))
        for i, process in processors:
            columns[i] = tuple(map(process, columns[i]))
        params = list(zip(*columns, strict=True))
    quote = conn.dialect.identifier_preparer.quote
    sql = (f"INSERT INTO {quote(table.name)} ({', '.join(quote(table.c[k].name) for k in names)}) "
           f"VALUES ({', '.join('?' * len(names))})")
    conn.exec_driver_sql(sql, params)
    return True


def _remembered(process: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """A date column's processor that formats each distinct value once (the batch's one
    timestamp repeats on every row)."""
    done: dict = {}

    def remembered(value: Any) -> Any:
        if value not in done:
            done[value] = process(value)
        return done[value]

    return remembered


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
        if rows and not _driver_insert(model.__table__, rows):
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
        nodes.write_plans(self, self.sheet(PLANS), codes)
        self.per_project(self.sheet(MONTHLY), MonthlyReport, "monthly_reports", codes,
                         lambda v: {"amount": v["amount"], "progress_text": v["progress_text"],
                                    "next_steps": v["next_steps"], "state": ReportState.APPROVED,
                                    "updated_by_id": self.user_id, "updated_at": self.now},
                         month=True, versioned=True)
        self.per_project(self.sheet(BONDS), Bond, "bonds", codes,
                         lambda v: {"amount": v["amount"], "expected_on": v["expected_on"]})
        self.spendings(self.sheet(SPENDINGS), codes)
        self.issues(self.sheet(ISSUES), codes)
        nodes.write_milestones(self, self.sheet(MILESTONES), codes, plan.stage_moves)
        for sheet in WORK_REPORT_SHEETS:
            self.sheet(sheet)
        wrplan.write_sheets(plan.sheets, self.user_id, self.batch_id)
        self.step("")
        if self.audit:
            self.insert(AuditEntry, self.audit)

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
        with gc_paused():
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
