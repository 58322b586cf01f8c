"""Administration in the browser (/admin/...): users, units and settings, for admins.

The project register's forms are the projects package's (``tracker.projects.admin_routes``).
Every route
checks the role on the server (403), every POST carries the CSRF token
(``CSRFProtect``), every bad input re-renders the form with a message next to the
field (422), and a stale edit answers 409 with the current values.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload
from werkzeug.datastructures import MultiDict

from tracker.admin import users_service as us
from tracker.admin.service import SETTING_LABELS, read_settings, save_settings
from tracker.auth.models import Role, Unit, User
from tracker.auth.permissions import admin_required
from tracker.auth.service import create_user, new_user_errors, unit_choices
from tracker.errors import Refused
from tracker.extensions import db
from tracker.forms import FormReader
from tracker.issues.models import Issue
from tracker.projects.models import Project
from tracker.settings import park_settings

bp = Blueprint("admin", __name__, url_prefix="/admin")


# --- helpers --------------------------------------------------------------------


def _get(model, ident: int, what: str):  # noqa: ANN001, ANN202
    row = db.session.get(model, ident)
    if row is None:
        abort(404, description=f"{what}不存在。")
    return row


# --- users ----------------------------------------------------------------------


def _read_user(data: MultiDict, *, new: bool) -> FormReader:
    f = FormReader(data)
    if new:
        login = f.text("login", "账号", required=True, max_len=64, forbid=" /\\?#%")
        if login and not all(ch.isalnum() or ch in "._-@" for ch in login):
            f.error("login", "账号只能包含字母、数字和 . _ - @")
        f.values["password"] = data.get("password", "") if isinstance(data.get("password"), str) else ""
    f.text("name", "姓名", required=True, max_len=64)
    role = f.choice("role", "角色", Role)
    f.ref("unit_id", "单位")
    if not new:
        f.flag("active")
    if role is Role.MEMBER and f.values.get("unit_id") is None and "unit_id" not in f.errors:
        f.error("unit_id", "项目负责人须属于一个单位")
    return f


@bp.route("/users")
@admin_required
def users():
    role = request.args.get("role", "")
    state = request.args.get("state", "active")
    q = request.args.get("q", "").strip()[:64]
    stmt = select(User).options(selectinload(User.unit)).order_by(User.active.desc(), User.login)
    if role in {r.value for r in Role}:
        stmt = stmt.where(User.role == Role(role))
    if state == "active":
        stmt = stmt.where(User.active.is_(True))
    elif state == "inactive":
        stmt = stmt.where(User.active.is_(False))
    if q:
        like = f"%{q}%"
        stmt = stmt.where(or_(User.login.ilike(like), User.name.ilike(like)))
    rows = list(db.session.scalars(stmt))
    return render_template("admin/users.html", rows=rows, roles=list(Role), role=role,
                           state=state, q=q)


@bp.route("/users/new", methods=["GET", "POST"])
@admin_required
def user_new():
    data = request.form if request.method == "POST" else MultiDict({"role": "member"})
    errors: dict[str, str] = {}
    if request.method == "POST":
        f = _read_user(request.form, new=True)
        # The form's own checks and the service's, together: one round of messages.
        errors = {**new_user_errors(f.values), **f.errors}
        if not errors:
            try:
                user = create_user(current_user, f.values)
            except Refused as exc:
                errors = exc.errors
            else:
                flash(f"已创建用户 {user.login}（{user.name}），首次登录须修改密码。", "success")
                return redirect(url_for("admin.users"))
    return render_template("admin/user_form.html", user=None, data=data, errors=errors,
                           roles=list(Role), units=unit_choices()), (422 if errors else 200)


@bp.route("/users/<int(max=2147483647):user_id>/edit", methods=["GET", "POST"])
@admin_required
def user_edit(user_id: int):
    user = _get(User, user_id, "用户")
    errors: dict[str, str] = {}
    if request.method == "POST":
        data = request.form
        f = _read_user(request.form, new=False)
        errors = f.errors
        if f.ok:
            try:
                changes = us.update_user(current_user, user, f.values)
            except Refused as exc:
                errors = exc.errors
            else:
                flash(f"已保存用户 {user.login}。" if changes else "没有修改任何内容。", "success")
                return redirect(url_for("admin.users"))
    else:
        data = MultiDict({"name": user.name, "role": user.role.value,
                          "unit_id": str(user.unit_id or ""), "active": "1" if user.active else ""})
    return _user_page(user, data, errors, {}), (422 if errors else 200)


def _user_page(user: User, data, errors: dict, pw_errors: dict) -> str:  # noqa: ANN001
    return render_template("admin/user_form.html", user=user, data=data, errors=errors,
                           pw_errors=pw_errors, roles=list(Role), units=unit_choices({user.unit_id}))


@bp.route("/users/<int(max=2147483647):user_id>/password", methods=["POST"])
@admin_required
def user_password(user_id: int):
    user = _get(User, user_id, "用户")
    password = request.form.get("password", "")
    confirm = request.form.get("confirm", "")
    try:
        if password != confirm:
            raise Refused({"confirm": "两次输入的密码不一致"})
        us.reset_password(current_user, user, password)
    except Refused as exc:
        data = MultiDict({"name": user.name, "role": user.role.value,
                          "unit_id": str(user.unit_id or ""), "active": "1" if user.active else ""})
        return _user_page(user, data, {}, exc.errors), 422
    flash(f"已重置 {user.login} 的密码，对方下次登录须设置新密码。", "success")
    return redirect(url_for("admin.user_edit", user_id=user.id))


@bp.route("/users/<int(max=2147483647):user_id>/sessions", methods=["POST"])
@admin_required
def user_sessions(user_id: int):
    user = _get(User, user_id, "用户")
    us.sign_out_everywhere(current_user, user)
    flash(f"{user.login} 已在所有设备上退出登录。", "success")
    return redirect(url_for("admin.user_edit", user_id=user.id))


@bp.route("/users/<int(max=2147483647):user_id>/active", methods=["POST"])
@admin_required
def user_active(user_id: int):
    user = _get(User, user_id, "用户")
    active = request.form.get("active") == "1"
    try:
        us.set_active(current_user, user, active)
    except Refused as exc:
        flash("；".join(exc.errors.values()), "error")
        return redirect(url_for("admin.user_edit", user_id=user.id)), 303
    flash(f"已{'启用' if active else '停用'}用户 {user.login}。", "success")
    return redirect(url_for("admin.users"))


# --- units ----------------------------------------------------------------------


def _unit_counts() -> dict[int, dict[str, int]]:
    """unit id → how many users, projects and issues point at it (three queries)."""
    counts: dict[int, dict[str, int]] = {}

    def add(kind: str, rows) -> None:  # noqa: ANN001
        for uid, n in rows:
            if uid is not None:
                counts.setdefault(uid, {}).setdefault(kind, 0)
                counts[uid][kind] += n

    add("users", db.session.execute(select(User.unit_id, func.count()).group_by(User.unit_id)))
    for column in (Project.owner_unit_id, Project.responsible_unit_id):
        add("projects", db.session.execute(select(column, func.count()).group_by(column)))
    add("issues", db.session.execute(
        select(Issue.responsible_unit_id, func.count()).group_by(Issue.responsible_unit_id)))
    return counts


@bp.route("/units", methods=["GET", "POST"])
@admin_required
def units():
    errors: dict[str, str] = {}
    data = request.form if request.method == "POST" else MultiDict()
    if request.method == "POST":
        f = FormReader(request.form)
        name = f.text("name", "单位名称", required=True, max_len=120)
        errors = f.errors
        if f.ok:
            try:
                us.create_unit(current_user, name)
            except Refused as exc:
                errors = exc.errors
            else:
                flash(f"已新建单位“{name}”。", "success")
                return redirect(url_for("admin.units"))
    rows = list(db.session.scalars(select(Unit).order_by(Unit.active.desc(), Unit.name)))
    return render_template("admin/units.html", rows=rows, counts=_unit_counts(), data=data,
                           errors=errors), (422 if errors else 200)


def _unit_page(unit: Unit, errors: dict, data) -> str:  # noqa: ANN001
    targets = [u for u in unit_choices() if u.id != unit.id]
    return render_template("admin/unit_form.html", unit=unit, errors=errors, data=data,
                           targets=targets, counts=_unit_counts().get(unit.id, {}))


@bp.route("/units/<int(max=2147483647):unit_id>")
@admin_required
def unit_edit(unit_id: int):
    unit = _get(Unit, unit_id, "单位")
    return _unit_page(unit, {}, MultiDict({"name": unit.name}))


@bp.route("/units/<int(max=2147483647):unit_id>/rename", methods=["POST"])
@admin_required
def unit_rename(unit_id: int):
    unit = _get(Unit, unit_id, "单位")
    f = FormReader(request.form)
    name = f.text("name", "单位名称", required=True, max_len=120)
    errors = f.errors
    if f.ok:
        old = unit.name
        try:
            us.rename_unit(current_user, unit, name)
        except Refused as exc:
            errors = exc.errors
        else:
            flash(f"已将“{old}”更名为“{name}”。", "success")
            return redirect(url_for("admin.units"))
    return _unit_page(unit, errors, request.form), 422


@bp.route("/units/<int(max=2147483647):unit_id>/merge", methods=["POST"])
@admin_required
def unit_merge(unit_id: int):
    unit = _get(Unit, unit_id, "单位")
    f = FormReader(request.form)
    target_id = f.ref("target_id", "并入的单位", required=True)
    errors = f.errors
    if f.ok:
        target = db.session.get(Unit, target_id)
        try:
            if target is None:
                raise Refused({"target_id": "并入的单位不存在，请从列表中选择"})
            moved = us.merge_units(current_user, unit, target)
        except Refused as exc:
            errors = exc.errors
        else:
            flash(f"已将“{unit.name}”并入“{target.name}”：用户 {moved['users']} 个、项目 "
                  f"{moved['projects']} 处、问题 {moved['issues']} 项已改为新单位，原单位已停用。",
                  "success")
            return redirect(url_for("admin.units"))
    return _unit_page(unit, errors, MultiDict({"name": unit.name})), 422


@bp.route("/units/<int(max=2147483647):unit_id>/active", methods=["POST"])
@admin_required
def unit_active(unit_id: int):
    unit = _get(Unit, unit_id, "单位")
    active = request.form.get("active") == "1"
    us.set_unit_active(current_user, unit, active)
    flash(f"已{'启用' if active else '停用'}单位“{unit.name}”。", "success")
    return redirect(url_for("admin.units"))


# --- settings -------------------------------------------------------------------


@bp.route("/settings", methods=["GET", "POST"])
@admin_required
def settings():
    errors: dict[str, str] = {}
    data = request.form if request.method == "POST" else MultiDict(park_settings())
    if request.method == "POST":
        values, errors = read_settings(request.form)
        if not errors:
            changes = save_settings(current_user, values)
            flash("设置已保存。" if changes else "没有修改任何设置。", "success")
            return redirect(url_for("admin.settings"))
    return render_template("admin/settings.html", data=data, errors=errors,
                           labels=SETTING_LABELS), (422 if errors else 200)
