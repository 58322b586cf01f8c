"""Users and units managed by an admin in the browser; every change in the audit trail.

Decisions where the design is silent:
- users are never deleted, only deactivated (their history stays); a deactivated
  user's open session ends on their next request (see ``tracker.auth.routes``);
- an admin cannot deactivate or demote themselves, and the last active admin
  cannot be deactivated or demoted (nobody could administer the park any more);
- an admin sets a temporary password when creating a user or resetting one; the
  user must change it at the next sign-in (``must_change_password``);
- merging unit A into unit B moves every reference (users, projects' owner and
  responsible units, issues' responsible units) to B, one audit entry per moved
  row, and deactivates A (kept for history, no longer offered in forms).
"""

from __future__ import annotations

from sqlalchemy import func, select, update

from tracker.audit.service import record
from tracker.auth.models import Role, Unit, User
from tracker.auth.permissions import require
from tracker.auth.service import check_password, check_unit_choice, role_text, unit_name
from tracker.errors import Refused
from tracker.extensions import db
from tracker.issues.models import Issue
from tracker.projects.models import Project

USER_LABELS = {"login": "账号", "name": "姓名", "role": "角色", "unit_id": "单位", "active": "启用"}


def _active_admins() -> int:
    return db.session.scalar(
        select(func.count(User.id)).where(User.role == Role.ADMIN, User.active.is_(True))
    )


def update_user(actor: User, user: User, values: dict) -> dict:
    """Change name, role, unit and active; returns {field: (old, new)} of what changed."""
    require(actor.is_admin)
    errors: dict[str, str] = {}
    check_unit_choice(values.get("unit_id"), errors, keep=user.unit_id)
    demoted = user.role is Role.ADMIN and values["role"] is not Role.ADMIN
    deactivated = user.active and not values["active"]
    if user.id == actor.id and demoted:
        errors["role"] = "不能取消自己的管理员角色"
    if user.id == actor.id and deactivated:
        errors["active"] = "不能停用自己的账号"
    if (demoted or deactivated) and user.role is Role.ADMIN and user.active and _active_admins() <= 1:
        errors.setdefault("role" if demoted else "active", "至少需要保留一名启用的管理员")
    if errors:
        raise Refused(errors)
    shown_old = {"name": user.name, "role": role_text(user.role),
                 "unit_id": unit_name(user.unit_id), "active": user.active}
    if deactivated or user.role is not values["role"]:
        user.end_sessions()  # what they may do changed: they sign in again
    user.name = values["name"]
    user.role = values["role"]
    user.unit_id = values.get("unit_id")
    user.active = values["active"]
    shown_new = {"name": user.name, "role": role_text(user.role),
                 "unit_id": unit_name(user.unit_id), "active": user.active}
    changes = {}
    for field, old in shown_old.items():
        if old != shown_new[field]:
            changes[field] = (old, shown_new[field])
            record(user_id=actor.id, action="update", table="users", record_id=user.id,
                   label=user.login, field=field, old=old, new=shown_new[field])
    db.session.commit()
    return changes


def set_active(actor: User, user: User, active: bool) -> None:
    """Deactivate (never delete) or reactivate a user."""
    update_user(actor, user, {"name": user.name, "role": user.role, "unit_id": user.unit_id,
                              "active": active})


def reset_password(actor: User, user: User, password: str) -> None:
    """Set a temporary password; the user must choose a new one at the next sign-in."""
    require(actor.is_admin)
    errors: dict[str, str] = {}
    if user.id == actor.id:
        errors["password"] = "请在“修改密码”页面修改自己的密码"
    else:
        check_password(password, errors)
    if errors:
        raise Refused(errors)
    user.set_password(password)
    user.must_change_password = True
    user.end_sessions()
    record(user_id=actor.id, action="password", table="users", record_id=user.id,
           label=user.login, field="password", note="管理员重置密码，下次登录须修改")
    db.session.commit()


def sign_out_everywhere(actor: User, user: User) -> None:
    """End every session of ``user`` (a lost phone, a shared computer), audited."""
    require(actor.is_admin)
    user.end_sessions()
    record(user_id=actor.id, action="signout", table="users", record_id=user.id,
           label=user.login, note="管理员令其在所有设备上退出登录")
    db.session.commit()


# --- units ----------------------------------------------------------------------


def _check_unit_name(name: str, errors: dict, unit: Unit | None = None) -> None:
    clash = db.session.scalar(select(Unit).where(Unit.name == name))
    if clash is not None and clash is not unit:
        hint = "（如为同一单位，请使用“合并”）" if unit is not None else ""
        errors["name"] = f"单位“{name}”已存在{hint}"


def create_unit(actor: User, name: str) -> Unit:
    require(actor.is_admin)
    errors: dict[str, str] = {}
    _check_unit_name(name, errors)
    if errors:
        raise Refused(errors)
    unit = Unit(name=name, active=True)
    db.session.add(unit)
    db.session.flush()
    record(user_id=actor.id, action="create", table="units", record_id=unit.id, label=name,
           field="name", new=name)
    db.session.commit()
    return unit


def rename_unit(actor: User, unit: Unit, name: str) -> None:
    require(actor.is_admin)
    errors: dict[str, str] = {}
    _check_unit_name(name, errors, unit)
    if errors:
        raise Refused(errors)
    if unit.name == name:
        return
    record(user_id=actor.id, action="update", table="units", record_id=unit.id, label=name,
           field="name", old=unit.name, new=name)
    unit.name = name
    db.session.commit()


def set_unit_active(actor: User, unit: Unit, active: bool) -> None:
    """Deactivate a unit (it stays on existing records, is no longer offered) or reactivate it."""
    require(actor.is_admin)
    if unit.active == active:
        return
    record(user_id=actor.id, action="update", table="units", record_id=unit.id, label=unit.name,
           field="active", old=unit.active, new=active)
    unit.active = active
    db.session.commit()


def merge_units(actor: User, source: Unit, target: Unit) -> dict[str, int]:
    """Point everything at ``target`` instead of ``source``; returns counts moved per kind."""
    require(actor.is_admin)
    if target is None or target.id == source.id:
        raise Refused({"target_id": "请选择另一个要并入的单位"})
    if not target.active:
        raise Refused({"target_id": f"单位“{target.name}”已停用，不能并入"})
    note = f"单位合并：{source.name} → {target.name}"
    moved = {"users": 0, "projects": 0, "issues": 0}
    for user in db.session.scalars(select(User).where(User.unit_id == source.id)):
        record(user_id=actor.id, action="merge", table="users", record_id=user.id,
               label=user.login, field="unit_id", old=source.name, new=target.name, note=note)
        moved["users"] += 1
    for field in ("owner_unit_id", "responsible_unit_id"):
        column = getattr(Project, field)
        for project in db.session.scalars(select(Project).where(column == source.id)):
            record(user_id=actor.id, action="merge", table="projects", record_id=project.id,
                   label=project.code, project_id=project.id, field=field, old=source.name,
                   new=target.name, note=note)
            moved["projects"] += 1
    for issue in db.session.scalars(select(Issue).where(Issue.responsible_unit_id == source.id)):
        record(user_id=actor.id, action="merge", table="issues", record_id=issue.id,
               label=issue.number, project_id=issue.project_id, field="responsible_unit_id",
               old=source.name, new=target.name, note=note)
        moved["issues"] += 1
    # Versions move too, so a form opened before the merge meets a conflict, not a revert.
    db.session.execute(update(User).where(User.unit_id == source.id).values(unit_id=target.id))
    for field in ("owner_unit_id", "responsible_unit_id"):
        column = getattr(Project, field)
        db.session.execute(
            update(Project).where(column == source.id)
            .values({field: target.id, "version": Project.version + 1})
            .execution_options(synchronize_session="fetch")
        )
    db.session.execute(
        update(Issue).where(Issue.responsible_unit_id == source.id)
        .values(responsible_unit_id=target.id, version=Issue.version + 1).execution_options(synchronize_session="fetch")
    )
    source.active = False
    record(user_id=actor.id, action="merge", table="units", record_id=source.id,
           label=source.name, field="merged_into", new=target.name,
           note=f"{note}（用户 {moved['users']}、项目 {moved['projects']}、问题 {moved['issues']}）")
    db.session.commit()
    return moved
