"""年度计划 with its optional 级别, and 节点计划 (DESIGN.md section 11): planned against the
database, then written in bulk inside the import's transaction.

Decisions where DESIGN.md is silent:

- 年度计划: a blank 级别 leaves the year's level as it is; every level set or changed by an
  import gets an audit entry (it changes that year's key group), new plans only point at their
  batch as the other sheets' new rows do.
- 节点计划 is matched by (项目编号, 节点名称): a template milestone by its current name (retired
  ones included), else the project's own milestone of that name, else a new own milestone.
  ``不适用`` marks the milestone so and leaves its planned date as it is; a date clears the mark.
  A template milestone row that records nothing changes nothing.
- Changing a planned date that was set (or clearing it) is a 延期 whose reason is the import
  (audit note ``延期：工作簿导入``); every created or changed milestone field is audited, since
  milestones keep no batch of their own.
- An actual date after the day of the import is refused, as in the app. A new actual date of
  开工建设 / 竣工验收 / 投产运营 moves the project's stage forward (never back) from the stage
  the 项目 sheet gives it, or the stored one.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select

from tracker.audit.service import as_text
from tracker.extensions import db
from tracker.http import park_today
from tracker.milestones.models import MilestoneTemplate, ProjectMilestone
from tracker.milestones.status import STAGES, stage_after
from tracker.projects.models import AnnualPlan, ListLevel, Project, ProjectYearLevel, Stage
from tracker.workbook.cells import NOT_APPLICABLE
from tracker.workbook.parse import MILESTONES, PLANS, PROJECTS, Record, error
from tracker.workbook.rows import IMPORT_NOTE, PREVIEW_ROWS, Row, SheetPlan, StageMove

AMOUNT = PLANS.column("amount").header
FIELDS = ("planned_on", "not_applicable", "actual_on", "note")
HEADERS = {"planned_on": "计划完成日期", "not_applicable": "不适用", "actual_on": "实际完成日期",
           "note": "备注"}
BLANK = {"planned_on": None, "not_applicable": False, "actual_on": None, "note": ""}


# --- planning -----------------------------------------------------------------------------


def plan_plans(planner: Any, records: list[Record]) -> SheetPlan:
    """年度计划: plans and levels matched by (项目编号, 年度)."""
    codes = planner.project_codes
    plans = {(codes[pid], y): (pk, amount) for pk, pid, y, amount in db.session.execute(
        select(AnnualPlan.id, AnnualPlan.project_id, AnnualPlan.year, AnnualPlan.amount))}
    levels = {(codes[pid], y): (pk, level) for pk, pid, y, level in db.session.execute(
        select(ProjectYearLevel.id, ProjectYearLevel.project_id, ProjectYearLevel.year,
               ProjectYearLevel.level))}
    sheet = SheetPlan(PLANS.name, present=True)
    for record in records:
        v = record.values
        key = (v["code"], v["year"])
        stored_plan, stored_level = plans.get(key), levels.get(key)
        amount, level = v["amount"], v.get("level") or None
        changes = []
        if amount is not None:
            if stored_plan is None:
                changes.append(("amount", AMOUNT, None, amount))
            elif as_text(stored_plan[1]) != as_text(amount):
                changes.append(("amount", AMOUNT, stored_plan[1], amount))
        if level is not None:
            if stored_level is None:
                changes.append(("level", "级别", None, level))
            elif stored_level[1].value != level:
                changes.append(("level", "级别", stored_level[1].value, level))
        if not changes:
            sheet.unchanged += 1
            continue
        values = {**v, "plan_id": stored_plan[0] if stored_plan else None,
                  "level_id": stored_level[0] if stored_level else None}
        label = f"{v['code']} {planner.project_name(v['code'])} {v['year']}年"
        pid = planner.project_id(v["code"])
        if stored_plan is None and stored_level is None:
            sheet.new.append(Row(record.row, label if len(sheet.new) < PREVIEW_ROWS else "",
                                 values, None, pid, changes))
        else:
            sheet.changed.append(Row(record.row, label, values, values["plan_id"], pid, changes))
    return sheet


def _stored_milestones(codes: dict[int, str]) -> tuple[dict, dict]:
    """Template milestones by name, and stored project milestones by (code, title)."""
    templates = {t.name: t for t in db.session.execute(
        select(MilestoneTemplate.id, MilestoneTemplate.name, MilestoneTemplate.key))}
    stored = {}
    for row in db.session.execute(
        select(ProjectMilestone.id, ProjectMilestone.project_id, ProjectMilestone.template_id,
               ProjectMilestone.name, MilestoneTemplate.name.label("template_name"),
               *(getattr(ProjectMilestone, f) for f in FIELDS))
        .outerjoin(MilestoneTemplate, MilestoneTemplate.id == ProjectMilestone.template_id)
    ):
        title = row.template_name if row.template_id is not None else row.name
        stored[(codes[row.project_id], title)] = row
    return templates, stored


def plan_milestones(planner: Any, records: list[Record],
                    today: date | None = None) -> tuple[SheetPlan, list[StageMove]]:
    """节点计划: what changes, and the stages that recorded actual dates move forward."""
    today = today or park_today()
    templates, stored = _stored_milestones(planner.project_codes)
    sheet = SheetPlan(MILESTONES.name, present=True)
    done: dict[str, list[tuple[str, str, date]]] = {}  # code → (key, title, actual date)
    for record in records:
        v = record.values
        if v["actual_on"] is not None and v["actual_on"] > today:
            planner.errors.append(error(MILESTONES.name, record.row, "实际完成日期", "不能晚于今天"))
            continue
        na = v["planned"] == NOT_APPLICABLE
        existing = stored.get((v["code"], v["name"]))
        old = {f: getattr(existing, f) for f in FIELDS} if existing else dict(BLANK)
        new = {"planned_on": old["planned_on"] if na else v["planned"], "not_applicable": na,
               "actual_on": v["actual_on"], "note": v["note"]}
        changes = [(f, HEADERS[f], old[f], new[f]) for f in FIELDS
                   if as_text(old[f]) != as_text(new[f])]
        template = templates.get(v["name"]) if existing is None else None
        own = existing.template_id is None if existing else template is None
        if existing is None and own:
            changes.insert(0, ("name", "节点名称", None, v["name"]))  # the project's own, new
        if not changes:
            sheet.unchanged += 1
            continue
        values = {**v, **new, "template_id": (existing.template_id if existing
                                               else template.id if template else None),
                  "rescheduled": existing is not None and old["planned_on"] is not None
                  and "planned_on" in {c[0] for c in changes}}
        label = f"{v['code']} {v['name']}"
        pid = planner.project_id(v["code"])
        if existing is None:
            sheet.new.append(Row(record.row, label, values, None, pid, changes))
        else:
            sheet.changed.append(Row(record.row, label, values, existing.id, pid, changes))
        key = None if own else templates[v["name"]].key
        if key is not None and new["actual_on"] is not None and not na and any(
                c[0] == "actual_on" for c in changes):
            done.setdefault(v["code"], []).append((key, v["name"], new["actual_on"]))
    return sheet, _stage_moves(planner, done)


def _stage_moves(planner: Any, done: dict[str, list[tuple[str, str, date]]]) -> list[StageMove]:
    in_file = {r.values["code"]: r.values["stage"]
               for r in planner.book.records.get(PROJECTS.name, [])}
    moves = []
    for code, items in done.items():
        start = in_file.get(code) or _stored_stage(planner, code)
        current, last = start, None
        for key, title, on in sorted(items, key=lambda i: STAGES.index(_target(i[0]))):
            after = stage_after(current, key)
            if after is not None:
                current, last = after, (title, on)
        if last is not None:
            moves.append(StageMove(code, start, current, *last))
    return moves


def _target(key: Any) -> str:
    return stage_after(STAGES[0], key) or STAGES[0]


def _stored_stage(planner: Any, code: str) -> str:
    stored = planner.projects.get(code)
    return stored.stage.value if stored else STAGES[0]


# --- writing --------------------------------------------------------------------------------


def _entry(writer: Any, table: str, record_id: int | None, label: str, project_id: int,
           change: tuple, action: str = "update", note: str = IMPORT_NOTE) -> dict:
    f, _header, old, new = change
    return {"at": writer.now, "user_id": writer.user_id, "action": action, "table_name": table,
            "record_id": record_id, "record_label": label[:200], "project_id": project_id,
            "field": f, "old": as_text(old), "new": as_text(new), "note": note,
            "import_batch_id": writer.batch_id}


def write_plans(writer: Any, sheet: SheetPlan | None, codes: dict[str, int]) -> None:
    """Plans and levels of 年度计划, in bulk; levels set or changed are audited."""
    if sheet is None:
        return
    new_plans, plan_updates, new_levels, level_updates = [], [], [], []
    audited = []
    for r in [*sheet.new, *sheet.changed]:
        v, pid = r.values, codes[r.values["code"]]
        for change in r.changes:
            if change[0] == "amount" and v["plan_id"] is None:
                new_plans.append({"project_id": pid, "year": v["year"], "amount": v["amount"],
                                  "import_batch_id": writer.batch_id})
            elif change[0] == "amount":
                plan_updates.append({"id": v["plan_id"], "amount": v["amount"]})
                writer.audit.append(_entry(writer, "annual_plans", v["plan_id"], r.label, pid,
                                           change))
            elif v["level_id"] is None:
                new_levels.append({"project_id": pid, "year": v["year"],
                                   "level": ListLevel(v["level"]), "version": 1,
                                   "import_batch_id": writer.batch_id})
                audited.append((pid, v["year"], r, change, "create"))
            else:
                level_updates.append({"id": v["level_id"], "level": ListLevel(v["level"])})
                audited.append((pid, v["year"], r, change, "update"))
    writer.insert(AnnualPlan, new_plans)
    writer.update(AnnualPlan, plan_updates)
    writer.insert(ProjectYearLevel, new_levels)
    writer.update(ProjectYearLevel, level_updates, versioned=True)
    if audited:
        ids = {(pid, y): pk for pk, pid, y in db.session.execute(
            select(ProjectYearLevel.id, ProjectYearLevel.project_id, ProjectYearLevel.year))}
        names = {pid: name for pid, name in db.session.execute(select(Project.id, Project.name))}
        for pid, year, r, change, action in audited:
            label = r.label or f"{r.values['code']} {names.get(pid, '')} {year}年"
            writer.audit.append(_entry(writer, "project_year_levels", ids.get((pid, year)),
                                       label, pid, change, action))


def write_milestones(writer: Any, sheet: SheetPlan | None, codes: dict[str, int],
                     moves: list[StageMove]) -> None:
    """节点计划's rows in bulk, every field audited, then the stages they move."""
    if sheet is not None:
        meta = {"updated_by_id": writer.user_id, "updated_at": writer.now}
        writer.insert(ProjectMilestone, [
            {"project_id": codes[r.values["code"]], "template_id": r.values["template_id"],
             "name": "" if r.values["template_id"] else r.values["name"],
             **{f: r.values[f] for f in FIELDS}, "version": 1, **meta}
            for r in sheet.new
        ])
        writer.update(ProjectMilestone, [
            {"id": r.existing_id, **{f: r.values[f] for f in FIELDS}, **meta}
            for r in sheet.changed
        ], versioned=True)
        ids = {}
        if sheet.new:
            pids = list({codes[r.values["code"]] for r in sheet.new})
            ids = {(pid, tid, name): pk for pk, pid, tid, name in db.session.execute(
                select(ProjectMilestone.id, ProjectMilestone.project_id,
                       ProjectMilestone.template_id, ProjectMilestone.name)
                .where(ProjectMilestone.project_id.in_(pids)))}
        for r in [*sheet.new, *sheet.changed]:
            v, pid = r.values, codes[r.values["code"]]
            record_id = r.existing_id or ids.get(
                (pid, v["template_id"], "" if v["template_id"] else v["name"]))
            for change in r.changes:
                note = "延期：工作簿导入" if change[0] == "planned_on" and v["rescheduled"] else IMPORT_NOTE
                action = "update" if r.existing_id or v["template_id"] else "create"
                writer.audit.append(_entry(writer, "project_milestones", record_id, r.label, pid,
                                           change, action, note))
    for move in moves:
        pid = codes[move.code]
        writer.update(Project, [{"id": pid, "stage": Stage(move.new)}], versioned=True)
        writer.audit.append(_entry(
            writer, "projects", pid, move.code, pid, ("stage", "建设阶段", move.old, move.new),
            note=f"节点“{move.milestone}”已完成（{move.on.isoformat()}）；{IMPORT_NOTE}"))
