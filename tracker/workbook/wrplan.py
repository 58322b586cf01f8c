"""The work report's sheets in an import (plan, then write) and in the export: matched rows
are changed, others added, nothing deleted; every change audited under the import's batch.
The planner's errors use the usual ``表名 第N行 列名：原因`` lines, and any refuses the file."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from tracker.audit.service import as_text, record
from tracker.extensions import db
from tracker.timeutil import utcnow
from tracker.workbook.parse import ParsedBook, Sheet, error
from tracker.workbook.rows import PREVIEW_ROWS, Row, SheetPlan
from tracker.workbook.wrsheets import ECONOMY, LAND, PIPELINE, SIGNED, TARGETS, WORK_REPORT_SHEETS
from tracker.workreport.models import (
    Agreement,
    Indicator,
    IndicatorValue,
    LandEntry,
    PipelineProject,
    PipelineStage,
    SignedProject,
    Target,
    TargetKind,
)

MODELS: dict[str, Any] = {ECONOMY.name: IndicatorValue, SIGNED.name: SignedProject,
                          PIPELINE.name: PipelineProject, LAND.name: LandEntry,
                          TARGETS.name: Target}
TABLES = {ECONOMY.name: "wr_indicator_values", SIGNED.name: "wr_signed_projects",
          PIPELINE.name: "wr_pipeline_projects", LAND.name: "wr_land_entries",
          TARGETS.name: "wr_targets"}
ENUMS = {"agreement": Agreement, "progress": PipelineStage, "kind": TargetKind}


def _typed(values: dict[str, Any]) -> dict[str, Any]:
    """A record's values as the model holds them (labels become enums)."""
    return {k: ENUMS[k](v) if k in ENUMS and v is not None else v for k, v in values.items()}


def _label(sheet: Sheet, v: dict[str, Any]) -> str:
    if sheet is ECONOMY:
        return f"{v['year']}年1-{v['month']}月 {v['indicator']}"
    if sheet is LAND:
        return f"{v['acquired_on']} {v.get('location') or ''}".strip()
    if sheet is TARGETS:
        return f"{v['year']}年{v['kind']}"
    return v["name"]


def _stored(sheet: Sheet, indicator_names: dict[int, str]) -> dict[tuple, Any]:
    """key → stored row, for the sheet's matching."""
    rows = db.session.scalars(select(MODELS[sheet.name]))
    out = {}
    for r in rows:
        values = {f: getattr(r, f, None) for f in sheet.key}
        if sheet is ECONOMY:
            values["indicator"] = indicator_names.get(r.indicator_id)
        if sheet is TARGETS:
            values["kind"] = r.kind.value
        if sheet is LAND:
            values["location"] = r.location or ""
        out[tuple(values[k] for k in sheet.key)] = r
    return out


def plan_sheets(book: ParsedBook, errors: list[str]) -> dict[str, SheetPlan]:
    """The plans of the work report's sheets present in ``book``; errors added to ``errors``."""
    names = {i.id: i.name for i in db.session.scalars(select(Indicator))}
    ids = {name: i for i, name in names.items()}
    plans: dict[str, SheetPlan] = {}
    for sheet in WORK_REPORT_SHEETS:
        if sheet.name not in book.records:
            continue
        plan = SheetPlan(sheet.name, present=True)
        stored = _stored(sheet, names)
        fields = [c.field for c in sheet.columns if c.field not in sheet.key or sheet is PIPELINE]
        for rec in book.records[sheet.name]:
            v = dict(rec.values)
            if sheet is ECONOMY and v["indicator"] not in ids:
                errors.append(error(sheet.name, rec.row, "指标", f"“{v['indicator']}”不在经济指标名录中"
                                    f"（名录：{'、'.join(names.values())}）"))
                continue
            if sheet is LAND:
                v["location"] = v.get("location") or ""
            key = tuple(v[k] for k in sheet.key)
            existing = stored.get(key)
            values = _typed({f: v[f] for f in fields})
            if sheet is ECONOMY:
                values.update(indicator_id=ids[v["indicator"]], year=v["year"], month=v["month"])
            label = _label(sheet, v)
            if existing is None:
                full = _typed({c.field: v.get(c.field) for c in sheet.columns
                               if c.field != "indicator"}) | values
                plan.new.append(Row(rec.row, label if len(plan.new) < PREVIEW_ROWS else "", full))
                continue
            header = {c.field: c.header for c in sheet.columns}
            changes = [(f, header[f], getattr(existing, f), values[f]) for f in fields
                       if f in header and as_text(getattr(existing, f)) != as_text(values[f])]
            if changes:
                plan.changed.append(Row(rec.row, label, values, existing.id, None, changes))
            else:
                plan.unchanged += 1
        plans[sheet.name] = plan
    return plans


def write_sheets(plans: dict[str, SheetPlan], user_id: int | None, batch_id: int) -> None:
    """Write the work report's sheet plans inside the import's transaction (audited)."""
    now = utcnow()
    for sheet in WORK_REPORT_SHEETS:
        plan = plans.get(sheet.name)
        if plan is None:
            continue
        model, table = MODELS[sheet.name], TABLES[sheet.name]
        for row in plan.new:
            obj = model(**row.values)
            db.session.add(obj)
            db.session.flush()
            record(user_id=user_id, action="create", table=table, record_id=obj.id,
                   label=row.label or _stored_label(sheet, obj), batch_id=batch_id,
                   note="工作簿导入")
        for row in plan.changed:
            obj = db.session.get(model, row.existing_id)
            for field, _header, old, new in row.changes:
                setattr(obj, field, new)
                record(user_id=user_id, action="update", table=table, record_id=obj.id,
                       label=row.label, field=field, old=old, new=new, batch_id=batch_id,
                       note="工作簿导入")
            obj.updated_by_id, obj.updated_at = user_id, now
        db.session.flush()


def _stored_label(sheet: Sheet, obj: Any) -> str:
    if sheet is ECONOMY:
        return f"{obj.year}年1-{obj.month}月 指标{obj.indicator_id}"
    if sheet is LAND:
        return f"{obj.acquired_on} {obj.location}".strip()
    if sheet is TARGETS:
        return f"{obj.year}年{obj.kind.value}"
    return obj.name


def _cell(value: Any) -> Any:
    if isinstance(value, (Decimal, date, int)) or value is None:
        return value
    return value.value if hasattr(value, "value") else value


def export_rows() -> dict[str, list[tuple]]:
    """The work report's sheets from the database: five statements."""
    names = {i.id: i.name for i in db.session.scalars(select(Indicator))}
    positions = {i.id: i.position for i in db.session.scalars(select(Indicator))}
    values = sorted(db.session.scalars(select(IndicatorValue)),
                    key=lambda v: (v.year, v.month, positions.get(v.indicator_id, 0)))
    out = {ECONOMY.name: [(names[v.indicator_id], v.year, v.month, v.cumulative, v.last_year)
                          for v in values]}
    for sheet, order in ((SIGNED, SignedProject.signed_on), (PIPELINE, PipelineProject.id),
                         (LAND, LandEntry.acquired_on), (TARGETS, Target.year)):
        model = MODELS[sheet.name]
        out[sheet.name] = [tuple(_cell(getattr(r, c.field)) for c in sheet.columns)
                           for r in db.session.scalars(select(model).order_by(order, model.id))]
    return out
