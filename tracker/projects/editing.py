"""Writing the project register: create, edit, annual plans, special bonds, archive.

Every function checks the permission (supervisors and admins), validates
everything before it changes anything, records each change in the audit trail,
and commits once: nothing is ever half-saved. ``Refused`` carries one Chinese
message per field; ``Conflict`` means someone else saved first (optimistic
locking on ``Project.version``; plans and bonds compare the value the user saw)
and carries the current values, so the page can show them instead of silently
overwriting.

Decisions where the design is silent:
- a lead or liaison must be an active user who may report (not a 领导/viewer);
  an inactive unit or user already set on a project may stay, but cannot be newly chosen;
- codes may not contain spaces, "/", "\\", "?", "#" or "%" (they are part of addresses);
- a bond's amount cannot go below what has already been spent from it;
- an archive date cannot be in the future; an archived project can be restored.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import flag_modified
from sqlalchemy.orm.exc import StaleDataError

from tracker.audit.service import as_text, record
from tracker.auth.models import Role, Unit, User
from tracker.auth.permissions import can_supervise, require
from tracker.errors import Conflict, Refused
from tracker.extensions import db
from tracker.projects.models import (
    SUGGESTED_INDUSTRIES,
    AnnualPlan,
    Bond,
    BondSpending,
    Level,
    Project,
    Stage,
)

CODE_FORBIDDEN = " /\\?#%"
YEAR_RANGE = (1990, 2100)

# The register's fields in form order, with their Chinese labels (DESIGN.md section 2).
LABELS = {
    "code": "项目编号",
    "name": "项目名称",
    "level": "级别",
    "industry": "行业",
    "stage": "建设阶段",
    "owner_unit_id": "业主单位",
    "responsible_unit_id": "责任单位",
    "lead_id": "项目负责人",
    "liaison_ids": "联络员",
    "leader_in_charge": "包挂领导",
    "total_investment": "总投资(万元)",
    "start_year": "开工年份",
    "planned_completion_year": "计划竣工年份",
}
SCALAR_FIELDS = (
    "code",
    "name",
    "level",
    "industry",
    "stage",
    "leader_in_charge",
    "total_investment",
    "start_year",
    "planned_completion_year",
)
# id field → (relationship attribute, model) for fields whose trail shows names.
REF_FIELDS = {
    "owner_unit_id": ("owner_unit", Unit),
    "responsible_unit_id": ("responsible_unit", Unit),
    "lead_id": ("lead", User),
}
REPORTING_ROLES = (Role.ADMIN, Role.SUPERVISOR, Role.MEMBER)
UNSET: Any = object()

__all__ = [
    "LABELS",
    "SUGGESTED_INDUSTRIES",
    "archive_project",
    "create_project",
    "grant_bond",
    "restore_project",
    "set_plan",
    "update_project",
]


# --- shown values --------------------------------------------------------------


def shown(project: Project, field: str) -> str:
    """A field's value as a person reads it (names, not ids)."""
    if field in REF_FIELDS:
        target = getattr(project, REF_FIELDS[field][0])
        return "" if target is None else getattr(target, "name", "")
    if field == "liaison_ids":
        return "、".join(u.name for u in project.liaisons)
    return as_text(getattr(project, field)) or ""


def current_values(project: Project) -> dict[str, str]:
    return {LABELS[f]: shown(project, f) for f in LABELS}


# --- checks ---------------------------------------------------------------------


def _check_user(user_id: int | None, field: str, errors: dict, keep: set[int]) -> User | None:
    if user_id is None:
        return None
    user = db.session.get(User, user_id)
    if user is None:
        errors[field] = f"{LABELS[field]}不存在，请从列表中选择"
    elif user.id not in keep and (not user.active or user.role not in REPORTING_ROLES):
        errors[field] = f"{user.name} 已停用或为领导账号，不能担任{LABELS[field]}"
    return user


def _check_unit(unit_id: int | None, field: str, errors: dict, keep: int | None) -> None:
    if unit_id is None:
        return
    unit = db.session.get(Unit, unit_id)
    if unit is None:
        errors[field] = f"{LABELS[field]}不存在，请从列表中选择"
    elif not unit.active and unit.id != keep:
        errors[field] = f"单位“{unit.name}”已停用，不能选择"


def _validate(values: dict[str, Any], project: Project | None) -> dict[str, Any]:
    """Check a complete set of register values; returns them cleaned, raises ``Refused``."""
    errors: dict[str, str] = {}
    v = dict(values)
    code = (v.get("code") or "").strip()
    if not code:
        errors["code"] = "请填写项目编号"
    elif len(code) > 40:
        errors["code"] = "项目编号不能超过 40 个字符"
    elif any(ch in code for ch in CODE_FORBIDDEN) or any(ch.isspace() for ch in code):
        errors["code"] = "项目编号不能包含空格、/、\\、?、#、%"
    else:
        clash = db.session.scalar(
            select(Project.id).where(func.lower(Project.code) == code.lower())
        )
        if clash is not None and (project is None or clash != project.id):
            errors["code"] = f"项目编号“{code}”已被其他项目使用"
    v["code"] = code
    name = (v.get("name") or "").strip()
    if not name:
        errors["name"] = "请填写项目名称"
    elif len(name) > 200:
        errors["name"] = "项目名称不能超过 200 个字符"
    v["name"] = name
    for field, enum in (("level", Level), ("stage", Stage)):
        try:
            v[field] = enum(v.get(field))
        except ValueError:
            allowed = "、".join(m.value for m in enum)
            errors[field] = f"{LABELS[field]}只能是：{allowed}"
    v["industry"] = (v.get("industry") or "").strip()
    if len(v["industry"]) > 40:
        errors["industry"] = "行业不能超过 40 个字符"
    v["leader_in_charge"] = (v.get("leader_in_charge") or "").strip()
    if len(v["leader_in_charge"]) > 64:
        errors["leader_in_charge"] = "包挂领导不能超过 64 个字符"
    total = v.get("total_investment")
    if total is not None and (not isinstance(total, Decimal) or total < 0):
        errors["total_investment"] = "总投资应为不小于 0 的数字"
    years = {}
    for field in ("start_year", "planned_completion_year"):
        year = v.get(field)
        if year is not None and (not isinstance(year, int) or not YEAR_RANGE[0] <= year <= YEAR_RANGE[1]):
            errors[field] = f"{LABELS[field]}应在 {YEAR_RANGE[0]} 到 {YEAR_RANGE[1]} 之间"
        else:
            years[field] = year
    if (
        years.get("start_year")
        and years.get("planned_completion_year")
        and years["planned_completion_year"] < years["start_year"]
    ):
        errors["planned_completion_year"] = "计划竣工年份不能早于开工年份"

    _check_unit(v.get("owner_unit_id"), "owner_unit_id", errors,
                project.owner_unit_id if project else None)
    _check_unit(v.get("responsible_unit_id"), "responsible_unit_id", errors,
                project.responsible_unit_id if project else None)
    kept = set()
    if project is not None:
        kept = {u.id for u in project.liaisons} | ({project.lead_id} if project.lead_id else set())
    _check_user(v.get("lead_id"), "lead_id", errors, kept)
    liaisons = []
    for uid in v.get("liaison_ids") or []:
        user = _check_user(uid, "liaison_ids", errors, kept)
        if user is not None:
            liaisons.append(user)
    v["liaisons"] = liaisons
    if errors:
        raise Refused(errors)
    return v


def _commit_or_conflict(project: Project | None, message: str) -> None:
    try:
        db.session.commit()
    except (StaleDataError, IntegrityError) as exc:
        db.session.rollback()
        if project is None or isinstance(exc, IntegrityError) and "code" in str(exc.orig).lower():
            raise Refused({"code": "项目编号已被其他项目使用（刚刚有人保存了同一编号）"}) from exc
        db.session.refresh(project)
        raise Conflict(message, current=current_values(project), version=project.version) from exc


# --- writes ---------------------------------------------------------------------


def create_project(user: User, values: dict[str, Any], *, plan_year: int | None = None,
                   plan_amount: Decimal | None = None) -> Project:
    """A new project with every register field, optionally with its plan for one year."""
    require(can_supervise(user))
    v = _validate(values, None)
    plan_errors = _check_plan(plan_year, plan_amount) if plan_amount is not None else {}
    if plan_errors:
        raise Refused(plan_errors)
    project = Project(
        **{f: v.get(f) for f in SCALAR_FIELDS},
        owner_unit_id=v.get("owner_unit_id"),
        responsible_unit_id=v.get("responsible_unit_id"),
        lead_id=v.get("lead_id"),
    )
    project.liaisons = v["liaisons"]
    db.session.add(project)
    db.session.flush()
    for field in LABELS:
        value = shown(project, field) if field in REF_FIELDS or field == "liaison_ids" else getattr(project, field)
        if value in (None, ""):
            continue
        record(user_id=user.id, action="create", table="projects", record_id=project.id,
               label=project.code, project_id=project.id, field=field, new=value)
    if plan_amount is not None and plan_year is not None:
        _write_plan(user, project, plan_year, plan_amount)
    _commit_or_conflict(None, "")
    return project


def update_project(user: User, project: Project, values: dict[str, Any], version: int | None) -> dict:
    """Change register fields; ``version`` is what the form was loaded with.

    Returns {field: (old shown, new shown)} of what changed. Raises ``Conflict``
    when the project changed since (nothing is written), ``Refused`` on bad input.
    """
    require(can_supervise(user))
    if version is None or version != project.version:
        raise Conflict("保存前该项目已被他人修改。以下是当前保存的内容，请核对后再保存。", current=current_values(project), version=project.version)
    v = _validate(values, project)
    changes: dict[str, tuple[str, str]] = {}
    label = project.code if project.code == v["code"] else f"{project.code}→{v['code']}"
    with db.session.no_autoflush:  # one UPDATE, one version step
        for field in LABELS:
            old = shown(project, field)
            if field in REF_FIELDS:
                rel, model = REF_FIELDS[field]
                target = db.session.get(model, v[field]) if v.get(field) else None
                setattr(project, rel, target)
            elif field == "liaison_ids":
                project.liaisons = v["liaisons"]
            else:
                new_value = v.get(field)
                if as_text(getattr(project, field)) != as_text(new_value):
                    setattr(project, field, new_value)
            new = shown(project, field)
            if old != new:
                changes[field] = (old, new)
                record(user_id=user.id, action="update", table="projects", record_id=project.id,
                       label=label, project_id=project.id, field=field, old=old or None,
                       new=new or None)
    if changes:
        # Liaisons live in another table: touch the row so that its version moves too.
        flag_modified(project, "name")
        _commit_or_conflict(project, "保存时该项目刚被他人修改，您的修改未保存。以下是当前内容。")
    return changes


def _check_plan(year: Any, amount: Any) -> dict[str, str]:
    errors = {}
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        errors["plan_year"] = "年度应在 2000 到 2100 之间"
    if not isinstance(amount, Decimal) or amount < 0:
        errors["plan_amount"] = "年度计划投资应为不小于 0 的数字"
    return errors


def _write_plan(user: User, project: Project, year: int, amount: Decimal) -> AnnualPlan:
    plan = db.session.scalar(
        select(AnnualPlan).where(AnnualPlan.project_id == project.id, AnnualPlan.year == year)
    )
    old = plan.amount if plan else None
    if plan is None:
        plan = AnnualPlan(project_id=project.id, year=year, amount=amount)
        db.session.add(plan)
        db.session.flush()
    elif as_text(old) != as_text(amount):
        plan.amount = amount
    else:
        return plan
    record(user_id=user.id, action="create" if old is None else "update", table="annual_plans",
           record_id=plan.id, label=f"{project.code} {year}年", project_id=project.id,
           field="amount", old=old, new=amount)
    return plan


def set_plan(user: User, project: Project, year: int, amount: Decimal, *, seen: Any = UNSET) -> AnnualPlan:
    """Set or change the annual plan (年度计划投资) of ``year``.

    ``seen`` is the amount the user saw ("" when there was none): if it no longer
    matches, ``Conflict`` (someone changed the plan meanwhile).
    """
    require(can_supervise(user))
    errors = _check_plan(year, amount)
    if errors:
        raise Refused(errors)
    current = db.session.scalar(
        select(AnnualPlan.amount).where(AnnualPlan.project_id == project.id, AnnualPlan.year == year)
    )
    if seen is not UNSET and (as_text(current) or "") != (seen or ""):
        raise Conflict(f"{year}年计划已被他人修改，当前为 {as_text(current) or '未设置'} 万元，请核对后再保存。", current={f"{year}年计划投资(万元)": as_text(current) or "未设置"})
    plan = _write_plan(user, project, year, amount)
    try:
        db.session.commit()
    except IntegrityError as exc:
        db.session.rollback()
        raise Conflict(f"{year}年计划刚被他人设置，请刷新后再试。", current={}) from exc
    return plan


def bond_seen(bond: Bond | None) -> str:
    """What a bond form shows, to detect a change by someone else."""
    if bond is None:
        return ""
    return f"{as_text(bond.amount)}|{as_text(bond.expected_on) or ''}"


def grant_bond(user: User, project: Project, year: int, amount: Decimal,
               expected_on: date | None, *, seen: Any = UNSET) -> Bond:
    """Grant (or change) the special bond (政府专项债) of ``year`` and its expected spending date."""
    require(can_supervise(user))
    errors = {}
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        errors["year"] = "年度应在 2000 到 2100 之间"
    if not isinstance(amount, Decimal) or amount < 0:
        errors["amount"] = "下达金额应为不小于 0 的数字"
    if expected_on is not None and not isinstance(expected_on, date):
        errors["expected_on"] = "预计支出完毕日期无效"
    bond = None
    if "year" not in errors:
        bond = db.session.scalar(select(Bond).where(Bond.project_id == project.id, Bond.year == year))
    if bond is not None and "amount" not in errors:
        spent = db.session.scalar(
            select(func.coalesce(func.sum(BondSpending.amount), 0)).where(BondSpending.bond_id == bond.id)
        )
        if amount < Decimal(spent):
            errors["amount"] = f"下达金额不能小于已支出的 {Decimal(spent):.2f} 万元"
    if errors:
        raise Refused(errors)
    if seen is not UNSET and bond_seen(bond) != (seen or ""):
        raise Conflict(
            f"{year}年专项债已被他人修改，请核对当前内容后再保存。",
            current={"下达金额(万元)": as_text(bond.amount) if bond else "未下达",
                     "预计支出完毕日期": (as_text(bond.expected_on) or "") if bond else ""},
        )
    label = f"{project.code} {year}年专项债"
    if bond is None:
        bond = Bond(project_id=project.id, year=year, amount=amount, expected_on=expected_on)
        db.session.add(bond)
        db.session.flush()
        record(user_id=user.id, action="create", table="bonds", record_id=bond.id, label=label,
               project_id=project.id, field="amount", new=amount)
        if expected_on:
            record(user_id=user.id, action="create", table="bonds", record_id=bond.id, label=label,
                   project_id=project.id, field="expected_on", new=expected_on)
    else:
        for field, new in (("amount", amount), ("expected_on", expected_on)):
            old = getattr(bond, field)
            if as_text(old) != as_text(new):
                setattr(bond, field, new)
                record(user_id=user.id, action="update", table="bonds", record_id=bond.id,
                       label=label, project_id=project.id, field=field, old=old, new=new)
    try:
        db.session.commit()
    except IntegrityError as exc:
        db.session.rollback()
        raise Conflict(f"{year}年专项债刚被他人下达，请刷新后再试。", current={}) from exc
    return bond


def archive_project(user: User, project: Project, on: date, version: int | None, *, today: date) -> None:
    """Archive a finished project as of ``on``: it leaves current lists, keeps its history,
    and still counts in the years up to the archive year (``active_in``)."""
    require(can_supervise(user))
    if version is None or version != project.version:
        raise Conflict("该项目已被他人修改，请刷新后再操作。", current=current_values(project), version=project.version)
    if not isinstance(on, date):
        raise Refused({"archived_on": "请填写归档日期"})
    if on > today:
        raise Refused({"archived_on": "归档日期不能晚于今天"})
    if project.archived_on is not None:
        raise Refused({"archived_on": f"该项目已于 {project.archived_on.isoformat()} 归档"})
    project.archived_on = on
    record(user_id=user.id, action="archive", table="projects", record_id=project.id,
           label=project.code, project_id=project.id, field="archived_on", old=None, new=on)
    _commit_or_conflict(project, "该项目刚被他人修改，未归档。")


def restore_project(user: User, project: Project, version: int | None) -> None:
    """Undo an archive made in error."""
    require(can_supervise(user))
    if version is None or version != project.version:
        raise Conflict("该项目已被他人修改，请刷新后再操作。", current=current_values(project), version=project.version)
    if project.archived_on is None:
        raise Refused({"archived_on": "该项目未归档"})
    old = project.archived_on
    project.archived_on = None
    record(user_id=user.id, action="restore", table="projects", record_id=project.id,
           label=project.code, project_id=project.id, field="archived_on", old=old, new=None)
    _commit_or_conflict(project, "该项目刚被他人修改，未恢复。")
