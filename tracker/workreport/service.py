"""Writing the work report's data: the only place that writes it. Every function checks the
role on the server, validates before it changes anything, records each change in the audit
trail and commits once.

Who does what (DESIGN.md section 15; decisions where it is silent): 督查室 and admins enter
indicator values, signed and pipeline projects and land entries; admins edit the indicator
list (add, rename, retire) and the year's targets. A form carries the version it was loaded
with; a stale one saves nothing and gets the conflict screen.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from tracker.audit.service import apply_changes, as_text, record
from tracker.auth.models import Role, User
from tracker.auth.permissions import can_supervise
from tracker.errors import Forbidden, Refused
from tracker.extensions import db
from tracker.timeutil import utcnow
from tracker.workreport.forms import (
    AREAS,
    STALE_PAGE,
    VALUE_FIELDS,
    Area,
    read_fields,
    read_indicator_name,
    read_version,
)
from tracker.workreport.models import Indicator, IndicatorValue, Target
from tracker.workreport.queries import MODELS, Line, StaleSave, value_of

SUPERVISORS_ONLY = "只有督查室和管理员可以填报工作汇报数据。"
ADMINS_ONLY = "只有管理员可以修改经济指标名录和年度目标。"


def check_area(user: User | None, area: Area) -> None:
    """Raise ``Forbidden`` unless ``user`` may change ``area`` (None: the system, an import)."""
    if user is None:
        return
    if area.admin_only and user.role is not Role.ADMIN:
        raise Forbidden(ADMINS_ONLY)
    if not can_supervise(user):
        raise Forbidden(SUPERVISORS_ONLY)


def row_label(area: Area, row: Any) -> str:
    """How the audit trail names a row."""
    if area.key == "land":
        return f"{row.acquired_on} {row.location}".strip()
    if area.key == "targets":
        return f"{row.year}年{row.kind.value}"
    return row.name


def shown(area: Area, row: Any) -> dict[str, str]:
    """A row's values as the conflict screen shows them (label → text)."""
    return {f.label: as_text(getattr(row, f.name)) or "（空）" for f in area.fields}


def _stale(area: Area, row: Any, data: dict) -> Line:
    by = row.updated_by.name if row.updated_by else "他人"
    return Line(row, form=data, conflict=StaleSave(shown(area, row), by, row.updated_at))


def _duplicate_target(values: dict, row: Target | None) -> bool:
    query = select(func.count()).select_from(Target).where(
        Target.year == values["year"], Target.kind == values["kind"])
    if row is not None:
        query = query.where(Target.id != row.id)
    return bool(db.session.scalar(query))


def save_row(user: User | None, area_key: str, row: Any, data: dict,
             batch_id: int | None = None, commit: bool = True) -> Line:
    """Create (``row`` None) or change one row of an area from its form.

    Returns the fresh line; or the line with ``errors`` (422) or ``conflict`` (409), nothing
    written.
    """
    area = AREAS[area_key]
    check_area(user, area)
    values, errors = read_fields(area.fields, data)
    seen = read_version(data)
    if row is not None and seen is None:
        return Line(row, form=data, errors={"_row": STALE_PAGE})
    if row is not None and not errors and seen != row.version:
        return _stale(area, row, data)
    if area.key == "targets" and not errors and _duplicate_target(values, row):
        errors["kind"] = f"{values['year']}年的“{values['kind'].value}”已有目标值，请直接修改该行"
    if errors:
        return Line(row, form=data, errors=errors)
    uid = user.id if user else None
    if row is None:
        row = MODELS[area.key](**values)
        db.session.add(row)
        db.session.flush()
        record(user_id=uid, action="create", table=area.table, record_id=row.id,
               label=row_label(area, row), batch_id=batch_id)
    else:
        changed = apply_changes(row, values, user_id=uid, table=area.table,
                                label=row_label(area, row), project_id=None, batch_id=batch_id)
        if changed:
            row.updated_by_id, row.updated_at = uid, utcnow()
    if commit:
        db.session.commit()
    return Line(row)


def delete_row(user: User, area_key: str, row: Any) -> str:
    """Delete one row (audited with what it held); returns its label."""
    area = AREAS[area_key]
    check_area(user, area)
    label = row_label(area, row)
    record(user_id=user.id, action="delete", table=area.table, record_id=row.id, label=label,
           note="；".join(f"{k}：{v}" for k, v in shown(area, row).items()))
    db.session.delete(row)
    db.session.commit()
    return label


def save_value(user: User | None, indicator: Indicator, year: int, month: int, data: dict,
               batch_id: int | None = None, commit: bool = True) -> Line:
    """An indicator's value for (year, month): 本期累计 and 上年同期累计, created on first save."""
    check_area(user, AREAS["signed"])  # the same people as the other areas
    row = value_of(indicator.id, year, month)
    values, errors = read_fields(VALUE_FIELDS, data)
    seen = read_version(data)
    if seen is None:
        return Line(row, indicator=indicator, form=data, errors={"_row": STALE_PAGE})
    if not errors and seen != (row.version if row else 0):
        if row is None:  # deleted meanwhile: cannot happen today, values are never deleted
            raise Refused(STALE_PAGE)
        line = Line(row, indicator=indicator, form=data)
        line.conflict = StaleSave(
            {f.label: as_text(getattr(row, f.name)) or "（空）" for f in VALUE_FIELDS},
            row.updated_by.name if row.updated_by else "他人", row.updated_at)
        return line
    if errors:
        return Line(row, indicator=indicator, form=data, errors=errors)
    uid = user.id if user else None
    label = f"{year}年1-{month}月 {indicator.name}"
    if row is None:
        row = IndicatorValue(indicator_id=indicator.id, year=year, month=month)
        db.session.add(row)
        db.session.flush()
        record(user_id=uid, action="create", table="wr_indicator_values", record_id=row.id,
               label=label, batch_id=batch_id)
    changed = apply_changes(row, values, user_id=uid, table="wr_indicator_values", label=label,
                            project_id=None, batch_id=batch_id)
    if changed:
        row.updated_by_id, row.updated_at = uid, utcnow()
    if commit:
        db.session.commit()
    return Line(row, indicator=indicator)


# --- the indicator list (admins) ---------------------------------------------------------


def _name_taken(name: str, indicator: Indicator | None = None) -> bool:
    query = select(func.count()).select_from(Indicator).where(Indicator.name == name)
    if indicator is not None:
        query = query.where(Indicator.id != indicator.id)
    return bool(db.session.scalar(query))


def add_indicator(user: User, data: dict) -> Indicator:
    check_area(user, AREAS["targets"])
    name, errors = read_indicator_name(data)
    if not errors and _name_taken(name):
        errors["name"] = f"已有指标“{name}”"
    if errors:
        raise Refused(errors)
    last = db.session.scalar(select(func.max(Indicator.position))) or 0
    indicator = Indicator(name=name, position=last + 1, retired=False)
    db.session.add(indicator)
    try:
        db.session.flush()
    except IntegrityError as exc:  # another admin added the same name meanwhile
        db.session.rollback()
        raise Refused({"name": f"已有指标“{name}”"}) from exc
    record(user_id=user.id, action="create", table="wr_indicators", record_id=indicator.id,
           label=name)
    db.session.commit()
    return indicator


def rename_indicator(user: User, indicator: Indicator, data: dict) -> tuple[str, str]:
    check_area(user, AREAS["targets"])
    name, errors = read_indicator_name(data)
    if not errors and _name_taken(name, indicator):
        errors["name"] = f"已有指标“{name}”"
    if errors:
        raise Refused(errors)
    old = indicator.name
    apply_changes(indicator, {"name": name}, user_id=user.id, table="wr_indicators", label=old,
                  project_id=None)
    db.session.commit()
    return old, name


def set_retired(user: User, indicator: Indicator, retired: bool) -> bool:
    check_area(user, AREAS["targets"])
    changed = apply_changes(indicator, {"retired": retired}, user_id=user.id,
                            table="wr_indicators", label=indicator.name, project_id=None)
    db.session.commit()
    return bool(changed)
