"""Each year's key-project list (年度重点项目清单): a project's level per year, written with its
annual plan from the plans page (DESIGN.md sections 10 and 11).

Decisions where the design is silent:
- the plans page saves a year's plan and level together, in one commit; a blank plan leaves the
  plan as it is (an existing plan cannot be blanked: 0 means 未下达计划);
- choosing 沿用当前级别 removes the year's own level (audited as a deletion): the year then
  follows the project's current level again.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from tracker.audit.service import as_text, record
from tracker.auth.models import User
from tracker.auth.permissions import can_supervise, require
from tracker.errors import Conflict, Refused
from tracker.extensions import db
from tracker.projects import editing
from tracker.projects.models import AnnualPlan, ListLevel, Project, ProjectYearLevel


def seen_text(plan: AnnualPlan | None, level: ProjectYearLevel | None) -> str:
    """What the plans page showed of a year, to notice a save by someone else meanwhile: the
    plan's amount, then ``|level`` when the year has a level of its own."""
    amount = (as_text(plan.amount) or "") if plan else ""
    return f"{amount}|{level.level.value}" if level else amount


def stored(project: Project, year: int) -> tuple[AnnualPlan | None, ProjectYearLevel | None]:
    plan = db.session.scalar(select(AnnualPlan).where(
        AnnualPlan.project_id == project.id, AnnualPlan.year == year))
    level = db.session.scalar(select(ProjectYearLevel).where(
        ProjectYearLevel.project_id == project.id, ProjectYearLevel.year == year))
    return plan, level


def write_level(
    user_id: int | None, project: Project, year: int, level: ListLevel | None,
    row: ProjectYearLevel | None, *, batch_id: int | None = None, note: str = "",
) -> bool:
    """Set (or with None remove) the project's level in ``year``; audited. True when it changed."""
    old = row.level if row else None
    if old == level:
        return False
    label = f"{project.code} {year}年"
    if level is None:
        record(user_id=user_id, action="delete", table="project_year_levels", record_id=row.id,
               label=label, project_id=project.id, field="level", old=old, new=None,
               batch_id=batch_id, note=note)
        db.session.delete(row)
        return True
    if row is None:
        row = ProjectYearLevel(project_id=project.id, year=year, level=level,
                               import_batch_id=batch_id)
        db.session.add(row)
        db.session.flush()
    else:
        row.level = level
    record(user_id=user_id, action="create" if old is None else "update",
           table="project_year_levels", record_id=row.id, label=label, project_id=project.id,
           field="level", old=old, new=level, batch_id=batch_id, note=note)
    return True


def set_year(
    user: User, project: Project, year: int, amount: Decimal | None, level: ListLevel | None,
    *, seen: Any = editing.UNSET,
) -> None:
    """Save a year's annual plan and the project's level on that year's list, in one commit.

    ``seen`` is ``seen_text`` of what the user saw; a mismatch raises Conflict.
    """
    require(can_supervise(user))
    plan, row = stored(project, year)
    if seen is not editing.UNSET and seen_text(plan, row) != (seen or ""):
        raise Conflict(
            f"{year}年的计划或级别已被他人修改，请核对后再保存。",
            current={f"{year}年计划投资(万元)": (as_text(plan.amount) if plan else "") or "未设置",
                     f"{year}年级别": row.level.value if row else "沿用当前级别"},
        )
    errors = editing._check_plan(year, amount) if amount is not None else {}
    if amount is None and plan is not None:
        errors["plan_amount"] = "已有计划不能清空；未下达计划请填 0"
    if amount is None and plan is None and level is None and row is None:
        errors["plan_amount"] = "请填写年度计划投资或选择级别"
    if errors:
        raise Refused(errors)
    if amount is not None:
        editing._write_plan(user, project, year, amount)
    write_level(user.id, project, year, level, row)
    try:
        db.session.commit()
    except (IntegrityError, StaleDataError) as exc:
        db.session.rollback()
        raise Conflict(f"{year}年的计划或级别刚被他人修改，请刷新后再试。", current={}) from exc
