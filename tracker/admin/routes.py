"""Administration in the browser (/admin/...): users, units, settings, and the project register.

Users, units and settings are for admins; the project forms (create, edit, annual
plans, special bonds, archive) are for supervisors and admins. Every route
checks the role on the server (403), every POST carries the CSRF token
(``CSRFProtect``), every bad input re-renders the form with a message next to the
field (422), and a stale edit answers 409 with the current values.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload
from werkzeug.datastructures import MultiDict

from tracker.admin import projects_service as ps
from tracker.admin import users_service as us
from tracker.admin.forms import FormReader, read_project
from tracker.admin.service import SETTING_LABELS, read_settings, save_settings
from tracker.audit.service import as_text
from tracker.auth.models import Role, Unit, User
from tracker.auth.permissions import admin_required, supervisor_required
from tracker.auth.service import create_user
from tracker.errors import Conflict, Refused
from tracker.extensions import db
from tracker.http import park_today
from tracker.issues.models import Issue
from tracker.projects.models import SUGGESTED_INDUSTRIES, AnnualPlan, Bond, Level, Project, Stage
from tracker.settings import park_settings

bp = Blueprint("admin", __name__, url_prefix="/admin")


# --- helpers --------------------------------------------------------------------


def _units(include: set[int | None] = frozenset()) -> list[Unit]:
    """Active units, plus those already chosen (an inactive unit may stay where it is)."""
    ids = {i for i in include if i}
    stmt = select(Unit).where(or_(Unit.active.is_(True), Unit.id.in_(ids))).order_by(Unit.name)
    return list(db.session.scalars(stmt))


def _get_project(code: str) -> Project:
    project = db.session.scalar(
        select(Project).where(Project.code == code).options(selectinload(Project.liaisons))
    )
    if project is None:
        abort(404, description=f"项目“{code}”不存在。")
    return project


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
        errors = f.errors
        if f.ok:
            try:
                user = create_user(current_user, f.values)
            except Refused as exc:
                errors = exc.errors
            else:
                flash(f"已创建用户 {user.login}（{user.name}），首次登录须修改密码。", "success")
                return redirect(url_for("admin.users"))
    return render_template("admin/user_form.html", user=None, data=data, errors=errors,
                           roles=list(Role), units=_units()), (422 if errors else 200)


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
                           pw_errors=pw_errors, roles=list(Role), units=_units({user.unit_id}))


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
    targets = [u for u in _units() if u.id != unit.id]
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


# --- projects -------------------------------------------------------------------


@bp.route("/projects")
@supervisor_required
def projects():
    show = request.args.get("show", "current")
    stmt = (
        select(Project)
        .options(selectinload(Project.lead), selectinload(Project.responsible_unit))
        .order_by(Project.code)
    )
    if show != "all":
        stmt = stmt.where(Project.archived_on.is_(None))
    rows = sorted(db.session.scalars(stmt), key=lambda p: (p.level.order, p.code))
    return render_template("admin/projects.html", rows=rows, show=show)


def _project_data(project: Project) -> MultiDict:
    data = MultiDict({
        "code": project.code, "name": project.name, "level": project.level.value,
        "industry": project.industry, "stage": project.stage.value,
        "owner_unit_id": str(project.owner_unit_id or ""),
        "responsible_unit_id": str(project.responsible_unit_id or ""),
        "lead_id": str(project.lead_id or ""), "leader_in_charge": project.leader_in_charge,
        "total_investment": as_text(project.total_investment) or "",
        "start_year": str(project.start_year or ""),
        "planned_completion_year": str(project.planned_completion_year or ""),
        "version": str(project.version),
    })
    for u in project.liaisons:
        data.add("liaison_ids", str(u.id))
    return data


def _project_form(project: Project | None, data, errors: dict, conflict=None) -> str:  # noqa: ANN001
    keep_users = set()
    keep_units = set()
    if project is not None:
        keep_users = {u.id for u in project.liaisons} | {project.lead_id}
        keep_units = {project.owner_unit_id, project.responsible_unit_id}
    people = list(db.session.scalars(
        select(User).options(selectinload(User.unit))
        .where(or_(User.active.is_(True) & User.role.in_(ps.REPORTING_ROLES),
                   User.id.in_({i for i in keep_users if i})))
        .order_by(User.name)
    ))
    unit_opts = [(u.id, u.name + ("" if u.active else "（已停用）")) for u in _units(keep_units)]
    people_opts = [
        (p.id, f"{p.name}（{p.login}{'，' + p.unit.name if p.unit else ''}）"
               + ("" if p.active else "（已停用）"))
        for p in people
    ]
    return render_template(
        "admin/project_form.html", project=project, data=data, errors=errors,
        conflict=conflict, levels=list(Level), stages=list(Stage), unit_opts=unit_opts,
        people_opts=people_opts, industries=SUGGESTED_INDUSTRIES, labels=ps.LABELS,
        this_year=park_today().year,
    )


@bp.route("/projects/new", methods=["GET", "POST"])
@supervisor_required
def project_new():
    if request.method == "GET":
        data = MultiDict({"level": Level.PROVINCIAL.value, "stage": Stage.PREPARATION.value,
                          "plan_year": str(park_today().year)})
        return _project_form(None, data, {})
    f = read_project(request.form)
    plan_year = f.integer("plan_year", "计划年度", lo=2000, hi=2100)
    plan_amount = f.money("plan_amount", "年度计划投资")
    if plan_amount is not None and plan_year is None and "plan_year" not in f.errors:
        f.error("plan_year", "请填写计划年度")
    errors = f.errors
    if f.ok:
        try:
            project = ps.create_project(current_user, f.values, plan_year=plan_year,
                                        plan_amount=plan_amount)
        except Refused as exc:
            errors = exc.errors
        else:
            flash(f"已新建项目 {project.code} {project.name}。", "success")
            return redirect(_after_save(project))
    return _project_form(None, request.form, errors), 422


def _after_save(project: Project) -> str:
    """The project's page once the register has one (projectfile.detail), else its edit form."""
    if "projectfile.detail" in current_app.view_functions:
        return url_for("projectfile.detail", code=project.code)
    return url_for("admin.project_edit", code=project.code)


@bp.route("/projects/<code>/edit", methods=["GET", "POST"])
@supervisor_required
def project_edit(code: str):
    project = _get_project(code)
    if request.method == "GET":
        return _project_form(project, _project_data(project), {})
    f = read_project(request.form)
    version = f.integer("version", "版本", lo=0, hi=10**9)
    f.errors.pop("version", None)
    errors = f.errors
    conflict = None
    status = 422
    if f.ok:
        try:
            changes = ps.update_project(current_user, project, f.values, version)
        except Refused as exc:
            errors = exc.errors
        except Conflict as exc:
            conflict = exc
            status = 409
        else:
            flash(f"已保存项目 {project.code}（修改 {len(changes)} 项）。" if changes
                  else "没有修改任何内容。", "success")
            return redirect(_after_save(project))
    data = request.form
    if conflict is not None:
        # The user's entries stay; saving again (deliberately) overwrites the current version.
        data = request.form.copy()
        data["version"] = str(conflict.version)
    return _project_form(project, data, errors, conflict), status


def _year_arg() -> int:
    """The year a plan or bond form opens on: ?year=YYYY when sensible, else this year."""
    raw = request.args.get("year", "")
    if raw.isdigit() and 2000 <= int(raw) <= 2100:
        return int(raw)
    return park_today().year


def _seen_for(year: int | None):  # noqa: ANN202
    """What the user saw of ``year``'s plan or bond; unknown when they typed another year."""
    seen = request.form.get("seen")
    if seen is None or request.form.get("seen_year") != str(year):
        return ps.UNSET
    return seen


@bp.route("/projects/<code>/plans", methods=["GET", "POST"])
@supervisor_required
def project_plans(code: str):
    project = _get_project(code)
    plans = list(db.session.scalars(
        select(AnnualPlan).where(AnnualPlan.project_id == project.id).order_by(AnnualPlan.year.desc())
    ))
    by_year = {p.year: p for p in plans}
    errors: dict[str, str] = {}
    conflict = None
    status = 200
    if request.method == "GET":
        year = _year_arg()
        seen = as_text(by_year[year].amount) if year in by_year else ""
        data = MultiDict({"year": str(year), "amount": seen, "seen": seen, "seen_year": str(year)})
    else:
        data = request.form.copy()
        f = FormReader(request.form)
        year = f.integer("year", "年度", lo=2000, hi=2100, required=True)
        amount = f.money("amount", "年度计划投资", required=True)
        seen = _seen_for(year)
        errors = f.errors
        if f.ok:
            try:
                ps.set_plan(current_user, project, year, amount, seen=seen)
            except Refused as exc:
                errors = {"amount" if k == "plan_amount" else "year": v for k, v in exc.errors.items()}
            except Conflict as exc:
                conflict = exc
                db.session.expire_all()
                current = db.session.scalar(select(AnnualPlan.amount).where(
                    AnnualPlan.project_id == project.id, AnnualPlan.year == year))
                data["seen"] = as_text(current) or ""
                data["seen_year"] = str(year)
            else:
                flash(f"已设置 {project.code} {year}年计划投资 {amount:.2f} 万元。", "success")
                return redirect(url_for("admin.project_plans", code=project.code, year=year))
        status = 409 if conflict else 422
    return render_template("admin/project_plans.html", project=project, plans=plans, data=data,
                           errors=errors, conflict=conflict), status


@bp.route("/projects/<code>/bonds", methods=["GET", "POST"])
@supervisor_required
def project_bonds(code: str):
    project = _get_project(code)
    bonds = list(db.session.scalars(
        select(Bond).where(Bond.project_id == project.id)
        .options(selectinload(Bond.spendings)).order_by(Bond.year.desc())
    ))
    by_year = {b.year: b for b in bonds}
    errors: dict[str, str] = {}
    conflict = None
    status = 200
    if request.method == "GET":
        year = _year_arg()
        bond = by_year.get(year)
        data = MultiDict({
            "year": str(year),
            "amount": as_text(bond.amount) if bond else "",
            "expected_on": as_text(bond.expected_on) or "" if bond else "",
            "seen": ps.bond_seen(bond),
            "seen_year": str(year),
        })
    else:
        data = request.form.copy()
        f = FormReader(request.form)
        year = f.integer("year", "年度", lo=2000, hi=2100, required=True)
        amount = f.money("amount", "下达金额", required=True)
        expected_on = f.day("expected_on", "预计支出完毕日期")
        seen = _seen_for(year)
        errors = f.errors
        if f.ok:
            try:
                ps.grant_bond(current_user, project, year, amount, expected_on, seen=seen)
            except Refused as exc:
                errors = exc.errors
            except Conflict as exc:
                conflict = exc
                db.session.expire_all()
                data["seen"] = ps.bond_seen(db.session.scalar(
                    select(Bond).where(Bond.project_id == project.id, Bond.year == year)))
                data["seen_year"] = str(year)
            else:
                flash(f"已保存 {project.code} {year}年专项债。", "success")
                return redirect(url_for("admin.project_bonds", code=project.code, year=year))
        status = 409 if conflict else 422
    spent = {b.id: b.spent() for b in bonds}
    return render_template("admin/project_bonds.html", project=project, bonds=bonds, data=data,
                           errors=errors, conflict=conflict, spent=spent), status


@bp.route("/projects/<code>/archive", methods=["GET", "POST"])
@supervisor_required
def project_archive(code: str):
    project = _get_project(code)
    errors: dict[str, str] = {}
    conflict = None
    status = 200
    data = MultiDict({"archived_on": park_today().isoformat(), "version": str(project.version)})
    if request.method == "POST":
        data = request.form
        f = FormReader(request.form)
        restore = request.form.get("action") == "restore"
        on = None if restore else f.day("archived_on", "归档日期", required=True)
        version = f.integer("version", "版本", lo=0, hi=10**9)
        f.errors.pop("version", None)
        errors = f.errors
        if f.ok:
            try:
                if restore:
                    ps.restore_project(current_user, project, version)
                else:
                    ps.archive_project(current_user, project, on, version, today=park_today())
            except Refused as exc:
                errors = exc.errors
            except Conflict as exc:
                conflict = exc
            else:
                flash(f"已恢复项目 {project.code}。" if restore
                      else f"已归档项目 {project.code}（{on.isoformat()}）。", "success")
                return redirect(url_for("admin.project_archive", code=project.code))
        status = 409 if conflict else 422
    return render_template("admin/project_archive.html", project=project, data=data,
                           errors=errors, conflict=conflict), status
